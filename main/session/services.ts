/**
 * What the session needs from the rest of the engine, as one small interface: open and plan a source,
 * lay out the served tree, start/stop the three servers, list interfaces. The session owns the state
 * and the order of things; `engine-services.ts` binds this to the real iso/boot/http/tftp/dhcp/net
 * modules. Keeping the seam here lets the state machine be read (and tested) on its own.
 */
import type {
  BootEntry,
  EffectiveMode,
  LogLevel,
  MenuSettings,
  NetInterface,
  OsFamily,
  ServeMode,
  SourceSummary,
} from '../contract';
import type { BootPolicy } from '../boot/policy';
import type { TransferTracker } from '../transfer';
import type { MountedTree, Vfs } from '../vfs';
import type { DhcpSighting } from './clients';
import type { KnownRoles } from './stage';

export type Log = (level: LogLevel, scope: string, message: string, client?: string) => void;

export interface OpenedSource {
  vfs: Vfs;
  kind: 'iso' | 'folder';
  label: string;
  size: number;
  fileSystems: string[];
  /** El Torito boot catalogue as the ISO reader reports it (the planner's generic fallback needs it). */
  elTorito?: unknown;
}

export interface SourcePlan {
  family: OsFamily;
  osName: string;
  entries: BootEntry[];
  warnings: string[];
  /** The source ships lpxelinux.0 with a PXE menu: BIOS PCs can be given that menu (biosMenu 'iso'). */
  ownPxeMenu: boolean;
  /** The planner's own detail (served paths, classic PXELINUX...), handed back to layout() untouched. */
  detail?: unknown;
}

/** A source as the layout sees it: its summary (menu already applied) and its file system. */
export interface ServedSource {
  summary: SourceSummary;
  vfs: Vfs;
  detail?: unknown;
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
}

export interface ServedLayout {
  policy: BootPolicy;
  /** Served paths whose role the plan knows (kernel, initrd, root image), for client stages. */
  roles: KnownRoles;
  /** Served kernel path (lower-cased) → the boot entry it belongs to: which entry a client chose. */
  entryByKernel: ReadonlyMap<string, string>;
  /** Problems with this layout the user should hear about (e.g. a port the ISO's menu needs). */
  warnings: string[];
}

export interface RunningServer {
  close(): Promise<void>;
}

export interface DhcpStart {
  iface: NetInterface;
  mode: ServeMode;
  policy: BootPolicy;
  ports?: { dhcp: number; proxy: number; client: number };
  log: Log;
  onClient(sighting: DhcpSighting): void;
  onMode(mode: EffectiveMode): void;
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
}

export interface EngineServices {
  listInterfaces(): NetInterface[];
  openSource(hostPath: string): Promise<OpenedSource>;
  planSource(id: string, hostPath: string, opened: OpenedSource): Promise<SourcePlan>;
  /** (Re)write the generated files of `tree` and mount the sources; called again on menu changes. */
  layout(tree: MountedTree, sources: ServedSource[], ctx: LayoutContext): Promise<ServedLayout>;
  startHttp(opts: ServerStart): Promise<RunningServer & { port: number }>;
  startTftp(opts: ServerStart): Promise<RunningServer>;
  startDhcp(opts: DhcpStart): Promise<RunningDhcp>;
}
