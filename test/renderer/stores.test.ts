import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useClientsStore } from '../../renderer/src/stores/clients';
import { useEngineStore } from '../../renderer/src/stores/engine';
import { useLogStore } from '../../renderer/src/stores/log';
import { attachEngine } from '../../renderer/src/stores/sync';
import { FakeEngine, settle } from './fake-api';
import { client, menu, snapshot, source, servingState, T0, transfer } from './fixtures';

let pinia: Pinia;
let engine: FakeEngine;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  engine = new FakeEngine(snapshot({ clients: [client('52:54:00:00:00:01', { stage: 'loader' })] }));
});

async function attached(): Promise<void> {
  attachEngine(engine.connection, pinia);
  await settle();
}

describe('snapshot on connect', () => {
  it('mirrors the snapshot once the link is open', async () => {
    await attached();
    const store = useEngineStore();
    expect(engine.callsOf('snapshot')).toHaveLength(1);
    expect(store.ready).toBe(true);
    expect(store.sources.map((s) => s.id)).toEqual(['arch']);
    expect(store.chosenInterface).toBe('eth0');
    expect(useClientsStore().list.map((c) => c.mac)).toEqual(['52:54:00:00:00:01']);
  });

  it('waits for the link, and takes a fresh snapshot after every reconnect', async () => {
    engine.info = { status: 'connecting', problem: null, retryAt: null };
    await attached();
    expect(engine.callsOf('snapshot')).toHaveLength(0);
    expect(useEngineStore().connection.status).toBe('connecting');
    engine.setInfo({ status: 'open', problem: null, retryAt: null });
    await settle();
    expect(engine.callsOf('snapshot')).toHaveLength(1);
    engine.setInfo({
      status: 'reconnecting',
      problem: { code: 'EDISCONNECTED', message: 'gone' },
      retryAt: Date.now() + 1000,
    });
    engine.snap = snapshot({ sources: [] });
    engine.setInfo({ status: 'open', problem: null, retryAt: null });
    await settle();
    expect(engine.callsOf('snapshot')).toHaveLength(2);
    expect(useEngineStore().sources).toEqual([]);
  });

  it('reports a contract version mismatch instead of showing foreign data', async () => {
    engine.snap = { ...snapshot(), version: 999 };
    await attached();
    const store = useEngineStore();
    expect(store.ready).toBe(false);
    expect(store.connection.status).toBe('incompatible');
    expect(store.connection.problem?.message).toMatch(/version 1 .* version 999/);
    expect(store.connection.problem?.remedy).toMatch(/Restart Bootdrop/);
  });

  it('lets the snapshot win over state events that race it, and keeps their log lines', async () => {
    let answer: (() => void) | null = null;
    engine.handlers.snapshot = () =>
      new Promise((resolve) => {
        answer = () => resolve(snapshot({ sources: [source('new')] }));
      });
    attachEngine(engine.connection, pinia);
    await settle();
    engine.emit({ type: 'sources', sources: [source('old')] });
    engine.emit({ type: 'log', entry: { time: T0, level: 'info', scope: 'dhcp', message: 'early' } });
    answer!();
    await settle();
    expect(useEngineStore().sources.map((s) => s.id)).toEqual(['new']);
    expect(useLogStore().lines.map((l) => l.message)).toEqual(['early']);
  });
});

