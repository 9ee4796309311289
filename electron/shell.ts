/**
 * The desktop shell: wires one engine (a Session) to the window, the tray, IPC, notifications and the
 * settings file. Decisions live in small pure modules (engine-view, tray-model, settings, security);
 * this file only connects them to Electron.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerSaveBlocker,
  Tray,
  type BrowserWindow as BrowserWindowType,
} from 'electron';
import type { BootdropApi, EngineEvent, LogLevel, MenuSettings, ServingState } from '../main/contract';
import type { OpenDialogKind, OpenDialogRequest, OpenDialogResult } from '../main/contract/shell';
import { dispatchRequest, type ValidationEnv } from '../main/contract/validate';
import { appMenuTemplate, type AppMenuAction } from './app-menu';
import { bootNotice } from './boot-notice';
import type { FixPortsResult } from './channels';
import { applyEvent, viewFromSnapshot, type EngineView } from './engine-view';
import { IpcBridge, TrustedSenders } from './ipc';
import { KeepAwake } from './keep-awake';
import { Notifier } from './notifier';
import { openDialogOptions } from './open-dialog';
import { canFixPorts, fixPrivilegedPorts, PortGrant, portsRemembered, type PortGrantOptions } from './privileged-ports';
import { guardAllWebContents, hardenSession, isAppUrl, type AppEntry } from './security';
import { DEFAULT_SETTINGS, SettingsStore, type ShellSettings } from './settings';
import { StatusTray } from './tray';
import { hasTrayHost } from './tray-host';
import { trayModel, type TrayAction } from './tray-model';
import { attachCloseToTray, createMainWindow, revealWindow } from './window';
import { errorMessage } from '../main/errors';

/** The engine as the shell needs it: the contract, plus shutdown (Session has both). */
type Engine = BootdropApi & { dispose(): Promise<void> };

interface ShellPaths {
  preload: string;
  entry: AppEntry;
  trayIconDir: string;
  appIcon?: string;
  userData: string;
}

export interface ShellOptions {
  engine: Engine;
  paths: ShellPaths;
  env: ValidationEnv;
  platform?: NodeJS.Platform;
  /** Tests stand in for the privileged helper; `remember` is the dialog's checkbox. */
  fixPorts?: (o: { remember: boolean; iface: string | null }) => Promise<FixPortsResult>;
  /** Tests stand in for the helper's `forget` and for the remembered-setting file. */
  forgetPorts?: () => Promise<FixPortsResult>;
  portsRemembered?: () => boolean;
  /** Tests stand in for the helper's `hold --firewall IF` (firewalld blocks the boot ports). */
  openFirewall?: (iface: string, command: string) => Promise<FixPortsResult>;
  /** Tests play the helper with a real PortGrant (its spawnHold); default: the installed helper via pkexec. */
  portGrant?: (o: Required<Pick<PortGrantOptions, 'onHoldEnded'>>) => PortGrant;
  /** Whether a tray icon can show at all (default: asks the desktop, see tray-host.ts). */
  hasTrayHost?: () => Promise<boolean>;
}

