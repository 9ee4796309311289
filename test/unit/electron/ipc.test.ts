import { beforeEach, describe, expect, it, vi } from 'vitest';
import { REQUEST_NAMES } from '../../../main/contract';
import type { ValidationEnv } from '../../../main/contract/validate';
import { EVENT_CHANNEL, REQUEST_CHANNELS, SHELL_CHANNELS } from '../../../electron/channels';
import { IpcBridge, TrustedSenders, type IpcDeps } from '../../../electron/ipc';
import { IDLE, StubApi } from '../webui/stub-api';
import { FakeWebContents, ipcMain, resetFakes } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const OUR_PAGE = 'file:///app/out/renderer/index.html';
const env: ValidationEnv = {
  statPath: async (p) => (p === '/isos/arch.iso' ? 'file' : null),
  interfaceNames: async () => ['eth0'],
};

describe('IpcBridge', () => {
  let api: StubApi;
  let bridge: IpcBridge;
  let window: FakeWebContents;
  const warnings: string[] = [];

  function call(
    channel: string,
    payload: unknown,
    sender: FakeWebContents = window,
    frameUrl: string | null = sender.url,
  ): Promise<unknown> {
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler({ sender, senderFrame: frameUrl === null ? null : { url: frameUrl } }, payload) as Promise<unknown>;
  }

  beforeEach(() => {
    resetFakes();
    warnings.length = 0;
    api = new StubApi();
    window = new FakeWebContents();
    window.url = OUR_PAGE;
    bridge = new IpcBridge({
      ipcMain: ipcMain as unknown as IpcDeps['ipcMain'], // the fake implements the two methods used
      api,
      env,
      trusted: new TrustedSenders((url) => url.startsWith(OUR_PAGE)),
      shell: {
        fixPrivilegedPorts: async () => ({ ok: true, message: 'fixed' }),
        openDialog: async (req, sender) => ({ paths: [`/picked/${req.kind}/by-${sender}`] }),
      },
      warn: (m) => warnings.push(m),
    });
    bridge.addWindow(window);
  });

  it('registers one typed channel per contract request, plus the shell extension', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      [
        ...REQUEST_NAMES.map((n) => `bootdrop:${n}`),
        SHELL_CHANNELS.fixPrivilegedPorts,
        SHELL_CHANNELS.openDialog,
      ].sort(),
    );
    expect(REQUEST_CHANNELS.addSource).toBe('bootdrop:addSource');
  });

  it('passes good requests from our window to the engine', async () => {
    expect(await call(REQUEST_CHANNELS.addSource, { path: '/isos/arch.iso' })).toMatchObject({
      ok: true,
      value: { path: '/isos/arch.iso' },
    });
    expect(await call(REQUEST_CHANNELS.stop, undefined)).toEqual({ ok: true, value: IDLE });
    expect(await call(REQUEST_CHANNELS.setInterface, { name: 'eth0' })).toEqual({ ok: true, value: undefined });
    expect(await call(SHELL_CHANNELS.fixPrivilegedPorts, undefined)).toEqual({
      ok: true,
      value: { ok: true, message: 'fixed' },
    });
    expect(await call(SHELL_CHANNELS.openDialog, { kind: 'folder' })).toEqual({
      ok: true,
      value: { paths: [`/picked/folder/by-${window.id}`] },
    });
    expect(api.calls.filter((c) => c.name !== 'refreshInterfaces')).toEqual([
      { name: 'addSource', req: { path: '/isos/arch.iso' } },
      { name: 'stop', req: undefined },
      { name: 'setInterface', req: { name: 'eth0' } },
    ]);
  });

  it('refuses senders that are not our window, or frames not showing our page', async () => {
    const stranger = new FakeWebContents();
    stranger.url = OUR_PAGE;
    const refusals = [
      await call(REQUEST_CHANNELS.start, undefined, stranger),
      await call(REQUEST_CHANNELS.start, undefined, window, 'https://evil.example/'),
      await call(REQUEST_CHANNELS.start, undefined, window, null),
      await call(SHELL_CHANNELS.fixPrivilegedPorts, undefined, stranger),
    ];
    for (const r of refusals) expect(r).toMatchObject({ ok: false, error: { code: 'EPERM' } });
    expect(JSON.stringify(refusals[0])).toContain(`webContents ${stranger.id} is not a Bootdrop window`);
    expect(JSON.stringify(refusals[1])).toContain('https://evil.example/');
    expect(api.calls).toEqual([]);
    expect(warnings).toHaveLength(4);
  });

  it('refuses bad payloads with a clear error before the engine sees them', async () => {
    const bad: Array<[string, unknown, string]> = [
      [REQUEST_CHANNELS.addSource, { path: '/isos/missing.iso' }, 'does not exist'],
      [REQUEST_CHANNELS.addSource, { path: 7 }, 'expected a string'],
      [REQUEST_CHANNELS.setMode, { mode: 'everything' }, 'expected one of proxy, dhcp, auto'],
      [
        REQUEST_CHANNELS.setMenu,
        { menu: { timeoutSec: 99999, defaultEntryId: null, append: '', overrides: {} } },
        'timeoutSec',
      ],
      [REQUEST_CHANNELS.start, 'now', 'takes no arguments'],
      [SHELL_CHANNELS.openDialog, { kind: 'everything' }, 'openDialog.kind: expected one of isos, folder'],
      [SHELL_CHANNELS.openDialog, undefined, 'openDialog.kind: expected one of isos, folder, got nothing'],
    ];
    for (const [channel, payload, fragment] of bad) {
      const r = (await call(channel, payload)) as { ok: boolean; error: { code: string; message: string } };
      expect(r.ok).toBe(false);
      expect(r.error.code).toBe('EINVAL');
      expect(r.error.message).toContain(fragment);
    }
    const iface = (await call(REQUEST_CHANNELS.setInterface, { name: 'wlan0' })) as { error: { message: string } };
    expect(iface.error.message).toContain('no network interface called "wlan0"');
    expect(api.calls).toEqual([]);
  });

  it('keeps engine error codes and remedies', async () => {
    api.failNext = Object.assign(new Error('interface eth0 is down'), {
      code: 'ELINKDOWN',
      remedy: 'plug in the cable',
    });
    expect(await call(REQUEST_CHANNELS.start, undefined)).toEqual({
      ok: false,
      error: { code: 'ELINKDOWN', message: 'interface eth0 is down', remedy: 'plug in the cable' },
    });
  });

  it('sends events to live windows only, and forgets closed ones', async () => {
    const second = new FakeWebContents();
    second.url = OUR_PAGE;
    bridge.addWindow(second);
    second.destroyed = true;
    bridge.broadcast({ type: 'state', state: IDLE });
    expect(window.sent).toEqual([{ channel: EVENT_CHANNEL, args: [{ type: 'state', state: IDLE }] }]);
    expect(second.sent).toEqual([]);
    // A destroyed window is no longer trusted either.
    expect(await call(REQUEST_CHANNELS.stop, undefined, second)).toMatchObject({ ok: false, error: { code: 'EPERM' } });
  });

  it('dispose() removes every handler', () => {
    bridge.dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });
});