describe('engine events', () => {
  it('follows sources being added and removed', async () => {
    await attached();
    const store = useEngineStore();
    engine.emit({ type: 'sources', sources: [source('arch'), source('ubuntu', { osName: 'Ubuntu 24.04' })] });
    expect(store.sources.map((s) => s.osName)).toEqual(['Arch Linux', 'Ubuntu 24.04']);
    engine.emit({ type: 'sources', sources: [source('ubuntu', { osName: 'Ubuntu 24.04' })] });
    expect(store.sources.map((s) => s.id)).toEqual(['ubuntu']);
  });

  it('follows state, menu and interface events', async () => {
    await attached();
    const store = useEngineStore();
    engine.emit({
      type: 'state',
      state: servingState({ serving: true, interfaceName: 'eth0', effectiveMode: 'proxy' }),
    });
    engine.emit({ type: 'menu', menu: menu({ timeoutSec: 30 }) });
    engine.emit({ type: 'interfaces', interfaces: [] });
    expect(store.state?.effectiveMode).toBe('proxy');
    expect(store.menu?.timeoutSec).toBe(30);
    expect(store.interfaces).toEqual([]);
  });

  it('walks a client through the boot stages and remembers how far it got when it fails', async () => {
    await attached();
    const clients = useClientsStore();
    const mac = '52:54:00:00:00:02';
    for (const stage of ['dhcp', 'loader', 'menu', 'kernel', 'initrd'] as const) {
      engine.emit({ type: 'client', client: client(mac, { stage, firstSeen: T0 + 1 }) });
      expect(clients.byMac[mac]?.stage).toBe(stage);
    }
    engine.emit({ type: 'client', client: client(mac, { stage: 'failed', firstSeen: T0 + 1 }) });
    expect(clients.byMac[mac]?.stage).toBe('failed');
    expect(clients.reached[mac]).toBe('initrd');
    // Newest PC first.
    expect(clients.list.map((c) => c.mac)).toEqual([mac, '52:54:00:00:00:01']);
    expect(clients.active.map((c) => c.mac)).toEqual(['52:54:00:00:00:01']);
  });

  it('tracks transfer progress per client, by MAC or else by IP', async () => {
    await attached();
    const clients = useClientsStore();
    const mac = '52:54:00:00:00:01';
    engine.emit({ type: 'transfer', transfer: transfer('t1', { bytes: 1000, rate: 500 }) });
    engine.emit({ type: 'transfer', transfer: transfer('t1', { bytes: 5_000_000, rate: 2_000_000 }) });
    expect(clients.byMac[mac]?.transfers).toHaveLength(1);
    expect(clients.currentTransfer(clients.byMac[mac]!)?.bytes).toBe(5_000_000);
    // HTTP transfers may not know the MAC: matched by the client's IP.
    engine.emit({
      type: 'transfer',
      transfer: transfer('t2', { mac: null, protocol: 'http', file: '/initrd', bytes: 7 }),
    });
    engine.emit({
      type: 'transfer',
      transfer: transfer('t1', { bytes: 10_000_000, outcome: 'done', endedAt: T0 + 5000 }),
    });
    expect(clients.byMac[mac]?.transfers.map((t) => [t.id, t.outcome])).toEqual([
      ['t1', 'done'],
      ['t2', 'active'],
    ]);
    expect(clients.currentTransfer(clients.byMac[mac]!)?.id).toBe('t2');
    // Its throughput after each update: the sum over its active transfers (t2's rate is the fixture's).
    const t2Rate = transfer('t2').rate;
    expect(clients.rates[mac]).toEqual([500, 2_000_000, 2_000_000 + t2Rate, t2Rate]);
    // Nobody we know: kept aside rather than invented as a client.
    engine.emit({ type: 'transfer', transfer: transfer('t3', { mac: null, clientIp: '10.9.9.9' }) });
    expect(clients.unmatched.map((t) => t.id)).toEqual(['t3']);
    expect(Object.keys(clients.byMac)).toEqual([mac]);
  });

  it('keeps the log in a bounded ring', async () => {
    await attached();
    const log = useLogStore();
    log.capacity = 3;
    for (let i = 0; i < 5; i++)
      engine.emit({
        type: 'log',
        entry: { time: T0 + i, level: i % 2 ? 'warn' : 'info', scope: 'tftp', message: `line ${i}` },
      });
    expect(log.lines.map((l) => l.message)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(log.dropped).toBe(2);
    log.minLevel = 'warn';
    expect(log.filtered.map((l) => l.message)).toEqual(['line 3']);
    log.minLevel = 'debug';
    log.text = 'LINE 4';
    expect(log.filtered.map((l) => l.message)).toEqual(['line 4']);
  });
});

describe('requests', () => {
  it('shows an add as pending until the engine answers, then lists the answer', async () => {
    await attached();
    const store = useEngineStore();
    let answer: (() => void) | null = null;
    engine.handlers.addSource = (req) =>
      new Promise((resolve) => {
        answer = () => resolve(source('ubuntu', { path: req.path }));
      });
    const done = store.addSource('/isos/ubuntu.iso');
    await settle();
    expect(store.adding).toEqual(['/isos/ubuntu.iso']);
    expect(store.sources.map((s) => s.id)).toEqual(['arch']);
    answer!();
    await done;
    expect(store.adding).toEqual([]);
    expect(store.sources.map((s) => s.id)).toEqual(['arch', 'ubuntu']);
  });

  it('keeps a failed request as a problem with its remedy, and clears it on success', async () => {
    await attached();
    const store = useEngineStore();
    engine.handlers.start = () => {
      throw Object.assign(new Error("Error invoking remote method 'start': Error: port 67 is busy"), {
        code: 'EADDRINUSE',
        remedy: 'Stop dnsmasq.',
      });
    };
    await store.start();
    expect(store.problems.serve).toEqual({ code: 'EADDRINUSE', message: 'port 67 is busy', remedy: 'Stop dnsmasq.' });
    expect(store.state?.serving).toBe(false);
    delete engine.handlers.start;
    await store.start();
    expect(store.problems.serve).toBeUndefined();
    expect(store.state?.serving).toBe(true);
  });

  it('sends the preselected (recommended) interface before starting', async () => {
    await attached();
    await useEngineStore().start();
    expect(engine.calls.map((c) => c.name)).toEqual(['snapshot', 'setInterface', 'start']);
    expect(engine.callsOf('setInterface')).toEqual([{ name: 'eth0' }]);
  });
});
