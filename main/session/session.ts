/**
 * The engine's single owner of state: sources, menu, interface and mode, the running servers, clients
 * and the log. Every UI (Electron IPC, the browser bridge, the CLI) drives a Session through the
 * contract's BootdropApi and watches it through onEvent.
 */
import * as path from 'node:path';
import {
  CONTRACT_VERSION,
  type BiosMenu,
  type BootdropApi,
  type BrowseResult,
  type EngineEvent,
  type EngineSnapshot,
  type FirewallBlock,
  type LogLevel,
  type MenuSettings,
  type NetInterface,
  type ServeMode,
  type ServingState,
  type SourceSummary,
  type TransferProgress,
  type VolumeList,
} from '../contract';
import { listVolumes } from '../volumes';
import { TransferTracker } from '../transfer';
import { MountedTree } from '../vfs';
import { browse } from './browse';
import { SecureBootWatch } from './secure-boot-watch';
import { ClientTable, type DhcpSighting } from './clients';
import {
  noSourceError,
  ownPxeMenuNotice,
  restartedIntoIpxeNote,
  SessionError,
  toServeError,
  type Audience,
} from './errors';
import { sourceIdFor } from './source-id';
import { LINK_CHECK_MS, linkChange } from './link-watch';
import { LogRing } from './log-ring';
import { describeFirewallBlock, RecentlyAnswered } from '../net';
import { arpLookup } from './neighbors';
import { applyMenu, BOOT_SCRIPT_PATH, DEFAULT_MENU, describeIpxeDriver, describePc, parsePcFacts } from '../boot';
import { nativeStatus } from '../native';
import { pruneMenu } from './menu';
import { biosMenuInEffect, describeBiosMenu } from './bios-menu';
import type { EngineServices, LayoutResult, RunningDhcp, RunningServer, SourceMedium } from './services';
import type { KnownRoles } from './stage';
import type { RelayPoolSpec } from '../dhcp/relay-pool';
import { errorMessage } from '../errors';

export interface SessionOptions {
  /** Folder with the bundled loaders (undionly.kpxe, ipxe.efi, ...). */
  loadersDir: string;
  /** HTTP port (0 = any free port; the URL handed to clients follows). */
  httpPort: number;
  tftpPort?: number;
  /** DHCP ports (tests run unprivileged peers on high ports). */
  dhcpPorts?: { dhcp: number; proxy: number; client: number };
  /** Subnets behind DHCP relays where Bootdrop also hands out addresses (`--pool`). */
  relayPools?: readonly RelayPoolSpec[];
  mode: ServeMode;
  /** Global extra kernel arguments (MenuSettings.append's initial value). */
  append?: string;
  timeoutSec?: number;
  interfaceName?: string | null;
  /**
   * MenuSettings.biosMenu's initial value. 'iso' is the classic setup (dnsmasq dhcp-boot + loop-mounted
   * ISO + PXELINUX): BIOS clients get the ISO's own lpxelinux.0 and menu instead of Bootdrop's iPXE
   * menu. Needs an ISO that ships PXELINUX (Arch); without one, Bootdrop's menu is served (warned).
   */
  biosMenu?: BiosMenu;
  now?: () => number;
  /** How often the serving interface is checked while serving (ms); 0 turns the watch off. */
  linkCheckMs?: number;
  /** Who reads the messages: the desktop app says 'window' (no `bootdrop serve` flags); default 'terminal'. */
  audience?: Audience;
}

interface SessionSource<P, M> {
  id: string;
  opened: M;
  plan: P;
  summary: SourceSummary; // as planned, before the menu is applied
}

interface Running {
  tree: MountedTree;
  layout: LayoutResult;
  servers: RunningServer[];
  dhcp: RunningDhcp | null;
  iface: NetInterface;
  httpPort: number;
}

const EMPTY_ROLES: KnownRoles = new Map();

