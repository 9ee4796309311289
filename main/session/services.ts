/**
 * What the session needs from the rest of the engine, as one small interface: open and plan a source,
 * lay out the served tree, start/stop the three servers, list interfaces. The session owns the state
 * and the order of things; `engine-services.ts` binds this to the real iso/boot/http/tftp/dhcp/net
 * modules. Keeping the seam here lets the state machine be read (and tested) on its own.
 */
import type {
  BootEntry,
  EffectiveMode,
  FirewallBlock,
  LogLevel,
  MenuSettings,
  NetInterface,
  OsFamily,
  PcInfo,
  ServeMode,
  SourceSummary,
} from '../contract';
import type { BootPolicy } from '../boot/policy';
import type { RelayPoolSpec } from '../dhcp/relay-pool';
import type { TransferTracker } from '../transfer';
import type { MountedTree, Vfs } from '../vfs';
import type { ScopedLog } from '../log';
import type { DhcpSighting } from './clients';
import type { Audience } from './errors';
import type { KnownRoles } from './stage';

export type Log = (level: LogLevel, scope: string, message: string, client?: string) => void;

/** The session's log narrowed to one server's scope, for the protocol folders that know nothing of scopes. */
export function scoped(log: Log, scope: string): ScopedLog {
  return (level, message, client) => log(level, scope, message, client);
}

/** The medium behind a source (an ISO image or a folder): its files and what the UI shows of it. */
export interface SourceMedium {
  vfs: Vfs;
  kind: 'iso' | 'folder';
  label: string;
  size: number;
  fileSystems: string[];
}

/**
 * What planning a source yields: what the UI shows, and the planner's own plan (`P`: served paths,
 * classic PXELINUX…), which the session keeps and hands back to layout() without looking inside.
 */
interface PlannedSource<P> {
  family: OsFamily;
  osName: string;
  entries: BootEntry[];
  warnings: string[];
  /** The source ships lpxelinux.0 with a PXE menu: BIOS PCs can be given that menu (biosMenu 'iso'). */
  ownPxeMenu: boolean;
  plan: P;
}

/** A source handed to layout(): its summary (menu already applied), its file system and its plan. */
export interface LayoutSource<P> {
  summary: SourceSummary;
  vfs: Vfs;
  plan: P;
}

export interface LayoutContext {
  loadersDir: string;
  serverIp: string;
  httpPort: number;
  /**
   * The source to serve the classic way (BIOS clients get its own PXELINUX, see main/boot/classic.ts),
   * or null. The session picks it (bios-menu.ts) among sources whose plan has ownPxeMenu.
   */
  classicSourceId: string | null;
  /** The current menu, read whenever a client fetches a generated menu (always up to date). */
  menu: () => MenuSettings;
  /** A PC that was given ipxe.efi and came back as firmware without running it (Secure Boot refused it). */
  refusedIpxe?: (mac: string) => boolean;
  /** A PC whose GRUB asked to restart into iPXE (grub-menu.ts restartIntoIpxe): its next PXE boot gets iPXE. */
  wantsIpxe?: (mac: string) => boolean;
  /** Who reads the warnings (errors.ts Audience); absent: the terminal's words. */
  audience?: Audience;
}

/** What a layout gives the servers and the client table. */
export interface LayoutResult {
  policy: BootPolicy;
  /** Served paths whose role the plan knows (kernel, initrd, root image), for client stages. */
  roles: KnownRoles;
  /** Served kernel path (lower-cased) → the boot entry it belongs to: which entry a client chose. */
  entryByKernel: ReadonlyMap<string, string>;
  /** Problems with this layout the user should hear about (e.g. a port the ISO's menu needs). */
  warnings: string[];
  /** The iPXE menu for one PC, from what its iPXE said about it (issue 14); absent: everyone gets one menu. */
  menuFor?: (pc: PcInfo, pick?: string | null) => Buffer;
}

export interface RunningServer {
  close(): Promise<void>;
}

export interface DhcpStart {
  iface: NetInterface;
  mode: ServeMode;
  policy: BootPolicy;
  ports?: { dhcp: number; proxy: number; client: number };
  /** Address pools for subnets behind DHCP relays (`--pool`). */
  relayPools?: readonly RelayPoolSpec[];
  log: Log;
  onClient(sighting: DhcpSighting): void;
  /** The mode in effect, and auto mode's reason for it (null for a fixed mode). */
  onMode(mode: EffectiveMode, why: string | null): void;
}

export interface RunningDhcp extends RunningServer {
  readonly effectiveMode: EffectiveMode;
  macForIp(ip: string): string | null;
}

export interface ServerStart {
  vfs: Vfs;
  address: string;
  port: number;
  tracker: TransferTracker;
  log: Log;
  mtu?: number;
  /** HTTP only: a body made for this one request (a PC's own menu), or null to serve the tree's file. */
  generate?: (req: { path: string; query: string; clientIp: string }) => Buffer | null;
  /** True for an address the DHCP side answered lately: it may use the servers' reserved slots. */
  reserved?: (ip: string) => boolean;
  /** Who an address is for the servers' per-source limits: the client's MAC when known, else the address. */
  sourceOf?: (ip: string) => string;
}

/**
 * `P` is the planner's plan and `M` the opened medium, both opaque to the session: what planSource and
 * openSource return comes back to layout and planSource with its type intact, no casts at the seam.
 */
export interface EngineServices<P = unknown, M extends SourceMedium = SourceMedium> {
  /** May run a subprocess (`ip`), so asynchronous; a plain array is fine for fakes. */
  listInterfaces(): Promise<NetInterface[]> | NetInterface[];
  openSource(hostPath: string): Promise<M>;
  planSource(id: string, hostPath: string, opened: M): Promise<PlannedSource<P>>;
  /** (Re)write the generated files of `tree` and mount the sources; called again on menu changes. */
  layout(tree: MountedTree, sources: LayoutSource<P>[], ctx: LayoutContext): Promise<LayoutResult>;
  startHttp(opts: ServerStart): Promise<RunningServer & { port: number }>;
  startTftp(opts: ServerStart): Promise<RunningServer>;
  startDhcp(opts: DhcpStart): Promise<RunningDhcp>;
  /** What a host firewall (firewalld) blocks of the boot ports on this interface, else null. */
  firewallBlocked?(iface: string): Promise<FirewallBlock | null>;
}