export class DesktopShell {
  readonly settings: SettingsStore;
  private view: EngineView | null = null;
  private win: BrowserWindowType | null = null;
  private tray: StatusTray | null = null;
  /** Until the desktop has answered, assume no tray on Linux: minimising is always safe. */
  private trayHost: boolean;
  private ipc: IpcBridge | null = null;
  private readonly keepAwake = new KeepAwake(powerSaveBlocker);
  private readonly notifier: Notifier;
  private saved: ShellSettings = structuredClone(DEFAULT_SETTINGS);
  /** Settings are written only once the saved ones have been restored into the engine. */
  private restoring = true;
  private quitting = false;
  private disposed = false;
  private portFixOffered = false;
  /** Asked once per serving session whether to open firewalld (ServingState.firewallBlocked). */
  private firewallOffered = false;
  /** The boot ports held for this serving session (Linux), see privileged-ports.ts. */
  private ports: PortGrant | null = null;
  private portsReleaseTimer: NodeJS.Timeout | null = null;
  private toldAboutTray = false;
  /** Shell notices from before the renderer listened; replayed after its first snapshot. */
  private notices: EngineEvent[] = [];
  private rendererListening = false;
  /** Settles once the saved ISOs and choices are back in the engine (start() does not wait for it). */
  restored: Promise<void> = Promise.resolve();
  private readonly platform: NodeJS.Platform;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: ShellOptions) {
    this.platform = opts.platform ?? process.platform;
    this.trayHost = this.platform !== 'linux';
    this.settings = new SettingsStore(opts.paths.userData);
    this.notifier = new Notifier({ Notification, icon: opts.paths.appIcon, onClick: () => this.showWindow() });
    this.unsubscribe = opts.engine.onEvent((event) => this.onEngineEvent(event));
  }

  /** After app 'ready'. Opens the window first; the saved ISOs are restored in the background (`restored`). */
  async start(): Promise<void> {
    guardAllWebContents(app);
    const { paths, engine } = this.opts;
    const trusted = new TrustedSenders((url) => isAppUrl(url, paths.entry));
    this.ipc = new IpcBridge({
      ipcMain,
      api: this.rendererApi(),
      env: this.opts.env,
      trusted,
      shell: {
        fixPrivilegedPorts: () => this.fixPorts({ remember: false }),
        openDialog: (req) => this.openDialog(req),
      },
      warn: (message) => this.notice('warn', message),
    });
    this.setAppMenu();
    this.view = viewFromSnapshot(await engine.snapshot());
    this.keepAwake.follow(this.view.state.serving);
    this.tray = new StatusTray({
      Tray,
      Menu,
      nativeImage,
      iconDir: paths.trayIconDir,
      template: this.platform === 'darwin',
      onAction: (a, checked) => this.onTrayAction(a, checked),
    });
    this.redrawTray();
    this.openWindow();
    // Reading several ISOs can take seconds: the window is up meanwhile and fills in as they arrive.
    this.restored = this.restoreSettings().catch((err: unknown) => {
      this.restoring = false;
      this.notice('error', `Could not restore the saved settings: ${errorMessage(err)}`);
    });
    void (this.opts.hasTrayHost ?? (() => hasTrayHost(this.platform)))().then(
      (has) => (this.trayHost = has),
      () => undefined,
    );

    app.on('before-quit', () => {
      this.quitting = true;
    });
    app.on('will-quit', (event) => {
      if (this.disposed) return;
      event.preventDefault();
      void this.dispose().finally(() => app.quit());
    });
    // Not serving and the window is gone: nothing left to do. (Serving hides the window instead.)
    app.on('window-all-closed', () => app.quit());
    app.on('activate', () => this.showWindow());
  }

  /** The API the renderer reaches over IPC: the engine's, with a hook to replay startup notices. */
  private rendererApi(): BootdropApi {
    const engine = this.opts.engine;
    return new Proxy(engine, {
      get: (target, prop, receiver) => {
        if (prop === 'snapshot') {
          return async () => {
            const snap = await target.snapshot();
            setImmediate(() => this.flushNotices());
            return snap;
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  showWindow(): void {
    if (!this.win || this.win.isDestroyed()) this.openWindow();
    else revealWindow(this.win);
  }

  private openWindow(): void {
    const { paths } = this.opts;
    const win = createMainWindow({
      BrowserWindow,
      preload: paths.preload,
      entry: paths.entry,
      ...(paths.appIcon ? { icon: paths.appIcon } : {}),
    });
    hardenSession(win.webContents.session, paths.entry);
    const contents = win.webContents;
    const id = contents.id;
    this.ipc?.addWindow(contents);
    attachCloseToTray(win, {
      isServing: () => this.view?.state.serving === true,
      isQuitting: () => this.quitting,
      hasTray: () => this.trayHost,
      onHidden: (how) => {
        // Say it once per run: a window that vanishes while PCs boot should not look like a crash.
        if (this.toldAboutTray) return;
        this.toldAboutTray = true;
        this.notifier.show({
          title: 'Bootdrop is still serving',
          body:
            how === 'hidden'
              ? 'PCs can keep booting. Use the tray icon to show the window, stop serving or quit.'
              : 'PCs can keep booting. The window is minimised: stop serving or quit from it (File > Quit).',
        });
      },
    });
    win.on('closed', () => {
      this.ipc?.removeWindow(id);
      if (this.win === win) this.win = null;
    });
    this.win = win;
  }

  // ---- engine events ---------------------------------------------------------------------------

  private onEngineEvent(event: EngineEvent): void {
    this.ipc?.broadcast(event);
    if (!this.view) return;
    const update = applyEvent(this.view, event);
    this.view = update.view;
    if (update.trayChanged) this.redrawTray();
    if (update.newClient) this.notifier.show(bootNotice(update.newClient));
    if (event.type === 'state') {
      this.keepAwake.follow(event.state.serving);
      this.maybeOfferPortFix();
      this.maybeOfferFirewall();
    }
    if (event.type === 'state' || event.type === 'sources' || event.type === 'menu') this.persist(event);
  }

  private redrawTray(): void {
    if (this.tray && this.view) this.tray.show(trayModel(this.view));
  }

  /** True while the system is kept from suspending (serving). */
  get keepingAwake(): boolean {
    return this.keepAwake.held;
  }

  private onTrayAction(action: TrayAction, checked?: boolean): void {
    const engine = this.opts.engine;
    switch (action) {
      case 'toggle-serving':
        void (checked ? engine.start() : engine.stop()).catch((err: unknown) =>
          this.notice('error', `${checked ? 'start' : 'stop'} failed: ${errorMessage(err)}`),
        );
        return;
      case 'show':
        this.showWindow();
        return;
      case 'quit':
        app.quit();
        return;
    }
  }

  /** Bootdrop's menu; rebuilt when a remembered port grant comes or goes (File offers its undo). */
  private setAppMenu(): void {
    const remembered = this.opts.portsRemembered ? this.opts.portsRemembered() : portsRemembered(this.platform);
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(appMenuTemplate(this.platform, (action) => this.onMenuAction(action), remembered)),
    );
  }

  private onMenuAction(action: AppMenuAction): void {
    if (action === 'show') return this.showWindow();
    if (action === 'forget-ports') return void this.forgetPorts();
    void this.openAndAdd(action === 'open-folder' ? 'folder' : 'isos');
  }

  /** The system's open dialog, modal to the window when there is one. */
  private async openDialog(req: OpenDialogRequest): Promise<OpenDialogResult> {
    const options = openDialogOptions(req.kind);
    const parent = this.win && !this.win.isDestroyed() ? this.win : null;
    const r = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return { paths: r.canceled ? [] : r.filePaths };
  }

  /** File > Open…: the renderer is not involved, so what fails is told in the log. */
  private async openAndAdd(kind: OpenDialogKind): Promise<void> {
    this.showWindow();
    const { paths } = await this.openDialog({ kind });
    for (const path of paths) {
      try {
        await dispatchRequest(this.opts.engine, 'addSource', { path }, this.opts.env);
      } catch (err) {
        this.notice('error', `Could not add ${path}: ${errorMessage(err)}`);
      }
    }
  }

  /** A message from the shell itself, shown in the UI's log (the engine's own log when it has one). */
  notice(level: LogLevel, message: string): void {
    const event: EngineEvent = { type: 'log', entry: { time: Date.now(), level, scope: 'app', message } };
    if (!this.rendererListening) this.notices.push(event);
    else this.ipc?.broadcast(event);
  }

  private flushNotices(): void {
    this.rendererListening = true;
    for (const event of this.notices.splice(0)) this.ipc?.broadcast(event);
  }

  // ---- privileged ports (Linux) ----------------------------------------------------------------

  /** The one PortGrant of this run, made when first needed. */
  private portGrant(): PortGrant {
    const onHoldEnded = (): void => this.portsHoldEnded();
    this.ports ??= this.opts.portGrant
      ? this.opts.portGrant({ onHoldEnded })
      : new PortGrant({ platform: this.platform, onHoldEnded });
    return this.ports;
  }

  private fixPorts(o: { remember: boolean }): Promise<FixPortsResult> {
    const iface = this.view?.state.interfaceName ?? null;
    if (this.opts.fixPorts) return this.opts.fixPorts({ ...o, iface });
    return fixPrivilegedPorts(this.platform, this.portGrant(), { ...o, iface });
  }

  /** File > Stop Allowing the Boot Ports…: the Undo for a remembered grant. */
  private async forgetPorts(): Promise<void> {
    const result = this.opts.forgetPorts ? await this.opts.forgetPorts() : await this.portGrant().forget();
    this.notice(result.ok ? 'info' : 'error', result.message);
    this.setAppMenu();
  }

  /**
   * Serving stopped by the user (not a restart, not a lost link the session waits out): give the ports
   * back after a moment, so a restart for a mode or interface change keeps them.
   */
  private maybeReleasePorts(state: ServingState): void {
    if (!this.ports?.holding) return;
    if (state.serving || state.starting || state.error) {
      if (this.portsReleaseTimer) clearTimeout(this.portsReleaseTimer);
      this.portsReleaseTimer = null;
      return;
    }
    this.portsReleaseTimer ??= setTimeout(() => {
      this.portsReleaseTimer = null;
      this.ports?.release();
    }, 5000);
  }

  private maybeOfferPortFix(): void {
    const state = this.view?.state;
    if (!state) return;
    this.maybeReleasePorts(state);
    if (!canFixPorts(state, this.platform)) {
      if (state.serving) this.portFixOffered = false;
      return;
    }
    if (this.portFixOffered) return;
    this.portFixOffered = true;
    void this.offerPortFix();
  }

  private async offerPortFix(): Promise<void> {
    const options = {
      type: 'warning' as const,
      title: 'Bootdrop needs the boot ports',
      message: 'Linux only lets privileged programs use ports below 1024, and network boot needs 67, 69, 4011 and 80.',
      detail:
        'Bootdrop can allow them while it serves (net.ipv4.ip_unprivileged_port_start=67, and firewalld opened for ' +
        'exactly these ports if it is running); this is undone when serving stops or Bootdrop quits. ' +
        'Your password is asked by the system (pkexec).',
      checkboxLabel: 'Remember: keep allowing the ports, also after reboots (until Bootdrop is uninstalled)',
      checkboxChecked: false,
      buttons: ['Allow boot ports', 'Not now'],
      defaultId: 0,
      cancelId: 1,
    };
    const { response, checkboxChecked } = this.win
      ? await dialog.showMessageBox(this.win, options)
      : await dialog.showMessageBox(options);
    if (response !== 0) return;
    const result = await this.fixPorts({ remember: checkboxChecked });
    this.notice(result.ok ? 'info' : 'error', result.message);
    if (checkboxChecked) this.setAppMenu();
    if (result.ok) await this.opts.engine.start();
  }

  /** firewalld drops the boot ports on the serving interface: offer to open exactly those, once per session. */
  private maybeOfferFirewall(): void {
    const state = this.view?.state;
    if (!state || this.platform !== 'linux') return;
    if (!state.serving && !state.starting) {
      this.firewallOffered = false;
      return;
    }
    if (!state.serving || !state.firewallBlocked || this.firewallOffered) return;
    this.firewallOffered = true;
    void this.offerFirewall(state.firewallBlocked);
  }

  private async offerFirewall(blocked: NonNullable<ServingState['firewallBlocked']>): Promise<void> {
    const zone = blocked.zone ? ` (zone ${blocked.zone})` : '';
    const options = {
      type: 'warning' as const,
      title: 'firewalld blocks network boot',
      message:
        `firewalld blocks ${blocked.ports.join(', ')} on ${blocked.iface}${zone}: PCs will not reach Bootdrop. ` +
        `Open exactly 67, 69, 4011/udp and 80/tcp on ${blocked.iface}'s zone while Bootdrop serves?`,
      detail:
        'They are closed again when serving stops or Bootdrop quits; nothing else in firewalld changes. ' +
        `Your password is asked by the system (pkexec). By hand instead: ${blocked.command}`,
      buttons: ['Open the boot ports', 'Not now'],
      defaultId: 0,
      cancelId: 1,
    };
    const { response } = this.win
      ? await dialog.showMessageBox(this.win, options)
      : await dialog.showMessageBox(options);
    if (response !== 0) {
      this.notice(
        'warn',
        `firewalld left as it is: PCs will not reach Bootdrop until you run ${blocked.command} in a terminal, ` +
          'then press Check again in the firewalld note',
      );
      return;
    }
    const result = this.opts.openFirewall
      ? await this.opts.openFirewall(blocked.iface, blocked.command)
      : await this.portGrant().openFirewall(blocked.iface, blocked.command);
    this.notice(result.ok ? 'info' : 'error', result.message);
    // The engine asked firewalld when serving began; only a new question clears the window's note.
    if (result.ok) await this.recheckFirewall();
  }

  /** The port helper's hold ended by itself while serving: what it opened in firewalld is closed again. */
  private portsHoldEnded(): void {
    if (!this.view?.state.serving) return;
    this.notice(
      'warn',
      "Bootdrop's port helper ended while serving: the boot ports it allowed or opened are closed again.",
    );
    void this.recheckFirewall();
  }

  private async recheckFirewall(): Promise<void> {
    try {
      await this.opts.engine.recheckFirewall();
    } catch (err) {
      this.notice('warn', `Could not ask firewalld again: ${errorMessage(err)}`);
    }
  }

  // ---- settings --------------------------------------------------------------------------------

  private async restoreSettings(): Promise<void> {
    const { settings, problem } = await this.settings.load();
    if (problem) this.notice('warn', problem);
    const engine = this.opts.engine;
    const env = this.opts.env;
    const attempt = async (
      what: string,
      name: Parameters<typeof dispatchRequest>[1],
      payload: unknown,
    ): Promise<void> => {
      try {
        await dispatchRequest(engine, name, payload, env);
      } catch (err) {
        this.notice('warn', `Could not restore ${what}: ${errorMessage(err)}`);
      }
    };
    // The quick ones first: the window is already open, and reading ISOs can take seconds, during which
    // a choice the user makes must not be overwritten by a saved one arriving late.
    await attempt('the serving mode', 'setMode', { mode: settings.mode });
    if (settings.interfaceName)
      await attempt(`the interface ${settings.interfaceName}`, 'setInterface', { name: settings.interfaceName });
    for (const path of settings.sources) await attempt(`the ISO ${path}`, 'addSource', { path });
    // The menu last: its default entry and overrides name entries of the ISOs.
    if (settings.menu) await attempt('the boot menu settings', 'setMenu', { menu: settings.menu });
    this.saved = settings;
    this.restoring = false;
    // What actually got restored is what we keep (a vanished ISO drops out of the list).
    const snap = await engine.snapshot();
    this.persistNow({
      ...this.saved,
      sources: snap.sources.map((s) => s.path),
      interfaceName: snap.state.interfaceName,
      mode: snap.state.mode,
      menu: settings.menu ? snap.menu : null,
    });
  }

  private persist(event: EngineEvent): void {
    if (this.restoring) return;
    const next: ShellSettings = { ...this.saved };
    if (event.type === 'sources') next.sources = event.sources.map((s) => s.path);
    if (event.type === 'state') {
      next.interfaceName = event.state.interfaceName;
      next.mode = event.state.mode;
    }
    if (event.type === 'menu') next.menu = event.menu as MenuSettings;
    this.persistNow(next);
  }

  private persistNow(next: ShellSettings): void {
    if (JSON.stringify(next) === JSON.stringify(this.saved)) return;
    this.saved = next;
    this.settings
      .save(next)
      .catch((err: unknown) =>
        this.notice('error', `Could not save settings to ${this.settings.file}: ${errorMessage(err)}`),
      );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    this.ipc?.dispose();
    this.tray?.destroy();
    this.keepAwake.follow(false);
    this.notifier.clear();
    await this.opts.engine.dispose().catch(() => undefined);
    if (this.portsReleaseTimer) clearTimeout(this.portsReleaseTimer);
    this.ports?.release(); // after the servers closed their sockets
  }
}