export class Session<P = unknown, M extends SourceMedium = SourceMedium> implements BootdropApi {
  private sources: SessionSource<P, M>[] = [];
  private menu: MenuSettings & { biosMenu: BiosMenu };
  /** The classic-way source of the layout in force, so a change of it is told once, not per re-layout. */
  private servedClassic: string | null | undefined = undefined;
  /** Every IPv4 interface, loopback included (a test or `--interface lo` may name it); see offered(). */
  private interfaces: NetInterface[] = [];
  /** The first listing, started by the constructor (asynchronous: it may run `ip`). */
  private readonly interfacesListed: Promise<void>;
  private interfaceName: string | null;
  private mode: ServeMode;
  private running: Running | null = null;
  private state: ServingState;
  private readonly clients = new ClientTable();
  /** What UEFI PCs' fetches say about Secure Boot (which chain, refusals), see secure-boot-watch.ts. */
  private readonly secureBoot = new SecureBootWatch({
    notice: (mac, level, text) => {
      this.log(level, 'boot', text, mac);
      const client = this.clients.annotate(mac, { notice: text });
      if (client) this.emit({ type: 'client', client });
    },
    ownDhcp: () => this.running?.dhcp?.effectiveMode === 'dhcp',
    label: (id) =>
      this.effectiveSources()
        .flatMap((s) => s.entries)
        .find((e) => e.id === id)?.label ?? null,
    now: () => this.now(),
  });
  private readonly logRing = new LogRing();
  /** PCs our DHCP side answered lately: HTTP and TFTP keep a few slots for them (../net/slots.ts). */
  private readonly answered = new RecentlyAnswered();
  /** What the servers ask: is this address a PC we just answered? In-memory maps only (no ARP read). */
  private readonly reserved = (ip: string): boolean => {
    if (this.answered.has(ip)) return true;
    const mac = this.knownMac(ip);
    return mac !== null && this.answered.has(mac);
  };
  /** The servers count slots per host: by MAC where our DHCP learned it (one host, many addresses). */
  private readonly sourceOf = (ip: string): string => this.knownMac(ip) ?? ip;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly now: () => number;
  /** Serialises start/stop/restart so two clicks cannot interleave them. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Polls the serving interface (see link-watch.ts) while serving, or while waiting for it to return. */
  private linkTimer: NodeJS.Timeout | null = null;
  /** The interface we served on until it went away; null unless waiting for it. */
  private awaitingLink: NetInterface | null = null;
  private readonly audience: Audience;
  /** Counts firewalld questions, so a slow early answer cannot overwrite a later one. */
  private firewallAsked = 0;

  constructor(
    private readonly opts: SessionOptions,
    private readonly services: EngineServices<P, M>,
  ) {
    this.now = opts.now ?? Date.now;
    this.audience = opts.audience ?? 'terminal';
    this.mode = opts.mode;
    this.interfaceName = opts.interfaceName ?? null;
    this.menu = {
      ...DEFAULT_MENU,
      append: opts.append ?? '',
      timeoutSec: opts.timeoutSec ?? DEFAULT_MENU.timeoutSec,
      biosMenu: opts.biosMenu ?? 'bootdrop',
    };
    this.state = {
      serving: false,
      starting: false,
      interfaceName: this.interfaceName,
      address: null,
      mode: this.mode,
      effectiveMode: null,
      httpUrl: null,
      error: null,
    };
    this.interfacesListed = this.safeListInterfaces().then((list) => {
      this.interfaces = list;
    });
  }

