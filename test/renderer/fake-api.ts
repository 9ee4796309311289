/**
 * A hand-written stand-in for the engine behind BootdropApi, for component and store tests: it
 * records every request, answers from a handler table (default: a small in-memory engine state),
 * and lets the test emit engine events. The WebSocket transport is tested against a real server in
 * ws-client.test.ts; this fake only replaces the engine, which lives in other processes.
 */
import type {
  BootdropApi,
  EngineEvent,
  EngineSnapshot,
  RequestName,
  RequestOf,
  ResponseOf,
} from '../../main/contract/index';
import type { ConnectionInfo, EngineConnection } from '../../renderer/src/api/index';
import { snapshot as makeSnapshot } from './fixtures';

export interface Call {
  name: RequestName;
  req: unknown;
}
type Handlers = { [K in RequestName]?: (req: RequestOf<K>) => Promise<ResponseOf<K>> | ResponseOf<K> };

export class FakeEngine {
  readonly calls: Call[] = [];
  readonly listeners = new Set<(e: EngineEvent) => void>();
  infoListeners = new Set<(i: ConnectionInfo) => void>();
  info: ConnectionInfo = { status: 'open', problem: null, retryAt: null };
  snap: EngineSnapshot;
  handlers: Handlers = {};

  constructor(snap: EngineSnapshot = makeSnapshot()) {
    this.snap = snap;
  }

  private async call<K extends RequestName>(
    name: K,
    req: RequestOf<K>,
    fallback: () => ResponseOf<K>,
  ): Promise<ResponseOf<K>> {
    this.calls.push({ name, req });
    await Promise.resolve();
    const h = this.handlers[name] as ((req: RequestOf<K>) => Promise<ResponseOf<K>> | ResponseOf<K>) | undefined;
    return h ? h(req) : fallback();
  }

  callsOf(name: RequestName): unknown[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.req);
  }

  emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  setInfo(info: ConnectionInfo): void {
    this.info = info;
    for (const l of this.infoListeners) l(info);
  }

  readonly api: BootdropApi = {
    snapshot: () => this.call('snapshot', undefined, () => structuredClone(this.snap)),
    refreshInterfaces: () => this.call('refreshInterfaces', undefined, () => this.snap.interfaces),
    addSource: (req) =>
      this.call('addSource', req, () => {
        throw Object.assign(new Error(`no handler for addSource ${req.path}`), { code: 'ETEST' });
      }),
    removeSource: (req) => this.call('removeSource', req, () => undefined),
    setInterface: (req) => this.call('setInterface', req, () => undefined),
    setMode: (req) => this.call('setMode', req, () => undefined),
    setMenu: (req) => this.call('setMenu', req, () => req.menu),
    start: () => this.call('start', undefined, () => ({ ...this.snap.state, serving: true })),
    stop: () => this.call('stop', undefined, () => ({ ...this.snap.state, serving: false })),
    recheckFirewall: () => this.call('recheckFirewall', undefined, () => ({ ...this.snap.state })),
    browse: (req) => this.call('browse', req, () => ({ path: req.path ?? '/home', parent: '/', entries: [] })),
    exportLog: () => this.call('exportLog', undefined, () => ''),
    volumes: () => this.call('volumes', undefined, () => ({ volumes: [], error: null })),
    onEvent: (l) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    },
  };

  readonly connection: EngineConnection = {
    api: this.api,
    info: () => this.info,
    onInfo: (l) => {
      this.infoListeners.add(l);
      return () => this.infoListeners.delete(l);
    },
    close: () => undefined,
  };
}

/** Let pending promise chains (request → store → render) settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
