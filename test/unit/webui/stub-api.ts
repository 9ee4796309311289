/** A hand-written BootdropApi for bridge tests: records calls, answers with fixed data, emits on demand. */
import type {
  BootdropApi,
  EngineEvent,
  EngineSnapshot,
  MenuSettings,
  NetInterface,
  ServingState,
  SourceSummary,
} from '../../../main/contract';
import { CONTRACT_VERSION } from '../../../main/contract';

export const IDLE: ServingState = {
  serving: false,
  starting: false,
  interfaceName: null,
  address: null,
  mode: 'auto',
  effectiveMode: null,
  httpUrl: null,
  error: null,
};
export const MENU: MenuSettings = { timeoutSec: 10, defaultEntryId: null, append: '', overrides: {} };
const ETH0: NetInterface = {
  name: 'eth0',
  address: '10.0.0.1',
  prefix: 24,
  netmask: '255.255.255.0',
  mac: '02:00:00:00:00:01',
  up: true,
  kind: 'wired',
  recommended: true,
};

export function source(path: string): SourceSummary {
  return {
    id: 'arch',
    path,
    kind: 'iso',
    label: 'ARCH_2024',
    size: 1,
    family: 'archiso',
    osName: 'Arch Linux',
    fileSystems: ['ISO 9660'],
    entries: [],
    warnings: [],
  };
}

export class StubApi implements BootdropApi {
  calls: Array<{ name: string; req: unknown }> = [];
  private listeners = new Set<(e: EngineEvent) => void>();
  failNext: Error | null = null;

  emit(event: EngineEvent): void {
    for (const l of this.listeners) l(event);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(name: string, req?: unknown): void {
    this.calls.push({ name, req });
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
  }

  async snapshot(): Promise<EngineSnapshot> {
    this.record('snapshot');
    return { version: CONTRACT_VERSION, state: IDLE, sources: [], menu: MENU, interfaces: [ETH0], clients: [] };
  }
  async refreshInterfaces() {
    this.record('refreshInterfaces');
    return [ETH0];
  }
  async addSource(req: { path: string }) {
    this.record('addSource', req);
    return source(req.path);
  }
  async removeSource(req: { id: string }) {
    this.record('removeSource', req);
  }
  async setInterface(req: { name: string }) {
    this.record('setInterface', req);
  }
  async setMode(req: { mode: 'proxy' | 'dhcp' | 'auto' }) {
    this.record('setMode', req);
  }
  async setMenu(req: { menu: MenuSettings }) {
    this.record('setMenu', req);
    return req.menu;
  }
  async start(): Promise<ServingState> {
    this.record('start');
    return { ...IDLE, serving: true, interfaceName: 'eth0' };
  }
  async stop(): Promise<ServingState> {
    this.record('stop');
    return IDLE;
  }
  async recheckFirewall(): Promise<ServingState> {
    this.record('recheckFirewall');
    return IDLE;
  }
  async browse(req: { path?: string }) {
    this.record('browse', req);
    return { path: req.path ?? '/', parent: null, entries: [] };
  }
  async exportLog() {
    this.record('exportLog');
    return 'log';
  }
  async volumes() {
    this.record('volumes');
    return { volumes: [], error: null };
  }
}
