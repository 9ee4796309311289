/** Engine data for renderer tests: small builders with sensible defaults, overridable per test. */
import type {
  BootEntry,
  ClientState,
  EngineSnapshot,
  MenuSettings,
  NetInterface,
  ServingState,
  SourceSummary,
  TransferProgress,
} from '../../main/contract/index';
import { CONTRACT_VERSION } from '../../main/contract/index';

export const T0 = 1_700_000_000_000;

export function entry(sourceId: string, slug: string, over: Partial<BootEntry> = {}): BootEntry {
  return {
    id: `${sourceId}:${slug}`,
    sourceId,
    label: slug,
    kind: 'linux',
    kernel: '/boot/vmlinuz',
    initrd: ['/boot/initrd'],
    cmdline: 'ip=dhcp',
    enabled: true,
    isDefault: false,
    origin: 'iso-menu',
    firmware: ['bios', 'uefi'],
    ...over,
  };
}

export function source(id: string, over: Partial<SourceSummary> = {}): SourceSummary {
  return {
    id,
    path: `/isos/${id}.iso`,
    kind: 'iso',
    label: `${id}.iso`,
    size: 2_000_000_000,
    family: 'archiso',
    osName: 'Arch Linux',
    fileSystems: ['ISO 9660'],
    entries: [entry(id, 'live', { isDefault: true, label: 'Arch Linux live' })],
    warnings: [],
    ...over,
  };
}

export function iface(name: string, over: Partial<NetInterface> = {}): NetInterface {
  return {
    name,
    address: '192.168.1.5',
    prefix: 24,
    netmask: '255.255.255.0',
    mac: '02:00:00:00:00:01',
    up: true,
    kind: 'wired',
    recommended: false,
    ...over,
  };
}

export function servingState(over: Partial<ServingState> = {}): ServingState {
  return {
    serving: false,
    starting: false,
    interfaceName: null,
    address: null,
    mode: 'auto',
    effectiveMode: null,
    httpUrl: null,
    error: null,
    ...over,
  };
}

export function menu(over: Partial<MenuSettings> = {}): MenuSettings {
  return { timeoutSec: 5, defaultEntryId: null, append: '', overrides: {}, ...over };
}

export function transfer(id: string, over: Partial<TransferProgress> = {}): TransferProgress {
  return {
    id,
    protocol: 'tftp',
    clientIp: '192.168.1.50',
    mac: '52:54:00:00:00:01',
    file: '/boot/vmlinuz',
    bytes: 0,
    total: 10_000_000,
    rate: 0,
    startedAt: T0,
    endedAt: null,
    outcome: 'active',
    error: null,
    ...over,
  };
}

export function client(mac: string, over: Partial<ClientState> = {}): ClientState {
  return {
    mac,
    ip: '192.168.1.50',
    firmware: 'uefi',
    arch: 7,
    entryId: null,
    stage: 'dhcp',
    transfers: [],
    firstSeen: T0,
    lastSeen: T0,
    ...over,
  };
}

export function snapshot(over: Partial<EngineSnapshot> = {}): EngineSnapshot {
  return {
    version: CONTRACT_VERSION,
    state: servingState(),
    sources: [source('arch')],
    menu: menu(),
    interfaces: [iface('eth0', { recommended: true })],
    clients: [],
    ...over,
  };
}
