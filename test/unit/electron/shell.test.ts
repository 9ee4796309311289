import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientState, EngineSnapshot, MenuSettings, ServingState, SourceSummary } from '../../../main/contract';
import type { ValidationEnv } from '../../../main/contract/validate';
import { EVENT_CHANNEL, REQUEST_CHANNELS } from '../../../electron/channels';
import { DesktopShell } from '../../../electron/shell';
import { PortGrant } from '../../../electron/privileged-ports';
import { IDLE, StubApi } from '../webui/stub-api';
import { createEngineServices, defaultLoadersDir, Session } from '../../../main/session';
import * as F from '../boot/fixtures';
import {
  BrowserWindow,
  FakeWebContents,
  Menu,
  Notification,
  Tray,
  app,
  dialog,
  fakeEvent,
  ipcMain,
  powerSaveBlocker,
  resetFakes,
} from './fake-electron';
import { SHELL_CHANNELS } from '../../../electron/channels';

vi.mock('electron', () => import('./fake-electron'));

/** The stub engine with just enough state for the shell: sources, interface, mode. */
class Engine extends StubApi {
  state: ServingState = { ...IDLE };
  sources: SourceSummary[] = [];
  disposed = false;
  override async snapshot(): Promise<EngineSnapshot> {
    const snap = await super.snapshot();
    return { ...snap, state: this.state, sources: this.sources };
  }
  override async addSource(req: { path: string }) {
    const s = await super.addSource(req);
    this.sources.push(s);
    this.emit({ type: 'sources', sources: this.sources });
    return s;
  }
  override async setInterface(req: { name: string }) {
    await super.setInterface(req);
    this.setState({ interfaceName: req.name });
  }
  override async setMenu(req: { menu: MenuSettings }) {
    const menu = await super.setMenu(req);
    this.emit({ type: 'menu', menu });
    return menu;
  }
  override async setMode(req: { mode: 'proxy' | 'dhcp' | 'auto' }) {
    await super.setMode(req);
    this.setState({ mode: req.mode });
  }
  override async start(): Promise<ServingState> {
    await super.start();
    this.setState({ serving: true, interfaceName: this.state.interfaceName ?? 'eth0', address: '10.0.0.1' });
    return this.state;
  }
  override async stop(): Promise<ServingState> {
    await super.stop();
    this.setState({ serving: false, address: null });
    return this.state;
  }
  /** What firewalld answers when asked again (recheckFirewall). */
  firewallNow: ServingState['firewallBlocked'] = null;
  override async recheckFirewall(): Promise<ServingState> {
    await super.recheckFirewall();
    if (this.state.serving) this.setState({ firewallBlocked: this.firewallNow });
    return this.state;
  }
  setState(patch: Partial<ServingState>): void {
    this.state = { ...this.state, ...patch };
    this.emit({ type: 'state', state: this.state });
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

const env: ValidationEnv = {
  statPath: async (p) => (p.endsWith('.iso') && !p.includes('gone') ? 'file' : null),
  interfaceNames: async () => ['eth0', 'eth1'],
};

function client(mac: string): ClientState {
  return {
    mac,
    ip: '10.0.0.9',
    firmware: 'bios',
    arch: 0,
    entryId: null,
    stage: 'dhcp',
    transfers: [],
    firstSeen: 0,
    lastSeen: 0,
  };
}

describe('DesktopShell', () => {
  let dir: string;
  let engine: Engine;
  let shell: DesktopShell;
  const fixes: string[] = [];

  async function startShell(
    platform: NodeJS.Platform = 'linux',
    api: ConstructorParameters<typeof DesktopShell>[0]['engine'] = engine,
    opts: {
      trayHost?: boolean;
      waitForRestore?: boolean;
      remembered?: { on: boolean };
      forgetPorts?: () => Promise<{ ok: boolean; message: string }>;
      portGrant?: ConstructorParameters<typeof DesktopShell>[0]['portGrant'];
    } = {},
  ): Promise<BrowserWindow> {
    shell = new DesktopShell({
      engine: api,
      env,
      platform,
      hasTrayHost: async () => opts.trayHost ?? true,
      ...(opts.remembered ? { portsRemembered: () => opts.remembered!.on } : {}),
      ...(opts.forgetPorts ? { forgetPorts: opts.forgetPorts } : {}),
      fixPorts: async () => {
        fixes.push('pkexec');
        return { ok: true, message: 'fixed' };
      },
      ...(opts.portGrant
        ? { portGrant: opts.portGrant }
        : {
            openFirewall: async (iface: string) => {
              fixes.push(`pkexec bootdrop-ports hold --firewall ${iface}`);
              return { ok: true, message: `opened on ${iface}'s zone` };
            },
          }),
      paths: {
        preload: '/app/out/preload/index.js',
        entry: { kind: 'file', indexHtml: '/app/out/renderer/index.html' },
        trayIconDir: '/app/build/tray',
        userData: dir,
      },
    });
    await shell.start();
    if (opts.waitForRestore ?? true) await shell.restored;
    await flush(); // the tray-host answer
    return BrowserWindow.created.at(-1)!;
  }

  function tray(): Tray {
    return Tray.created.at(-1)!;
  }
  function trayItem(label: RegExp): Record<string, unknown> {
    const item = tray().menu!.template.find((i) => typeof i.label === 'string' && label.test(i.label));
    if (!item) throw new Error(`no tray item ${label}`);
    return item;
  }
  async function ipc(
    win: BrowserWindow,
    channel: string,
    payload?: unknown,
    sender: FakeWebContents = win.webContents,
  ): Promise<unknown> {
    return ipcMain.handlers.get(channel)!({ sender, senderFrame: { url: sender.url } }, payload);
  }
  const flush = () => new Promise((r) => setImmediate(r));

  beforeEach(() => {
    resetFakes();
    fixes.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'bootdrop-shell-'));
    engine = new Engine();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a locked-down window on our own page', async () => {
    const win = await startShell();
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      preload: '/app/out/preload/index.js',
    });
    expect(win.loaded).toEqual({ file: '/app/out/renderer/index.html' });
    expect(win.webContents.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const nav = fakeEvent();
    win.webContents.emit('will-navigate', nav, 'https://example.com');
    expect(nav.defaultPrevented).toBe(true);

    const session = win.webContents.session;
    let granted: boolean | null = null;
    session.permissionRequest!(win.webContents, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    expect(session.permissionCheck!()).toBe(false);
    let headers: Record<string, string[]> = {};
    session.headersReceived!(
      { responseHeaders: { 'X-A': ['1'] } },
      (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders),
    );
    expect(headers['X-A']).toEqual(['1']);
    expect(headers['Content-Security-Policy']![0]).toContain("default-src 'self'");
    const verdicts: boolean[] = [];
    for (const url of ['https://cdn.example.com/x.js', 'file:///app/out/renderer/assets/a.js', 'file:///etc/passwd'])
      session.beforeRequest!({ url }, (r: { cancel: boolean }) => verdicts.push(r.cancel));
    expect(verdicts).toEqual([true, false, true]);

    // Any other webContents the app creates gets the same navigation guards.
    const other = new FakeWebContents();
    app.emit('web-contents-created', fakeEvent(), other);
    const nav2 = fakeEvent();
    other.emit('will-navigate', nav2, 'https://example.com');
    expect(nav2.defaultPrevented).toBe(true);
    expect(other.windowOpenHandler!({ url: 'x' })).toEqual({ action: 'deny' });
  });

  it('hides to the tray when closed while serving, and really closes when idle or quitting', async () => {
    const win = await startShell();
    win.visible = true;
    engine.setState({ serving: true, interfaceName: 'eth0' });
    expect(win.close()).toBe(false);
    expect(win.visible).toBe(false);
    expect(win.destroyed).toBe(false);
    expect(Notification.shown.map((n) => n.options.title)).toEqual(['Bootdrop is still serving']);
    win.show();
    expect(win.close()).toBe(false);
    expect(Notification.shown).toHaveLength(1); // told once per run

    app.emit('before-quit');
    expect(win.close()).toBe(true);
  });

  it('closing the window while idle closes it and quits the app', async () => {
    const win = await startShell();
    expect(win.close()).toBe(true);
    expect(win.destroyed).toBe(true);
    app.emit('window-all-closed');
    expect(app.quitCalls).toBe(1);
  });

  // The tray against the real engine (Session + its real services) serving a real folder on
  // loopback, on unprivileged ports: what the tray shows comes from the engine's own events.
  it('tray follows the real engine: icon, toggle, served sources and a real transfer', async () => {
    const folder = await F.writeTree(F.ARCH_TREE);
    const base = 20000 + Math.floor(Math.random() * 20000);
    const session = new Session(
      {
        loadersDir: defaultLoadersDir(),
        httpPort: 0,
        tftpPort: base,
        dhcpPorts: { dhcp: base + 1, proxy: base + 2, client: base + 3 },
        mode: 'proxy',
        linkCheckMs: 0,
      },
      createEngineServices(),
    );
    try {
      await startShell('linux', session);
      const images: unknown[] = [];
      const t = tray();
      t.setImage = (img: unknown) => {
        images.push(img);
        t.image = img;
      };
      expect(tray().image).toEqual({ path: '/app/build/tray/idle.png' });
      expect(trayItem(/^Serving/)).toMatchObject({ enabled: false, checked: false });

      await session.setInterface({ name: 'lo' });
      const src = await session.addSource({ path: folder });
      await flush();
      expect(trayItem(/^Serving on lo$/)).toMatchObject({ type: 'checkbox', enabled: true, checked: false });
      const name = (src.osName || src.label).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(trayItem(new RegExp(name))).toMatchObject({ enabled: false });

      (trayItem(/^Serving on lo$/).click as (mi: { checked: boolean }) => void)({ checked: true });
      await vi.waitFor(async () => expect((await session.snapshot()).state.serving).toBe(true), { timeout: 10_000 });
      await flush();
      expect(tray().image).toEqual({ path: '/app/build/tray/serving.png' });
      expect(trayItem(/^Serving on lo$/)).toMatchObject({ checked: true });

      // A real HTTP download from the engine: the tray shows the transfer, then goes back.
      const { httpUrl } = (await session.snapshot()).state;
      const res = await fetch(new URL('boot.ipxe', httpUrl!));
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      await vi.waitFor(() => expect(tray().image).toEqual({ path: '/app/build/tray/serving.png' }), { timeout: 5000 });
      expect(images).toContainEqual({ path: '/app/build/tray/transferring.png' });

      (trayItem(/^Serving on lo$/).click as (mi: { checked: boolean }) => void)({ checked: false });
      await vi.waitFor(async () => expect((await session.snapshot()).state.serving).toBe(false), {
        timeout: 10_000,
      });
      await flush();
      expect(tray().image).toEqual({ path: '/app/build/tray/idle.png' });
    } finally {
      await session.dispose();
      F.cleanupTrees();
    }
  });

  it('tray "Show window" brings the hidden window back; "Quit" quits', async () => {
    const win = await startShell();
    win.visible = false;
    win.minimized = true;
    (trayItem(/^Show window$/).click as () => void)();
    expect(win).toMatchObject({ visible: true, minimized: false, focused: true });
    (trayItem(/^Quit/).click as () => void)();
    expect(app.quitCalls).toBe(1);
  });

  it('notifies once when a new PC starts booting', async () => {
    await startShell();
    engine.emit({ type: 'client', client: client('aa:aa:aa:aa:aa:aa') });
    engine.emit({ type: 'client', client: { ...client('aa:aa:aa:aa:aa:aa'), stage: 'kernel' } });
    engine.emit({ type: 'client', client: client('bb:bb:bb:bb:bb:bb') });
    expect(trayItem(/PCs seen/).label).toBe('2 PCs seen since Bootdrop started');
    expect(Notification.shown.map((n) => n.options.body)).toEqual([
      'aa:aa:aa:aa:aa:aa at 10.0.0.9 (BIOS) asked Bootdrop for a boot file.',
      'bb:bb:bb:bb:bb:bb at 10.0.0.9 (BIOS) asked Bootdrop for a boot file.',
    ]);
  });

  it('forwards engine events to the window and answers its IPC, refusing strangers', async () => {
    const win = await startShell();
    engine.emit({ type: 'menu', menu: { timeoutSec: 1, defaultEntryId: null, append: '', overrides: {} } });
    expect(win.webContents.sent.at(-1)).toEqual({
      channel: EVENT_CHANNEL,
      args: [{ type: 'menu', menu: { timeoutSec: 1, defaultEntryId: null, append: '', overrides: {} } }],
    });
    expect(await ipc(win, REQUEST_CHANNELS.snapshot)).toMatchObject({ ok: true, value: { state: IDLE } });
    const stranger = new FakeWebContents();
    stranger.url = win.webContents.url;
    expect(await ipc(win, REQUEST_CHANNELS.start, undefined, stranger)).toMatchObject({
      ok: false,
      error: { code: 'EPERM' },
    });
    expect(engine.calls.map((c) => c.name)).not.toContain('start');
  });

  it('restores saved ISOs, mode and interface; drops what is gone and says so', async () => {
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        version: 1,
        sources: ['/isos/arch.iso', '/isos/gone.iso'],
        interfaceName: 'eth1',
        mode: 'proxy',
        menu: null,
      }),
    );
    const win = await startShell();
    expect(engine.calls.filter((c) => c.name !== 'snapshot')).toEqual([
      { name: 'setMode', req: { mode: 'proxy' } },
      { name: 'setInterface', req: { name: 'eth1' } },
      { name: 'addSource', req: { path: '/isos/arch.iso' } },
    ]);
    expect(engine.calls.map((c) => c.name)).not.toContain('start'); // never starts serving by itself
    await ipc(win, REQUEST_CHANNELS.snapshot);
    await flush();
    const logs = win.webContents.sent
      .filter((s) => (s.args[0] as { type: string }).type === 'log')
      .map((s) => (s.args[0] as { entry: { message: string } }).entry.message);
    expect(logs).toEqual([
      expect.stringContaining(
        'Could not restore the ISO /isos/gone.iso: addSource.path: "/isos/gone.iso" does not exist',
      ),
    ]);
    await vi.waitFor(() =>
      expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({
        version: 1,
        sources: ['/isos/arch.iso'],
        interfaceName: 'eth1',
        mode: 'proxy',
        menu: null,
      }),
    );
  });

  it('sets a broken settings file aside, tells the window, and keeps running', async () => {
    writeFileSync(join(dir, 'settings.json'), '{"version": 1, "sources": [');
    const win = await startShell();
    expect(readdirSync(dir).some((f) => /^settings\.broken-.*\.json$/.test(f))).toBe(true);
    await ipc(win, REQUEST_CHANNELS.snapshot);
    await flush();
    const log = win.webContents.sent
      .map((s) => s.args[0] as { type: string; entry?: { level: string; message: string } })
      .find((e) => e.type === 'log');
    expect(log?.entry).toMatchObject({ level: 'warn', message: expect.stringContaining('is broken') });
  });

  it('remembers changes the user makes', async () => {
    const win = await startShell();
    await ipc(win, REQUEST_CHANNELS.addSource, { path: '/isos/arch.iso' });
    await ipc(win, REQUEST_CHANNELS.setInterface, { name: 'eth0' });
    await ipc(win, REQUEST_CHANNELS.setMode, { mode: 'dhcp' });
    engine.emit({ type: 'menu', menu: { timeoutSec: 2, defaultEntryId: null, append: 'quiet', overrides: {} } });
    await flush();
    await vi.waitFor(() => {
      expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({
        version: 1,
        sources: ['/isos/arch.iso'],
        interfaceName: 'eth0',
        mode: 'dhcp',
        menu: { timeoutSec: 2, defaultEntryId: null, append: 'quiet', overrides: {}, biosMenu: 'bootdrop' },
      });
    });
  });

  it("keeps the BIOS PCs' menu choice (the ISO's own PXELINUX menu) across a restart", async () => {
    const win = await startShell();
    await ipc(win, REQUEST_CHANNELS.addSource, { path: '/isos/arch.iso' });
    const chosen = { timeoutSec: 5, defaultEntryId: null, append: '', overrides: {}, biosMenu: 'iso' };
    expect(await ipc(win, REQUEST_CHANNELS.setMenu, { menu: chosen })).toEqual({ ok: true, value: chosen });
    // A renderer cannot slip in anything else.
    expect(await ipc(win, REQUEST_CHANNELS.setMenu, { menu: { ...chosen, biosMenu: 'pxe' } })).toMatchObject({
      ok: false,
      error: {
        code: 'EINVAL',
        message: expect.stringMatching(/^setMenu\.menu\.biosMenu: expected one of bootdrop, iso/) as unknown,
      },
    });
    await vi.waitFor(() => expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).menu).toEqual(chosen));
    await shell.dispose();

    // The next run: a fresh engine is given the ISO back, then the choice.
    resetFakes();
    engine = new Engine();
    await startShell();
    expect(engine.calls.filter((c) => c.name !== 'snapshot')).toEqual([
      { name: 'setMode', req: { mode: 'auto' } },
      { name: 'addSource', req: { path: '/isos/arch.iso' } },
      { name: 'setMenu', req: { menu: chosen } },
    ]);
    await flush();
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).menu).toEqual(chosen);
  });

  it('offers the one-click port fix on EACCES (Linux), then starts again', async () => {
    await startShell('linux');
    engine.setState({
      interfaceName: 'eth0',
      error: { code: 'EACCES', message: 'not permitted to bind UDP port 67', remedy: 'sysctl' },
    });
    await vi.waitFor(() => expect(engine.calls.map((c) => c.name)).toContain('start'));
    expect(dialog.shown).toHaveLength(1);
    expect(fixes).toEqual(['pkexec']);
    // The same failure again does not nag twice.
    engine.setState({ serving: false, error: { code: 'EACCES', message: 'again', remedy: 'x' } });
    await flush();
    expect(dialog.shown).toHaveLength(1);
  });

  it('does not offer the fix on other systems or when declined', async () => {
    await startShell('darwin');
    engine.setState({ error: { code: 'EACCES', message: 'x', remedy: 'y' } });
    await flush();
    expect(dialog.shown).toHaveLength(0);

    resetFakes();
    dialog.answer = 1;
    await startShell('linux');
    engine.setState({ error: { code: 'EACCES', message: 'x', remedy: 'y' } });
    await vi.waitFor(() => expect(dialog.shown).toHaveLength(1));
    await flush();
    expect(fixes).toEqual([]);
  });

  const BLOCKED = {
    iface: 'eth0',
    zone: 'FedoraWorkstation',
    ports: ['67/udp', '69/udp', '4011/udp'],
    command: 'sudo firewall-cmd --zone=FedoraWorkstation --add-port=67/udp --add-port=69/udp --add-port=4011/udp',
  };
  const appLog = (win: BrowserWindow) =>
    win.webContents.sent.map((m) => (m.args[0] as { entry?: { message: string } }).entry?.message);

  it('offers once per serving session to open firewalld when it blocks the boot ports, and says what it did', async () => {
    const win = await startShell('linux');
    await ipc(win, REQUEST_CHANNELS.snapshot);
    await engine.start();
    await flush();
    expect(dialog.shown).toHaveLength(0); // the firewalld check has not answered yet
    engine.setState({ firewallBlocked: BLOCKED });
    await vi.waitFor(() => expect(fixes).toEqual(['pkexec bootdrop-ports hold --firewall eth0']));
    expect(dialog.shown).toHaveLength(1);
    const shown = dialog.shown[0] as { message: string; detail: string; buttons: string[] };
    expect(shown.message).toBe(
      'firewalld blocks 67/udp, 69/udp, 4011/udp on eth0 (zone FedoraWorkstation): PCs will not reach Bootdrop. ' +
        "Open exactly 67, 69, 4011/udp and 80/tcp on eth0's zone while Bootdrop serves?",
    );
    expect(shown.detail).toContain(BLOCKED.command);
    expect(shown.buttons[0]).toBe('Open the boot ports');
    await vi.waitFor(() => expect(appLog(win)).toContain("opened on eth0's zone"));
    // Further state changes in the same serving session do not ask again.
    engine.setState({ mode: 'dhcp' });
    await flush();
    expect(dialog.shown).toHaveLength(1);
    // A new serving session with the same finding asks again; "Not now" leaves firewalld alone and says so.
    await engine.stop();
    dialog.answer = 1;
    engine.setState({ serving: true, firewallBlocked: BLOCKED });
    await vi.waitFor(() => expect(dialog.shown).toHaveLength(2));
    await vi.waitFor(() =>
      expect(appLog(win)).toContain(
        `firewalld left as it is: PCs will not reach Bootdrop until you run ${BLOCKED.command} in a terminal, ` +
          'then press Check again in the firewalld note',
      ),
    );
    expect(fixes).toHaveLength(1);
  });

  it('asks the engine about firewalld again once the ports are open, and when the helper lets them go', async () => {
    // The real PortGrant, with the helper's hold played by a process that says "held" and then waits.
    const holds: ChildProcess[] = [];
    const win = await startShell('linux', engine, {
      portGrant: ({ onHoldEnded }) =>
        new PortGrant({
          platform: 'linux',
          helper: '/opt/x/bootdrop-ports',
          onHoldEnded,
          spawnHold: (helper, args) => {
            fixes.push([helper, ...args].join(' '));
            const child = spawn('sh', ['-c', 'echo held; cat >/dev/null']);
            holds.push(child);
            return child;
          },
        }),
    });
    await ipc(win, REQUEST_CHANNELS.snapshot);
    await engine.start();
    const rechecks = () => engine.calls.filter((c) => c.name === 'recheckFirewall').length;
    engine.setState({ firewallBlocked: BLOCKED });
    await vi.waitFor(() => expect(rechecks()).toBe(1));
    expect(fixes).toEqual(['/opt/x/bootdrop-ports hold --firewall eth0']);
    expect(engine.state.firewallBlocked).toBeNull(); // the window's note goes
    expect(appLog(win)).toContainEqual(expect.stringMatching(/^Opened 67, 69, 4011\/udp and 80\/tcp in firewalld/));

    // The hold ends by itself (pkexec or the helper died): firewalld closes the ports, the engine hears of it.
    engine.firewallNow = BLOCKED;
    holds[0]!.kill();
    await vi.waitFor(() => expect(rechecks()).toBe(2));
    expect(engine.state.firewallBlocked).toEqual(BLOCKED);
    expect(appLog(win)).toContain(
      "Bootdrop's port helper ended while serving: the boot ports it allowed or opened are closed again.",
    );
    expect(dialog.shown).toHaveLength(1); // not asked twice in one serving session
  });

  it('does not offer to open firewalld off Linux, or when nothing is blocked', async () => {
    await startShell('linux');
    await engine.start();
    engine.setState({ firewallBlocked: null });
    await flush();
    expect(dialog.shown).toHaveLength(0);
    resetFakes();
    engine = new Engine();
    await startShell('darwin');
    engine.setState({ serving: true, firewallBlocked: BLOCKED });
    await flush();
    expect(dialog.shown).toHaveLength(0);
    expect(fixes).toEqual([]);
  });

  it('opens the window before the saved ISOs are restored, and restores them in the background', async () => {
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({
        version: 1,
        sources: ['/isos/a.iso', '/isos/b.iso'],
        interfaceName: 'eth1',
        mode: 'auto',
        menu: null,
      }),
    );
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = new (class extends Engine {
      override async addSource(req: { path: string }) {
        await gate; // a big ISO being read
        return super.addSource(req);
      }
    })();
    const win = await startShell('linux', slow, { waitForRestore: false });
    expect(win.loaded).toEqual({ file: '/app/out/renderer/index.html' });
    expect(tray().image).toEqual({ path: '/app/build/tray/idle.png' });
    expect(slow.sources).toEqual([]);
    // The user picks another interface while the ISOs are still being read: that choice stands.
    await vi.waitFor(() => expect(slow.state.interfaceName).toBe('eth1'));
    expect(await ipc(win, REQUEST_CHANNELS.setInterface, { name: 'eth0' })).toEqual({ ok: true, value: undefined });
    release();
    await shell.restored;
    expect(slow.sources.map((s) => s.path)).toEqual(['/isos/a.iso', '/isos/b.iso']);
    expect(slow.state.interfaceName).toBe('eth0');
    await vi.waitFor(() =>
      expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({
        sources: ['/isos/a.iso', '/isos/b.iso'],
        interfaceName: 'eth0',
      }),
    );
    // The window heard about them as they came in.
    expect(win.webContents.sent.filter((m) => (m.args[0] as { type: string }).type === 'sources')).toHaveLength(2);
  });

  it("replaces Electron's default menu with Bootdrop's own (no DevTools, no electronjs.org)", async () => {
    await startShell('linux');
    const template = Menu.application!.template;
    expect(template.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Window', '&Help']);
    const all = JSON.stringify(template, (_k, v: unknown) => (typeof v === 'function' ? 'fn' : v));
    expect(all).not.toMatch(/toggleDevTools|forceReload|electronjs|Learn More/i);
    resetFakes();
    await startShell('darwin');
    expect(Menu.application!.template.map((m) => m.label)).toEqual([
      'Bootdrop',
      '&File',
      '&Edit',
      '&View',
      '&Window',
      '&Help',
    ]);
  });

  it('File > Open ISO… uses the system dialog (ISO filter, several files) and adds what was chosen', async () => {
    const win = await startShell();
    const file = (Menu.application!.template[0]!.submenu as Array<Record<string, unknown>>).find(
      (i) => i.label === 'Open ISO…',
    )!;
    dialog.openAnswer = ['/isos/arch.iso', '/isos/gone.iso'];
    (file.click as () => void)();
    await vi.waitFor(() => expect(engine.sources.map((s) => s.path)).toEqual(['/isos/arch.iso']));
    const { parent, options } = dialog.opened[0]!;
    expect(parent).toBe(win);
    expect(options).toMatchObject({
      properties: ['openFile', 'multiSelections'],
      filters: [{ extensions: ['iso', 'ISO'] }, { extensions: ['*'] }],
    });
    await ipc(win, REQUEST_CHANNELS.snapshot);
    await vi.waitFor(() =>
      expect(win.webContents.sent.map((m) => (m.args[0] as { entry?: { message: string } }).entry?.message)).toContain(
        'Could not add /isos/gone.iso: addSource.path: "/isos/gone.iso" does not exist',
      ),
    );
  });

  it('File offers to stop allowing the boot ports only while a remembered grant is in place, and undoes it', async () => {
    const remembered = { on: true };
    const forgotten: string[] = [];
    const win = await startShell('linux', engine, {
      remembered,
      forgetPorts: async () => {
        forgotten.push('pkexec bootdrop-ports forget');
        remembered.on = false;
        return { ok: true, message: 'The remembered port setting is gone' };
      },
    });
    const fileMenu = () => Menu.application!.template[0]!.submenu as Array<Record<string, unknown>>;
    const undo = fileMenu().find((i) => i.label === 'Stop Allowing the Boot Ports…');
    expect(undo).toBeDefined();
    (undo!.click as () => void)();
    await vi.waitFor(() => expect(forgotten).toEqual(['pkexec bootdrop-ports forget']));
    await vi.waitFor(() => expect(fileMenu().map((i) => i.label)).not.toContain('Stop Allowing the Boot Ports…'));
    await ipc(win, REQUEST_CHANNELS.snapshot);
    await vi.waitFor(() =>
      expect(win.webContents.sent.map((m) => (m.args[0] as { entry?: { message: string } }).entry?.message)).toContain(
        'The remembered port setting is gone',
      ),
    );
  });

  it("answers the renderer's open-dialog request with the chosen paths, or none when cancelled", async () => {
    const win = await startShell();
    dialog.openAnswer = ['/isos/folder'];
    expect(await ipc(win, SHELL_CHANNELS.openDialog, { kind: 'folder' })).toEqual({
      ok: true,
      value: { paths: ['/isos/folder'] },
    });
    expect(dialog.opened[0]!.options).toMatchObject({ properties: ['openDirectory'] });
    dialog.openAnswer = null;
    expect(await ipc(win, SHELL_CHANNELS.openDialog, { kind: 'isos' })).toEqual({ ok: true, value: { paths: [] } });
    expect(engine.calls.map((c) => c.name)).not.toContain('addSource'); // the renderer adds them
  });

  it('keeps the computer from suspending exactly while serving', async () => {
    await startShell();
    expect(powerSaveBlocker.active.size).toBe(0);
    await engine.start();
    expect([...powerSaveBlocker.active.values()]).toEqual(['prevent-app-suspension']);
    expect(shell.keepingAwake).toBe(true);
    engine.setState({ address: '10.0.0.2' }); // still serving: one blocker, not two
    expect(powerSaveBlocker.active.size).toBe(1);
    await engine.stop();
    expect(powerSaveBlocker.active.size).toBe(0);
    await engine.start();
    await shell.dispose();
    expect(powerSaveBlocker.active.size).toBe(0);
  });

  it('without a tray (stock GNOME) closing while serving minimises instead of hiding', async () => {
    const win = await startShell('linux', engine, { trayHost: false });
    win.visible = true;
    engine.setState({ serving: true, interfaceName: 'eth0' });
    expect(win.close()).toBe(false);
    expect(win).toMatchObject({ visible: true, minimized: true, destroyed: false });
    expect(Notification.shown.map((n) => n.options.body)).toEqual([expect.stringContaining('minimised')]);
    // Clicking the notification still works later: the shell kept it, with its handler.
    win.minimized = true;
    Notification.shown[0]!.emit('click');
    expect(win).toMatchObject({ visible: true, minimized: false, focused: true });
  });

  it('macOS: the tray uses template images the menu bar can tint', async () => {
    await startShell('darwin');
    expect(tray().image).toEqual({ path: '/app/build/tray/idleTemplate.png', template: true });
  });

  it('stops the engine before quitting', async () => {
    await startShell();
    const e = fakeEvent();
    app.emit('will-quit', e);
    expect(e.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(app.quitCalls).toBe(1));
    expect(engine.disposed).toBe(true);
    expect(tray().destroyed).toBe(true);
    expect(ipcMain.handlers.size).toBe(0);
    const again = fakeEvent();
    app.emit('will-quit', again);
    expect(again.defaultPrevented).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });
});