  // ---- events and log -------------------------------------------------------------------------

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken listener (closed window, dead socket) must not stop the engine or other listeners.
      }
    }
  }

  readonly log = (level: LogLevel, scope: string, message: string, client?: string): void => {
    const entry = { time: this.now(), level, scope, message, ...(client ? { client } : {}) };
    this.logRing.push(entry);
    this.emit({ type: 'log', entry });
  };

  async exportLog(): Promise<string> {
    return this.logRing.toText();
  }

  // ---- read side --------------------------------------------------------------------------------

  async snapshot(): Promise<EngineSnapshot> {
    await this.interfacesListed;
    return {
      version: CONTRACT_VERSION,
      state: { ...this.state },
      sources: this.effectiveSources(),
      menu: this.menuCopy(),
      interfaces: this.offered(),
      clients: this.clients.list(),
    };
  }

  private menuCopy(): MenuSettings & { biosMenu: BiosMenu } {
    return { ...this.menu, overrides: { ...this.menu.overrides } };
  }

  /** Sources with the menu applied: what clients are actually offered. */
  effectiveSources(): SourceSummary[] {
    return applyMenu(
      this.sources.map((s) => s.summary),
      this.menu,
    );
  }

  /** Served paths whose role the current layout knows (for naming client steps). */
  knownRoles(): KnownRoles {
    return this.running?.layout.roles ?? EMPTY_ROLES;
  }

  /** What the UI offers: a PC is never reached through loopback, so it is not a choice there. */
  private offered(): NetInterface[] {
    return this.interfaces.filter((i) => i.kind !== 'loopback').map((i) => ({ ...i }));
  }

  private async safeListInterfaces(): Promise<NetInterface[]> {
    try {
      return await this.services.listInterfaces();
    } catch (err) {
      this.log('warn', 'net', `cannot list interfaces: ${errorMessage(err)}`);
      return [];
    }
  }

  async refreshInterfaces(): Promise<NetInterface[]> {
    this.interfaces = await this.safeListInterfaces();
    this.emit({ type: 'interfaces', interfaces: this.offered() });
    return this.offered();
  }

  async browse(req: { path?: string }): Promise<BrowseResult> {
    return browse(req.path);
  }

  async volumes(): Promise<VolumeList> {
    return listVolumes();
  }

  // ---- sources and menu -------------------------------------------------------------------------

  private newSourceId(hostPath: string): string {
    return sourceIdFor(hostPath, (id) => this.sources.some((s) => s.id === id));
  }

  async addSource(req: { path: string }): Promise<SourceSummary> {
    const hostPath = path.resolve(req.path);
    if (this.sources.some((s) => s.summary.path === hostPath)) {
      throw new SessionError(
        'EEXIST',
        `${hostPath} is already being served`,
        'remove it first, or add a different ISO',
      );
    }
    const added = await this.openPlanned(hostPath, this.newSourceId(hostPath));
    this.sources.push(added);
    this.toldAdded(added.summary);
    await this.sourcesChanged();
    return this.effectiveSources().find((s) => s.id === added.id)!;
  }

  /** Open and plan one source; on failure nothing stays open. */
  private async openPlanned(hostPath: string, id: string): Promise<SessionSource<P, M>> {
    const opened = await this.services.openSource(hostPath);
    try {
      const { plan, ...shown } = await this.services.planSource(id, hostPath, opened);
      const summary: SourceSummary = {
        id,
        path: hostPath,
        kind: opened.kind,
        label: opened.label,
        size: opened.size,
        fileSystems: opened.fileSystems,
        ...shown,
      };
      return { id, opened, summary, plan };
    } catch (err) {
      await opened.vfs.close().catch(() => undefined);
      throw err;
    }
  }

  private toldAdded(summary: SourceSummary): void {
    const name = path.basename(summary.path);
    if (summary.ownPxeMenu) this.log('info', 'boot', ownPxeMenuNotice(name, this.audience));
    this.log('info', 'session', `added ${summary.osName} (${name}): ${summary.entries.length} boot entries`);
    for (const w of summary.warnings) this.log('warn', 'boot', `${name}: ${w}`);
  }

  /**
   * Serve exactly these paths, in this order (a reloaded config file): all new ones are opened first,
   * and if any fails nothing changes (the error names that path). Sources kept keep their id and
   * whatever transfers they have in flight; the menu is re-laid out once.
   */
  async setSources(req: { paths: string[] }): Promise<{ added: SourceSummary[]; removed: SourceSummary[] }> {
    const wanted = [...new Set(req.paths.map((p) => path.resolve(p)))];
    const kept = this.sources.filter((s) => wanted.includes(s.summary.path));
    const gone = this.sources.filter((s) => !wanted.includes(s.summary.path));
    const fresh: SessionSource<P, M>[] = [];
    const taken = (id: string) => kept.some((s) => s.id === id) || fresh.some((s) => s.id === id);
    for (const p of wanted) {
      if (kept.some((s) => s.summary.path === p)) continue;
      try {
        fresh.push(await this.openPlanned(p, sourceIdFor(p, taken)));
      } catch (err) {
        for (const f of fresh) await f.opened.vfs.close().catch(() => undefined);
        const e = err as { code?: unknown; remedy?: unknown };
        throw new SessionError(
          typeof e.code === 'string' ? e.code : 'EINVAL',
          `cannot serve ${p}: ${errorMessage(err)}`,
          typeof e.remedy === 'string'
            ? e.remedy
            : "check the path: give an ISO image file or a folder with the ISO's files",
        );
      }
    }
    if (fresh.length === 0 && gone.length === 0 && kept.every((s, i) => s.summary.path === wanted[i])) {
      return { added: [], removed: [] };
    }
    const all = [...kept, ...fresh];
    this.sources = wanted.map((p) => all.find((s) => s.summary.path === p)!);
    for (const f of fresh) this.toldAdded(f.summary);
    this.menu = {
      ...pruneMenu(
        this.menu,
        this.sources.map((s) => s.summary),
      ),
      biosMenu: this.menu.biosMenu,
    };
    await this.sourcesChanged();
    for (const g of gone) {
      this.running?.tree.unmount(`/iso/${g.id}`);
      await g.opened.vfs.close().catch(() => undefined);
      this.log('info', 'session', `removed ${path.basename(g.summary.path)}`);
    }
    const effective = this.effectiveSources();
    return {
      added: fresh.map((f) => effective.find((s) => s.id === f.id)!),
      removed: gone.map((g) => g.summary),
    };
  }

  async removeSource(req: { id: string }): Promise<void> {
    const i = this.sources.findIndex((s) => s.id === req.id);
    if (i < 0) throw new SessionError('ENOENT', `no source with id "${req.id}"`, 'refresh the source list');
    const [gone] = this.sources.splice(i, 1);
    this.menu = {
      ...pruneMenu(
        this.menu,
        this.sources.map((s) => s.summary),
      ),
      biosMenu: this.menu.biosMenu,
    };
    await this.sourcesChanged();
    this.running?.tree.unmount(`/iso/${gone!.id}`);
    await gone!.opened.vfs.close().catch(() => undefined);
    this.log('info', 'session', `removed ${path.basename(gone!.summary.path)}`);
  }

  async setMenu(req: { menu: MenuSettings }): Promise<MenuSettings> {
    // The BIOS menu choice is kept even when no source can honour it now: it applies again once the ISO is back.
    const biosMenu = req.menu.biosMenu ?? this.menu.biosMenu;
    this.menu = {
      ...pruneMenu(
        { ...req.menu, overrides: { ...req.menu.overrides } },
        this.sources.map((s) => s.summary),
      ),
      biosMenu,
    };
    this.emit({ type: 'menu', menu: this.menuCopy() });
    await this.sourcesChanged();
    return this.menuCopy();
  }

  /** Re-emit sources and, while serving, regenerate the served menus (clients see it next boot). */
  private async sourcesChanged(): Promise<void> {
    this.emit({ type: 'sources', sources: this.effectiveSources() });
    if (this.running) {
      try {
        this.running.layout = await this.layoutTree(
          this.running.tree,
          this.running.iface.address,
          this.running.httpPort,
        );
      } catch (err) {
        this.log('error', 'boot', `menu update failed: ${errorMessage(err)}`);
      }
    }
  }

  private async layoutTree(tree: MountedTree, serverIp: string, httpPort: number): Promise<LayoutResult> {
    const effective = this.effectiveSources();
    const served = this.sources.map((s) => ({
      summary: effective.find((e) => e.id === s.id)!,
      vfs: s.opened.vfs,
      plan: s.plan,
    }));
    const bios = biosMenuInEffect(this.menu.biosMenu, effective);
    const layout = await this.services.layout(tree, served, {
      loadersDir: this.opts.loadersDir,
      serverIp,
      httpPort,
      classicSourceId: bios.classicSourceId,
      menu: () => this.menu,
      refusedIpxe: (mac) => this.secureBoot.refusedIpxe(mac),
      wantsIpxe: (mac) => this.secureBoot.wantsIpxe(mac),
      audience: this.audience,
    });
    if (bios.classicSourceId !== this.servedClassic)
      this.log(
        'info',
        'boot',
        describeBiosMenu(bios, effective) + (this.servedClassic === undefined ? '' : ' (from their next boot)'),
      );
    this.servedClassic = bios.classicSourceId;
    for (const w of [...bios.warnings, ...layout.warnings]) this.log('warn', 'boot', w);
    return layout;
  }

  // ---- interface and mode -----------------------------------------------------------------------

  async setInterface(req: { name: string }): Promise<void> {
    this.interfaceName = req.name;
    this.setState({ interfaceName: req.name });
    if (this.running) await this.restart();
  }

  async setMode(req: { mode: ServeMode }): Promise<void> {
    this.mode = req.mode;
    this.setState({ mode: req.mode });
    if (this.running) await this.restart();
  }

  private setState(patch: Partial<ServingState>): void {
    this.state = { ...this.state, ...patch };
    this.emit({ type: 'state', state: { ...this.state } });
  }

  /** The interface to serve on: the chosen one, else the recommended one. */
  private async pickInterface(): Promise<NetInterface> {
    this.interfaces = await this.safeListInterfaces();
    if (this.interfaceName) {
      const hit = this.interfaces.find((i) => i.name === this.interfaceName);
      if (!hit) {
        const names = this.interfaces.map((i) => i.name).join(', ') || 'none';
        throw new SessionError(
          'ENOIFACE',
          `no IPv4 interface called "${this.interfaceName}" (available: ${names})`,
          'plug in the cable / connect the network, or choose another interface',
        );
      }
      if (!hit.up)
        throw new SessionError(
          'ELINKDOWN',
          `interface ${hit.name} is down`,
          'connect the cable to the other PC (or a switch) and bring the interface up',
        );
      return hit;
    }
    const best = this.interfaces.find((i) => i.recommended);
    if (!best)
      throw new SessionError(
        'ENOIFACE',
        'no usable network interface (up, with an IPv4 address)',
        'connect a network cable or Wi-Fi, give the interface an address, then start again',
      );
    return best;
  }

  // ---- start / stop -----------------------------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  start(): Promise<ServingState> {
    return this.serial(() => this.doStart());
  }

  stop(): Promise<ServingState> {
    return this.serial(async () => {
      this.unwatchLink();
      await this.doStop();
      return { ...this.state };
    });
  }

  private restart(): Promise<ServingState> {
    return this.serial(async () => {
      await this.doStop();
      return this.doStart();
    });
  }

  private async doStart(): Promise<ServingState> {
    if (this.running) return { ...this.state };
    this.setState({ starting: true, error: null, firewallBlocked: null });
    const started: RunningServer[] = [];
    let where = 'start';
    try {
      if (this.sources.length === 0) throw noSourceError(this.audience);
      const iface = await this.pickInterface();
      const tree = new MountedTree();
      const tracker = new TransferTracker((t) => this.onTransfer(t), { macFor: (ip) => this.macFor(ip) });
      where = 'HTTP server';
      // HTTP first: its port (possibly chosen by the OS) goes into the generated boot scripts.
      const http = await this.services.startHttp({
        vfs: tree,
        address: iface.address,
        port: this.opts.httpPort,
        tracker,
        log: this.log,
        generate: (r) => this.pcMenu(r.path, r.query, r.clientIp),
        reserved: this.reserved,
        sourceOf: this.sourceOf,
      });
      started.push(http);
      where = 'boot menu';
      this.servedClassic = undefined; // a fresh start says which menu BIOS PCs get, once
      const layout = await this.layoutTree(tree, iface.address, http.port);
      where = 'TFTP server';
      const mtu = iface.mtu;
      started.push(
        await this.services.startTftp({
          vfs: tree,
          address: iface.address,
          port: this.opts.tftpPort ?? 69,
          tracker,
          log: this.log,
          reserved: this.reserved,
          sourceOf: this.sourceOf,
          ...(mtu ? { mtu } : {}),
        }),
      );
      where = 'DHCP server';
      const run: Running = { tree, layout, servers: started, dhcp: null, iface, httpPort: http.port };
      this.running = run;
      const dhcp = await this.services.startDhcp({
        iface,
        mode: this.mode,
        // The policy is looked up per request, so a menu change (new layout) takes effect at once.
        policy: { decide: (facts, serverIp, ctx) => run.layout.policy.decide(facts, serverIp, ctx) },
        ...(this.opts.dhcpPorts ? { ports: this.opts.dhcpPorts } : {}),
        ...(this.opts.relayPools ? { relayPools: this.opts.relayPools } : {}),
        log: this.log,
        onClient: (s) => this.onDhcp(s),
        onMode: (m, why) => this.setState({ effectiveMode: m, modeReason: why }),
      });
      run.dhcp = dhcp;
      started.push(dhcp);
      const httpUrl = `http://${iface.address}:${http.port}/`;
      this.setState({
        serving: true,
        starting: false,
        interfaceName: iface.name,
        address: iface.address,
        mode: this.mode,
        effectiveMode: dhcp.effectiveMode,
        modeReason: this.state.modeReason ?? null,
        httpUrl,
        error: null,
      });
      this.awaitingLink = null;
      this.watchLink();
      // Not awaited: firewalld's answers take a moment, and serving has already begun.
      // The finding goes into the state too: the desktop shell offers to open exactly these ports.
      void this.askFirewall(run);
      this.log(
        'info',
        'session',
        `serving ${this.sources.length} source(s) on ${iface.name} (${iface.address}), mode ${this.mode}, HTTP ` +
          `${httpUrl}`,
      );
      // Which bulk I/O paths are native (sendfile, TFTP pump) or JavaScript, and why: support questions.
      const io = Object.entries(nativeStatus(['sendfile', 'tftp']))
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ');
      this.log('debug', 'session', `fast I/O helpers — ${io}`);
    } catch (err) {
      this.running = null;
      for (const s of started.reverse()) await s.close().catch(() => undefined);
      const error = toServeError(err, where);
      // The window shows the error with a remedy in its own words above the log; a terminal needs it here.
      this.log('error', 'session', this.audience === 'window' ? error.message : `${error.message} — ${error.remedy}`);
      this.setState({
        serving: false,
        starting: false,
        address: null,
        effectiveMode: null,
        modeReason: null,
        httpUrl: null,
        error,
      });
    }
    return { ...this.state };
  }

  private async doStop(): Promise<void> {
    const run = this.running;
    if (!run) return;
    this.running = null;
    this.secureBoot.clear();
    // DHCP first: no new clients are sent to servers that are about to close.
    for (const s of [...run.servers].reverse()) {
      await s
        .close()
        .catch((err: unknown) => this.log('warn', 'session', `closing a server failed: ${errorMessage(err)}`));
    }
    this.setState({
      serving: false,
      starting: false,
      address: null,
      effectiveMode: null,
      httpUrl: null,
      firewallBlocked: null,
    });
    this.log('info', 'session', 'stopped serving');
  }

  // ---- the host firewall ------------------------------------------------------------------------

  /**
   * Ask firewalld again what it blocks on the serving interface (after the desktop's helper opened the
   * ports, after it closed them again, or after the user ran the command by hand): firewallBlocked
   * follows, null once nothing is blocked. Not serving: nothing to ask.
   */
  async recheckFirewall(): Promise<ServingState> {
    if (this.running) await this.askFirewall(this.running);
    return { ...this.state };
  }

  /** One firewalld question for `run`; only the latest question's answer counts, and only while `run` serves. */
  private async askFirewall(run: Running): Promise<void> {
    const asking = ++this.firewallAsked;
    let blocked: FirewallBlock | null;
    try {
      blocked = (await this.services.firewallBlocked?.(run.iface.name)) ?? null;
    } catch {
      return; // a firewall-cmd that cannot answer says nothing either way
    }
    if (this.running !== run || asking !== this.firewallAsked) return;
    const was = this.state.firewallBlocked ?? null;
    if (JSON.stringify(was) === JSON.stringify(blocked)) return;
    if (blocked) this.log('warn', 'net', describeFirewallBlock(blocked));
    else this.log('info', 'net', `firewalld now lets the boot ports in on ${run.iface.name}`);
    this.setState({ firewallBlocked: blocked });
  }

  // ---- the serving interface going away and coming back ------------------------------------------

  private watchLink(): void {
    const every = this.opts.linkCheckMs ?? LINK_CHECK_MS;
    if (every <= 0) return;
    this.linkTimer ??= setInterval(() => void this.serial(() => this.checkLink()), every);
    // While serving, the sockets keep the process alive; the watch alone must not (tests, quitting).
    this.linkTimer.unref();
  }

  private unwatchLink(): void {
    if (this.linkTimer) clearInterval(this.linkTimer);
    this.linkTimer = null;
    this.awaitingLink = null;
  }

  private async checkLink(): Promise<void> {
    const serving = this.running?.iface ?? null;
    const name = serving?.name ?? this.awaitingLink?.name;
    if (!name) return;
    const change = linkChange(name, serving, await this.safeListInterfaces());
    if (change.kind === 'same') return;
    if (change.kind === 'lost') {
      this.log('warn', 'net', `${change.why}: stopped serving; Bootdrop serves again when it is back`);
      await this.doStop();
      this.awaitingLink = serving;
      this.linkTimer?.ref(); // no sockets left: the watch is what keeps `bootdrop serve` waiting
      this.setState({
        error: {
          code: 'ELINKDOWN',
          message: change.why,
          remedy: 'reconnect the cable or network; serving resumes by itself',
        },
      });
      return;
    }
    if (change.kind === 'moved') this.log('warn', 'net', `${change.why}: restarting on the new address`);
    else this.log('info', 'net', `interface ${name} is back (${change.now.address}): serving again`);
    if (this.running) await this.doStop();
    this.awaitingLink = serving ?? this.awaitingLink;
    this.interfaceName ??= name; // resume on the same interface, not whichever is recommended now
    await this.doStart(); // on failure the state carries the error and the next check tries again
  }

  /** Stop serving and close every source (process exit, window closed). */
  async dispose(): Promise<void> {
    await this.stop();
    for (const s of this.sources.splice(0)) await s.opened.vfs.close().catch(() => undefined);
    this.listeners.clear();
  }

  // ---- clients ----------------------------------------------------------------------------------

  /** A client's MAC from what DHCP and the client table learned (memory only, no ARP read). */
  private knownMac(ip: string): string | null {
    return this.running?.dhcp?.macForIp(ip) ?? this.clients.macForIp(ip);
  }

  /** A client's MAC from its IP: our DHCP's leases/4011 exchanges, what we saw, else the ARP table. */
  private macFor(ip: string): string | null {
    return this.knownMac(ip) ?? arpLookup(ip);
  }

  private onDhcp(s: DhcpSighting): void {
    // A boot firmware or iPXE got our answer: its next steps are TFTP and HTTP fetches.
    if (s.firmware !== 'unknown') {
      this.answered.note(s.mac);
      if (s.ip) this.answered.note(s.ip);
    }
    const client = this.clients.sawDhcp(s, this.now());
    if (client) this.emit({ type: 'client', client });
  }

  /**
   * A PC's own menu (issue 14): the generic menu chains to /boot.ipxe?pc=1&... with what the PC's iPXE
   * knows (RAM, maker, model, firmware, network driver). The PC's row shows it; the menu marks what
   * cannot run there. null: not such a request, the tree's file answers.
   */
  private pcMenu(path: string, query: string, clientIp: string): Buffer | null {
    const menuFor = this.running?.layout.menuFor;
    if (!menuFor || path.toLowerCase() !== BOOT_SCRIPT_PATH) return null;
    const pc = parsePcFacts(query);
    if (!pc) return null;
    const mac = this.macFor(clientIp);
    const driver = describeIpxeDriver(pc);
    this.log('info', 'boot', `this PC: ${describePc(pc)}${driver ? `; ${driver}` : ''}`, mac ?? clientIp);
    // A PC GRUB restarted into iPXE (secure-boot-watch.ts): its menu starts the entry chosen there.
    const pick = mac ? this.secureBoot.takeIpxePick(mac) : null;
    if (pick) this.log('info', 'boot', restartedIntoIpxeNote(pick.label), mac ?? clientIp);
    const client = mac ? this.clients.annotate(mac, { pc }) : null;
    if (client) this.emit({ type: 'client', client });
    return menuFor(pc, pick?.entryId ?? null);
  }

  private onTransfer(t: TransferProgress): void {
    this.emit({ type: 'transfer', transfer: t });
    const layout = this.running?.layout;
    let client = this.clients.sawTransfer(t, layout?.roles ?? EMPTY_ROLES, this.now(), layout?.entryByKernel);
    if (client) {
      this.secureBoot.sawFetch(client.mac, t.file, t.outcome, t.protocol);
      const chain = this.secureBoot.chainOf(client.mac);
      if (chain !== null && chain !== client.chain) client = this.clients.annotate(client.mac, { chain }) ?? client;
      this.emit({ type: 'client', client });
    }
    if (t.outcome === 'failed')
      this.log('warn', t.protocol, `${t.file} to ${t.clientIp} failed: ${t.error ?? 'unknown error'}`, client?.mac);
  }
}
