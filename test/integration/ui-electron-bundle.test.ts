/**
 * The desktop app as electron-vite builds it (out/main, out/preload, out/renderer), started under
 * Node with the hand-written fake `electron` (the real binary cannot be downloaded here): proves the
 * built main bundle finds its preload, page, tray icons and loaders, wires a real engine Session to
 * IPC, and shuts it down — the paths unit tests can only assume.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'electron-vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fake from '../unit/electron/fake-electron';
import { REQUEST_NAMES } from '../../main/contract';
import { SHELL_REQUEST_NAMES } from '../../electron/channels';

const ROOT = path.resolve(__dirname, '..', '..');

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;

describe('built desktop bundle', () => {
  const mod = Module as unknown as { _load: Loader };
  const originalLoad = mod._load;
  const originalGetuid = process.getuid;
  let userData: string;

  beforeAll(async () => {
    await build({ root: ROOT, configFile: path.join(ROOT, 'electron.vite.config.ts'), logLevel: 'warn' });
    userData = mkdtempSync(path.join(tmpdir(), 'bootdrop-bundle-'));
    fake.resetFakes();
    fake.app.userData = userData;
    fake.app.appPath = ROOT;
    mod._load = function (request, parent, isMain) {
      if (request === 'electron') return fake;
      return originalLoad.call(this, request, parent, isMain);
    };
  }, 300_000);

  afterAll(() => {
    mod._load = originalLoad;
    process.getuid = originalGetuid;
    rmSync(userData, { recursive: true, force: true });
  });

  it('refuses to start as root', () => {
    process.getuid = () => 0;
    const req = createRequire(__filename);
    const main = path.join(ROOT, 'out/main/index.js');
    delete req.cache[main];
    req(main);
    expect(fake.app.exitCode).toBe(1);
    expect(fake.BrowserWindow.created).toHaveLength(0);
    delete req.cache[main];
  });

  it('starts: one secure window on the built page with the built preload, a tray, IPC for every request', async () => {
    fake.resetFakes();
    process.getuid = () => 1000;
    const req = createRequire(__filename);
    req(path.join(ROOT, 'out/main/index.js'));
    await expect.poll(() => fake.BrowserWindow.created.length, { timeout: 20_000 }).toBe(1);
    const win = fake.BrowserWindow.created[0]!;
    const prefs = win.options.webPreferences as { preload: string; sandbox: boolean; contextIsolation: boolean };
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true });
    expect(prefs.preload).toBe(path.join(ROOT, 'out/preload/index.js'));
    expect(existsSync(prefs.preload)).toBe(true);
    expect(win.loaded.file).toBe(path.join(ROOT, 'out/renderer/index.html'));
    expect(existsSync(win.loaded.file!)).toBe(true);
    const tray = fake.Tray.created[0]!;
    expect(existsSync((tray.image as { path: string }).path)).toBe(true);
    expect(fake.ipcMain.handlers.size).toBe(REQUEST_NAMES.length + SHELL_REQUEST_NAMES.length);
    // Bootdrop's own application menu replaced Electron's default one.
    expect(fake.Menu.application?.template.map((m) => m.label)).toContain('&File');

    // A real engine answers through the real IPC handlers.
    const snapshot = (await fake.ipcMain.handlers.get('bootdrop:snapshot')!(
      { sender: win.webContents, senderFrame: { url: win.webContents.url } },
      undefined,
    )) as {
      ok: boolean;
      value: { version: number; state: { serving: boolean } };
    };
    expect(snapshot).toMatchObject({ ok: true, value: { version: 1, state: { serving: false } } });

    // Quitting disposes the engine and removes the handlers.
    const e = fake.fakeEvent();
    fake.app.emit('will-quit', e);
    expect(e.defaultPrevented).toBe(true);
    await expect.poll(() => fake.app.quitCalls, { timeout: 10_000 }).toBe(1);
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.Tray.created[0]!.destroyed).toBe(true);
  });
});
