import { describe, expect, it } from 'vitest';
import type { ClientState, EngineEvent, ServingState, TransferProgress } from '../../../main/contract';
import { applyEvent, viewFromSnapshot, type EngineView } from '../../../electron/engine-view';
import { trayModel } from '../../../electron/tray-model';
import { IDLE, MENU, source } from '../webui/stub-api';

const SERVING: ServingState = {
  ...IDLE,
  serving: true,
  interfaceName: 'eth0',
  address: '10.0.0.1',
  effectiveMode: 'proxy',
  httpUrl: 'http://10.0.0.1/',
};

function view(patch: Partial<EngineView> = {}): EngineView {
  return { state: IDLE, sources: [], knownMacs: new Set(), activeTransfers: new Set(), ...patch };
}

function transfer(id: string, outcome: TransferProgress['outcome']): TransferProgress {
  return {
    id,
    protocol: 'tftp',
    clientIp: '10.0.0.9',
    mac: null,
    file: 'undionly.kpxe',
    bytes: 1,
    total: 2,
    rate: 1,
    startedAt: 0,
    endedAt: null,
    outcome,
    error: null,
  };
}

function client(mac: string): ClientState {
  return {
    mac,
    ip: null,
    firmware: 'uefi',
    arch: 7,
    entryId: null,
    stage: 'dhcp',
    transfers: [],
    firstSeen: 0,
    lastSeen: 0,
  };
}

describe('trayModel', () => {
  it('idle without an interface: grey icon, toggle disabled with a hint', () => {
    const m = trayModel(view());
    expect(m.icon).toBe('idle');
    expect(m.tooltip).toBe('Bootdrop — not serving');
    expect(m.items[0]).toEqual({
      kind: 'checkbox',
      label: 'Serving (choose an interface in the window)',
      checked: false,
      enabled: false,
      action: 'toggle-serving',
    });
    expect(m.items).toContainEqual({ kind: 'label', label: 'No ISOs — drop one on the window' });
    expect(m.items.slice(-2)).toEqual([
      { kind: 'action', label: 'Show window', action: 'show' },
      { kind: 'action', label: 'Quit Bootdrop', action: 'quit' },
    ]);
  });

  it('interface chosen but stopped: unchecked, enabled toggle naming the interface', () => {
    const m = trayModel(view({ state: { ...IDLE, interfaceName: 'enp3s0' } }));
    expect(m.items[0]).toMatchObject({ label: 'Serving on enp3s0', checked: false, enabled: true });
  });

  it('serving: green icon, checked toggle, the ISOs as disabled labels', () => {
    const m = trayModel(
      view({
        state: SERVING,
        sources: [source('/isos/arch.iso'), { ...source('/isos/x.iso'), label: 'Ubuntu', osName: 'Ubuntu' }],
      }),
    );
    expect(m.icon).toBe('serving');
    expect(m.items[0]).toMatchObject({ kind: 'checkbox', label: 'Serving on eth0', checked: true, enabled: true });
    expect(m.items).toContainEqual({ kind: 'label', label: 'ARCH_2024 — Arch Linux' });
    expect(m.items).toContainEqual({ kind: 'label', label: 'Ubuntu' });
    expect(m.tooltip).toBe('Bootdrop — serving 2 ISOs on eth0 (10.0.0.1)');
  });

  it('counts the PCs seen', () => {
    expect(trayModel(view()).items.some((i) => i.kind === 'label' && /PC/.test(i.label))).toBe(false);
    const m = trayModel(view({ state: SERVING, knownMacs: new Set(['aa:aa:aa:aa:aa:aa', 'bb:bb:bb:bb:bb:bb']) }));
    expect(m.items).toContainEqual({ kind: 'label', label: '2 PCs seen since Bootdrop started' });
  });

  it('transferring: blue icon and the count in the tooltip', () => {
    const m = trayModel(view({ state: SERVING, sources: [source('/a.iso')], activeTransfers: new Set(['t1']) }));
    expect(m.icon).toBe('transferring');
    expect(m.tooltip).toBe('Bootdrop — serving 1 ISO on eth0 (10.0.0.1), 1 transfer in progress');
  });

  it('starting: checked, disabled; errors shown as a label and in the tooltip', () => {
    expect(trayModel(view({ state: { ...IDLE, starting: true, interfaceName: 'eth0' } })).items[0]).toMatchObject({
      label: 'Starting on eth0…',
      checked: true,
      enabled: false,
    });
    const err = {
      code: 'EACCES',
      message: 'not permitted to bind UDP port 67 on 0.0.0.0 (ports below 1024 need privileges)',
      remedy: 'x',
    };
    const m = trayModel(view({ state: { ...IDLE, interfaceName: 'eth0', error: err } }));
    expect(m.items[1]).toEqual({
      kind: 'label',
      label: expect.stringMatching(/^⚠ not permitted to bind UDP port 67.{0,40}…$/),
    });
    expect(m.tooltip).toContain('not serving: not permitted');
  });
});

describe('engine view', () => {
  it('starts from a snapshot (known clients, active transfers)', () => {
    const c = { ...client('aa:aa:aa:aa:aa:aa'), transfers: [transfer('t1', 'active'), transfer('t0', 'done')] };
    const v = viewFromSnapshot({ version: 1, state: SERVING, sources: [], menu: MENU, interfaces: [], clients: [c] });
    expect([...v.knownMacs]).toEqual(['aa:aa:aa:aa:aa:aa']);
    expect([...v.activeTransfers]).toEqual(['t1']);
  });

  it('reports a new PC exactly once', () => {
    let v = view();
    const first = applyEvent(v, { type: 'client', client: client('aa:aa:aa:aa:aa:aa') });
    expect(first.newClient?.mac).toBe('aa:aa:aa:aa:aa:aa');
    expect(first.trayChanged).toBe(true);
    v = first.view;
    const again = applyEvent(v, { type: 'client', client: { ...client('aa:aa:aa:aa:aa:aa'), stage: 'kernel' } });
    expect(again.newClient).toBeNull();
    expect(again.trayChanged).toBe(false);
    expect(applyEvent(v, { type: 'client', client: client('bb:bb:bb:bb:bb:bb') }).newClient?.mac).toBe(
      'bb:bb:bb:bb:bb:bb',
    );
  });

  it('redraws the tray on state/sources and on the idle ↔ transferring edge only', () => {
    let v = view({ state: SERVING });
    const steps: Array<[EngineEvent, boolean]> = [
      [{ type: 'transfer', transfer: transfer('t1', 'active') }, true],
      [{ type: 'transfer', transfer: transfer('t1', 'active') }, false],
      [{ type: 'transfer', transfer: transfer('t2', 'active') }, false],
      [{ type: 'transfer', transfer: transfer('t1', 'done') }, false],
      [{ type: 'transfer', transfer: transfer('t2', 'failed') }, true],
      [{ type: 'log', entry: { time: 0, level: 'info', scope: 'x', message: 'y' } }, false],
      [{ type: 'sources', sources: [] }, true],
      [{ type: 'state', state: IDLE }, true],
    ];
    for (const [event, redraw] of steps) {
      const u = applyEvent(v, event);
      expect(u.trayChanged, JSON.stringify(event)).toBe(redraw);
      v = u.view;
    }
    expect(v.activeTransfers.size).toBe(0);
    expect(v.state).toBe(IDLE);
  });
});
