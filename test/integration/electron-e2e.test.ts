/**
 * The desktop app for real: the electron-vite build launched by the real Electron binary through
 * Playwright's Electron support. The window shows, an ISO dropped on it is listed, serving is switched
 * on and off from the tray's menu, and quitting (while serving) ends every process with exit code 0.
 *
 * The app refuses to run as root and serves on a real interface, so it runs as an unprivileged user
 * (SUDO_UID, else nobody) inside a TestLan namespace whose ports below 1024 are open to everyone (that
 * namespace's own net.ipv4.ip_unprivileged_port_start), next to a "pc" namespace that checks the HTTP
 * port answers. test/helpers/electron-in-netns.mjs does the launching; its home and settings are a
 * temp folder. The display is a private Xvfb when there is one, else $DISPLAY.
 *
 * Where no Electron binary exists (ELECTRON_EXEC_PATH, or node_modules/electron/path.txt → dist/…,
 * the lookup scripts/ensure-electron.mjs does; this test never downloads it) the test is reported as
 * skipped, named after the reason, and says so on stderr: never a pass.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { build } from 'electron-vite';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { buildFixture, type BootFixture } from '../helpers/testiso';

const execFileP = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const WRAPPER = path.join(ROOT, 'test', 'helpers', 'electron-in-netns.mjs');
const NET = '10.213.71';
const IFACE = 'eth0';

/** The Electron executable, found as scripts/ensure-electron.mjs finds it (never downloaded here). */
function electronBinary(): string | null {
  const given = process.env.ELECTRON_EXEC_PATH;
  if (given) return given; // checked below: a wrong path fails the test instead of skipping it
  const dir = path.join(ROOT, 'node_modules', 'electron');
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const exe = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

const ELECTRON = electronBinary();
const XVFB = onPath('Xvfb');

function skipReason(): string | null {
  if (!ELECTRON) {
    return (
      'no Electron binary (set ELECTRON_EXEC_PATH to an Electron executable, or download it once with ' +
      '"node scripts/ensure-electron.mjs")'
    );
  }
  if (process.getuid?.() !== 0) return 'needs root for the network namespaces the app serves in';
  if (!XVFB && !process.env.DISPLAY) return 'no display for the window (install Xvfb, or set DISPLAY)';
  return null;
}

const SKIP = skipReason();
// Loud on purpose: a skipped end-to-end test must not read as a green run.
if (SKIP) process.stderr.write(`\n*** electron-e2e: skipped: ${SKIP} ***\n\n`);

/** A private X server on the first free display; `-ac`: only reachable through its socket in /tmp. */
async function startXvfb(xvfb: string): Promise<{ display: string; proc: ChildProcess }> {
  const proc = spawn(xvfb, ['-displayfd', '3', '-nolisten', 'tcp', '-ac', '-screen', '0', '1280x900x24'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  proc.stderr?.on('data', (c: Buffer) => (errors = (errors + c.toString()).slice(-4096)));
  const display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xvfb named no display within 20 s: ${errors}`)), 20_000);
    let out = '';
    (proc.stdio[3] as Readable).on('data', (c: Buffer) => {
      out += c.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve(`:${out.trim()}`);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${errors}`));
    });
  });
  return { display, proc };
}

/**
 * Run in the window's page. Strings, because this project's Node tests are type-checked without the
 * DOM library; each is a plain expression Playwright evaluates (awaiting a promise when it is one).
 */
const IN_PAGE = {
  /** The sandboxed preload's bridge is there, and nothing of Node. */
  globals: '[typeof window.bootdrop, typeof window.require]',
  addFileInput: `(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'e2e-file';
    input.hidden = true;
    document.body.append(input);
  })()`,
  /** Drop the input's (file-backed) File on the drop zone, as a drag from the file manager does. */
  dropTheFile: `(() => {
    const input = document.getElementById('e2e-file');
    const data = new DataTransfer();
    data.items.add(input.files[0]);
    input.remove();
    const zone = document.querySelector('[data-testid="drop-zone"]');
    zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: data }));
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data }));
  })()`,
  /** What the engine has, asked through the preload's bridge. */
  sourcePaths: 'window.bootdrop.snapshot().then((s) => s.sources.map((x) => x.path))',
};

