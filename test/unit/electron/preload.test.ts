import { beforeAll, describe, expect, it, vi } from 'vitest';
import { REQUEST_NAMES } from '../../../main/contract';
import { EVENT_CHANNEL, SHELL_CHANNELS } from '../../../electron/channels';
import type { DesktopBridge } from '../../../electron/preload';
import { contextBridge, ipcRenderer } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

describe('preload', () => {
  let bridge: DesktopBridge;
  beforeAll(async () => {
    await import('../../../electron/preload');
    bridge = contextBridge.exposed.get('bootdrop') as DesktopBridge;
  });

  it('exposes exactly one object with a domain method per request — no ipcRenderer, no generic invoke', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['bootdrop']);
    expect(Object.keys(bridge).sort()).toEqual([...REQUEST_NAMES, 'onEvent', 'pathForFile', 'shell'].sort());
    expect(Object.keys(bridge.shell)).toEqual(['fixPrivilegedPorts', 'openDialog']);
    expect(Object.values(bridge).some((v: unknown) => v === ipcRenderer)).toBe(false);
  });

  it('each method invokes its own channel with the request', async () => {
    ipcRenderer.reply = (channel) => ({ ok: true, value: `answer from ${channel}` });
    expect(await bridge.addSource({ path: '/isos/a.iso' })).toBe('answer from bootdrop:addSource');
    expect(await bridge.start()).toBe('answer from bootdrop:start');
    expect(await bridge.shell.fixPrivilegedPorts()).toBe(`answer from ${SHELL_CHANNELS.fixPrivilegedPorts}`);
    expect(await bridge.shell.openDialog({ kind: 'isos' })).toBe(`answer from ${SHELL_CHANNELS.openDialog}`);
    expect(ipcRenderer.invocations.slice(-4)).toEqual([
      { channel: 'bootdrop:addSource', req: { path: '/isos/a.iso' } },
      { channel: 'bootdrop:start', req: undefined },
      { channel: SHELL_CHANNELS.fixPrivilegedPorts, req: undefined },
      { channel: SHELL_CHANNELS.openDialog, req: { kind: 'isos' } },
    ]);
  });

  it('rethrows refusals with code and remedy readable from the message (contextBridge drops properties)', async () => {
    ipcRenderer.reply = () => ({ ok: false, error: { code: 'EACCES', message: 'port 67', remedy: 'allow it' } });
    const err = (await bridge.start().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(JSON.parse(err.message)).toEqual({ code: 'EACCES', message: 'port 67', remedy: 'allow it' });
  });

  it('onEvent subscribes to the event channel and returns a working unsubscribe', () => {
    const seen: unknown[] = [];
    const off = bridge.onEvent((e) => seen.push(e));
    ipcRenderer.emit(EVENT_CHANNEL, {}, { type: 'sources', sources: [] });
    off();
    ipcRenderer.emit(EVENT_CHANNEL, {}, { type: 'sources', sources: [] });
    expect(seen).toEqual([{ type: 'sources', sources: [] }]);
    expect(ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(0);
  });

  it('pathForFile asks webUtils (File.path is gone since Electron 32)', () => {
    expect(bridge.pathForFile({ name: 'arch.iso' } as File)).toBe('/home/user/Downloads/arch.iso');
  });
});