/** The tray's checkbox item ("Serving on eth0"), as the tray menu shows it now. */
interface ServingItem {
  label: string;
  checked: boolean;
  enabled: boolean;
}

describe.skipIf(SKIP !== null)('desktop app end to end (real Electron)', () => {
  let lan: TestLan | null = null;
  let server: NetnsHost;
  let pc: NetnsHost;
  let fixture: BootFixture;
  let home = '';
  let launcherDir = '';
  let iso = '';
  let xvfb: ChildProcess | null = null;
  let app: ElectronApplication | null = null;
  let page: Page;
  let output = '';
  let uid = 65534;
  let gid = 65534;
  let userData = '';

  /** An HTTP request from the "pc" namespace to the app's port 80: the status, or the error code. */
  async function httpFromPc(): Promise<string> {
    const script =
      `fetch('http://${NET}.1/', { signal: AbortSignal.timeout(5000) })` +
      '.then((r) => console.log(r.status), (e) => console.log("ERR " + (e.cause?.code ?? e.name)))';
    const r = await pc.exec([process.execPath, '-e', script], true);
    return r.stdout.trim();
  }

  function servingItem(): Promise<ServingItem | null> {
    return app!.evaluate(() => {
      const g = globalThis as { bootdropE2eTrayMenu?: Electron.Menu | null; bootdropE2eServingMenu?: Electron.Menu };
      const menu = g.bootdropE2eTrayMenu ?? g.bootdropE2eServingMenu;
      const item = menu?.items.find((i) => i.type === 'checkbox');
      return item ? { label: item.label, checked: item.checked, enabled: item.enabled } : null;
    });
  }

  /** Clicks the tray menu's serving item, the way Electron does for a click on the tray icon's menu. */
  function clickServingItem(): Promise<void> {
    return app!.evaluate(() => {
      const g = globalThis as { bootdropE2eTrayMenu?: Electron.Menu | null; bootdropE2eServingMenu?: Electron.Menu };
      const menu = g.bootdropE2eTrayMenu ?? g.bootdropE2eServingMenu;
      const item = menu?.items.find((i) => i.type === 'checkbox');
      if (!item) throw new Error('the tray menu has no serving item');
      (item.click as () => void)();
    });
  }

  beforeAll(async () => {
    const electron = ELECTRON!;
    if (!existsSync(electron)) throw new Error(`ELECTRON_EXEC_PATH=${electron} does not exist`);
    await build({ root: ROOT, configFile: path.join(ROOT, 'electron.vite.config.ts'), logLevel: 'warn' });
    fixture = await buildFixture('live', 'e2e');

    // Who runs the window: the user who ran sudo, else nobody. It must reach the build and the binary.
    if (process.env.SUDO_UID && process.env.SUDO_GID && process.env.SUDO_UID !== '0') {
      uid = Number(process.env.SUDO_UID);
      gid = Number(process.env.SUDO_GID);
    }
    const needs: Array<[string, string]> = [
      ['-x', electron],
      ['-r', path.join(ROOT, 'out', 'main', 'index.js')],
      ['-r', path.join(ROOT, 'package.json')],
    ];
    for (const [test, f] of needs) {
      const as = [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', 'test', test, f];
      const ok = await execFileP('setpriv', as).then(
        () => true,
        () => false,
      );
      if (!ok) throw new Error(`user ${uid} cannot use ${f}: put the checkout and Electron where others may read`);
    }

    // Its home (and so its settings: XDG_CONFIG_HOME) and the ISO it gets, in a temp folder it owns.
    home = mkdtempSync(path.join(existsSync('/tmp') ? '/tmp' : tmpdir(), 'bootdrop-e2e-'));
    chmodSync(home, 0o755);
    iso = path.join(home, 'live-e2e.iso');
    copyFileSync(fixture.iso, iso);
    mkdirSync(path.join(home, '.config'));
    for (const p of [home, iso, path.join(home, '.config')]) chownSync(p, uid, gid);

    lan = await TestLan.create('e2e');
    server = await lan.addHost('app', `${NET}.1/24`);
    pc = await lan.addHost('pc', `${NET}.2/24`);
    // The README's remedy for EACCES, applied to the app's namespace only.
    await server.exec(['sysctl', '-q', '-w', 'net.ipv4.ip_unprivileged_port_start=0']);

    let display = process.env.DISPLAY ?? '';
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      LANG: 'C.UTF-8',
      BOOTDROP_E2E_ELECTRON: electron,
      BOOTDROP_E2E_NETNS: server.ns,
      BOOTDROP_E2E_UID: String(uid),
      BOOTDROP_E2E_GID: String(gid),
    };
    if (XVFB) {
      const x = await startXvfb(XVFB);
      xvfb = x.proc;
      display = x.display;
    } else {
      const auth = process.env.XAUTHORITY ?? path.join(process.env.HOME ?? '/root', '.Xauthority');
      if (existsSync(auth)) {
        copyFileSync(auth, path.join(home, '.Xauthority'));
        chownSync(path.join(home, '.Xauthority'), uid, gid);
        env.XAUTHORITY = path.join(home, '.Xauthority');
      }
    }
    env.DISPLAY = display;

    // Playwright runs this as "Electron"; the wrapper starts the real one in the namespace as `uid`.
    launcherDir = mkdtempSync(path.join(tmpdir(), 'bootdrop-e2e-launcher-'));
    const launcher = path.join(launcherDir, 'electron-in-netns');
    writeFileSync(launcher, `#!/bin/sh\nexec "${process.execPath}" "${WRAPPER}" "$@"\n`, { mode: 0o755 });
    // The project folder as the app: app.getAppPath() is then the checkout, as under `npm start`.
    app = await _electron.launch({ executablePath: launcher, args: [ROOT], env, timeout: 120_000 });
    const collect = (c: Buffer) => (output = (output + c.toString()).slice(-64 * 1024));
    app.process().stderr?.on('data', collect);
    app.process().stdout?.on('data', collect);
    // Remember the menu the tray is given (tray.ts sets a new one on each change of the tray model),
    // and, in case the native Tray cannot be watched, the last menu built with a serving checkbox.
    await app.evaluate(({ Menu, Tray }) => {
      const g = globalThis as { bootdropE2eTrayMenu?: Electron.Menu | null; bootdropE2eServingMenu?: Electron.Menu };
      const setContextMenu = Tray.prototype.setContextMenu;
      Tray.prototype.setContextMenu = function (this: Electron.Tray, menu: Electron.Menu | null): void {
        g.bootdropE2eTrayMenu = menu;
        setContextMenu.call(this, menu);
      };
      const buildFromTemplate = Menu.buildFromTemplate.bind(Menu);
      Menu.buildFromTemplate = (template) => {
        const menu = buildFromTemplate(template);
        if (menu.items.some((i) => i.type === 'checkbox')) g.bootdropE2eServingMenu = menu;
        return menu;
      };
    });
  }, 600_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    xvfb?.kill('SIGTERM');
    await lan?.destroy();
    for (const dir of [home, launcherDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows its window on the built page, run by the unprivileged user, its settings in the temp home', async () => {
    page = await app!.firstWindow();
    expect(await page.title()).toBe('Bootdrop');
    expect(page.url()).toBe(`file://${path.join(ROOT, 'out', 'renderer', 'index.html')}`);
    const win = await app!.browserWindow(page);
    await expect.poll(() => win.evaluate((w) => w.isVisible()), { timeout: 30_000 }).toBe(true);
    const main = await app!.evaluate(({ app: a }) => ({ uid: process.getuid?.(), userData: a.getPath('userData') }));
    expect(main.uid).toBe(uid);
    expect(main.userData.startsWith(path.join(home, '.config') + path.sep)).toBe(true);
    userData = main.userData;
    // The sandboxed preload's bridge, and nothing of Node, in the page.
    expect(await page.evaluate(IN_PAGE.globals)).toEqual(['object', 'undefined']);
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor({ timeout: 30_000 });
  });

  it('lists an ISO dropped on the window, by its path on disk', async () => {
    // A file-backed File (as a drag from the file manager gives) comes from a file input; it is then
    // dropped on the drop zone, whose handler asks the preload for its path (webUtils.getPathForFile).
    await page.evaluate(IN_PAGE.addFileInput);
    await page.setInputFiles('#e2e-file', iso);
    await page.evaluate(IN_PAGE.dropTheFile);
    await page.getByTestId('source-item').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('source-item').count()).toBe(1);
    const sources = await page.evaluate<string[]>(IN_PAGE.sourcePaths);
    expect(sources).toEqual([iso]);
  });

  it('switches serving on and off from the tray menu', async () => {
    await page.getByTestId('interface-select').selectOption(IFACE);
    const serving = (on: boolean) => ({ label: `Serving on ${IFACE}`, checked: on, enabled: true });
    await expect.poll(servingItem, { timeout: 30_000 }).toEqual(serving(false));
    expect(await httpFromPc()).toBe('ERR ECONNREFUSED');

    // A click flips the clicked item at once; what counts is the menu drawn from the engine's next
    // state, so wait for the window to show that state first (main redraws the tray before telling it).
    const toggle = page.getByTestId('serve-toggle');
    await clickServingItem();
    await expect.poll(() => toggle.getAttribute('aria-checked'), { timeout: 60_000 }).toBe('true');
    expect(await servingItem()).toEqual(serving(true));
    // Really serving: the HTTP server answers the PC's side of the link.
    expect(await httpFromPc()).toMatch(/^\d{3}$/);

    await clickServingItem();
    await expect.poll(() => toggle.getAttribute('aria-checked'), { timeout: 30_000 }).toBe('false');
    expect(await servingItem()).toEqual(serving(false));
    expect(await httpFromPc()).toBe('ERR ECONNREFUSED');

    // On again: the next test quits while serving.
    await clickServingItem();
    await expect.poll(() => toggle.getAttribute('aria-checked'), { timeout: 60_000 }).toBe('true');
  });

  it('quits cleanly while serving: exit code 0, settings saved, no process left in its namespace', async () => {
    const proc = app!.process();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
      else proc.once('exit', (code, signal) => resolve({ code, signal }));
    });
    await app!.close();
    app = null;
    expect(await exited, output).toEqual({ code: 0, signal: null });
    // Chromium's helpers (zygote, GPU, utility) notice on their own that the browser is gone.
    const left = async () => (await execFileP('ip', ['netns', 'pids', server.ns], { encoding: 'utf8' })).stdout.trim();
    await expect.poll(left, { timeout: 10_000 }).toBe('');
    expect(await httpFromPc()).toBe('ERR ECONNREFUSED');
    const settings = JSON.parse(readFileSync(path.join(userData, 'settings.json'), 'utf8')) as {
      sources: string[];
      interfaceName: string | null;
    };
    expect(settings).toMatchObject({ sources: [iso], interfaceName: IFACE });
  });
});

// The reason is the test's name, so the report itself says why nothing ran.
if (SKIP) {
  describe('desktop app end to end (real Electron): not run', () => {
    it.skip(`skipped: ${SKIP}`, () => undefined);
  });
}
