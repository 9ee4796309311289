/**
 * The one typed contract for everything that crosses a process boundary: Electron IPC
 * (preload ⇄ main) and the browser bridge (WebSocket ⇄ `bootdrop serve --ui`), and the CLI's
 * `--json` NDJSON events. Plain data only (structured-clone and JSON safe).
 *
 * Versioned: bump CONTRACT_VERSION on any breaking change; both ends check it on connect.
 */
export const CONTRACT_VERSION = 1;

export type ServeMode = 'proxy' | 'dhcp' | 'auto';
/** What is actually in effect: `auto` resolves to one of these (null while probing / stopped). */
export type EffectiveMode = 'proxy' | 'dhcp' | null;

export type LinkKind = 'wired' | 'wireless' | 'virtual' | 'loopback' | 'unknown';

export interface NetInterface {
  name: string;
  address: string; // IPv4 dotted quad
  prefix: number; // CIDR prefix length
  netmask: string;
  mac: string; // aa:bb:cc:dd:ee:ff
  up: boolean;
  kind: LinkKind;
  mtu?: number;
  recommended: boolean;
}

/** Operating system family, as detected from an ISO's files. */
export type OsFamily =
  | 'archiso'
  | 'casper'
  | 'live-boot'
  | 'dracut-live'
  | 'anaconda'
  | 'opensuse'
  | 'alpine'
  | 'debian-installer'
  | 'memtest'
  | 'generic';

export type EntryKind = 'linux' | 'chain' | 'sanboot' | 'memdisk' | 'pxelinux' | 'local' | 'shell';

export interface BootEntry {
  id: string; // stable: `${sourceId}:${slug}`
  sourceId: string;
  label: string;
  kind: EntryKind;
  kernel?: string; // path inside the source
  initrd: string[];
  /** Final kernel command line the client gets (ISO's own args + family network args + user args). */
  cmdline: string;
  enabled: boolean;
  isDefault: boolean;
  /** Client RAM this entry needs, when the family is known to need it (casper copies the ISO to RAM). */
  minRamMiB?: number;
  /** Where the entry came from: the ISO's own menu, the recipe table, or the generic fallback. */
  origin: 'iso-menu' | 'recipe' | 'generic';
  firmware: Array<'bios' | 'uefi'>;
  /** Whether a PC with Secure Boot on can boot this entry, and through which chain (issue 13). */
  secureBoot?: EntrySecureBoot;
}

export interface EntrySecureBoot {
  /** A PC with Secure Boot on boots it through `chain` without any firmware setting. */
  bootable: boolean;
  /** The signed chain that boots it ("Debian shim → GRUB"), null when none does. */
  chain: string | null;
  /** Why, in one line: who signed the kernel, or what Secure Boot refuses. */
  reason: string;
  /** CPU the kernel is built for (its PE header): only PCs of that architecture are offered it. */
  cpu: 'x64' | 'arm64' | 'ia32' | null;
}

export interface SourceSummary {
  id: string;
  path: string; // host path of the ISO file or folder
  kind: 'iso' | 'folder';
  label: string;
  size: number;
  family: OsFamily;
  osName: string; // human: "Arch Linux", "Ubuntu 24.04", "Unknown (generic boot)"
  fileSystems: string[]; // "ISO 9660", "Joliet", "Rock Ridge", "El Torito"
  entries: BootEntry[];
  warnings: string[];
  /**
   * The source ships its own PXELINUX (lpxelinux.0) with a PXE menu, as Arch Linux ISOs do: BIOS PCs can
   * be given that menu instead of Bootdrop's (MenuSettings.biosMenu = 'iso'). Always set by the engine;
   * optional only so planners and fixtures that predate it still type-check (absent = false).
   */
  ownPxeMenu?: boolean;
}

export interface EntryOverride {
  label?: string;
  enabled?: boolean;
  append?: string; // extra kernel args for this entry
}

/**
 * What BIOS PCs boot into: Bootdrop's generated menu (iPXE), or the ISO's own PXELINUX menu served the
 * classic way (dnsmasq + loop-mounted ISO + PXELINUX), for ISOs whose own PXE menu works better (Arch).
 * UEFI PCs always get Bootdrop's menu.
 */
export type BiosMenu = 'bootdrop' | 'iso';
export const BIOS_MENUS: readonly BiosMenu[] = ['bootdrop', 'iso'];

export interface MenuSettings {
  timeoutSec: number;
  defaultEntryId: string | null;
  append: string; // global extra kernel args
  overrides: Record<string, EntryOverride>;
  /**
   * Always set by the engine and by validateMenu (absent in a request or an older settings file =
   * 'bootdrop'). 'iso' needs a source with ownPxeMenu; without one the engine serves Bootdrop's menu and
   * logs a warning saying so.
   */
  biosMenu?: BiosMenu;
}

export interface ServeError {
  code: string; // EADDRINUSE, EACCES, ENOIFACE, ...
  message: string; // what and where
  remedy: string; // what to do
}

export interface ServingState {
  serving: boolean;
  starting: boolean;
  interfaceName: string | null;
  address: string | null;
  mode: ServeMode;
  effectiveMode: EffectiveMode;
  /**
   * Why auto mode chose what is in effect ("no other DHCP server answered … a bare cable"), one sentence
   * for the user; null/absent for a fixed mode or while auto mode is still looking.
   */
  modeReason?: string | null;
  httpUrl: string | null;
  error: ServeError | null;
  /**
   * firewalld blocks boot ports on the serving interface (found after serving began); null/absent when it
   * does not, is not running, or the check has not answered yet. Serving goes on either way.
   */
  firewallBlocked?: FirewallBlock | null;
}

/** What a host firewall drops on the serving interface, and the command that opens it until it reloads. */
export interface FirewallBlock {
  iface: string;
  /** The firewalld zone of the interface; null when firewalld names none (its default zone applies). */
  zone: string | null;
  /** Blocked boot ports, e.g. "69/udp", "80/tcp". */
  ports: string[];
  /** e.g. "sudo firewall-cmd --zone=FedoraWorkstation --add-port=69/udp --add-port=80/tcp" */
  command: string;
}

export type ClientStage = 'dhcp' | 'loader' | 'menu' | 'kernel' | 'initrd' | 'rootfs' | 'done' | 'failed';
export type Firmware = 'bios' | 'uefi' | 'uefi-http' | 'ipxe' | 'unknown';

export type TransferOutcome = 'active' | 'done' | 'failed' | 'aborted';

export interface TransferProgress {
  id: string;
  protocol: 'tftp' | 'http';
  clientIp: string;
  mac: string | null;
  file: string;
  bytes: number;
  total: number | null;
  rate: number; // bytes/s, smoothed
  startedAt: number; // epoch ms
  endedAt: number | null;
  outcome: TransferOutcome;
  error: string | null;
  /** Only part of the file (an HTTP range): finishing it does not mean the whole file arrived. */
  partial?: boolean;
}

export interface ClientState {
  mac: string;
  ip: string | null;
  firmware: Firmware;
  arch: number | null; // option 93
  entryId: string | null;
  stage: ClientStage;
  transfers: TransferProgress[]; // most recent last, bounded
  firstSeen: number;
  lastSeen: number;
  /** The boot chain this PC is on ("iPXE", "Secure Boot chain: Debian shim → GRUB"), once known. */
  chain?: string | null;
  /** What the user should know or do about this PC (e.g. Secure Boot refused iPXE), latest first. */
  notice?: string | null;
  /** What the PC's iPXE said about it when it fetched its menu (issue 14), once known. */
  pc?: PcInfo | null;
}

/**
 * A PC as its iPXE describes it in the menu request's query string (main/boot/pc-facts.ts): maker and
 * model from SMBIOS, RAM, firmware and the network driver iPXE runs on. null = iPXE did not say.
 */
export interface PcInfo {
  maker: string | null;
  model: string | null;
  /** RAM in MiB: iPXE's ${memsize} when the build has it, else SMBIOS (a lower bound). */
  ramMiB: number | null;
  /** Where ramMiB came from: 'memsize' is exact, 'smbios' counts the first memory range or module. */
  ramSource: 'memsize' | 'smbios' | null;
  /** iPXE's ${platform}: 'pcbios' or 'efi'. */
  platform: string | null;
  /** iPXE's ${buildarch}: 'i386', 'x86_64', 'arm64'. */
  arch: string | null;
  /** The network driver iPXE runs on (${net0/chip}): 'SNP'/'NII' is the firmware's own, else iPXE's. */
  nic: string | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogEntry {
  time: number;
  level: LogLevel;
  scope: string; // 'dhcp', 'tftp', 'http', 'session', ...
  message: string;
  client?: string;
}

export interface EngineSnapshot {
  version: number;
  state: ServingState;
  sources: SourceSummary[];
  menu: MenuSettings;
  interfaces: NetInterface[];
  clients: ClientState[];
}

export type EngineEvent =
  | { type: 'state'; state: ServingState }
  | { type: 'sources'; sources: SourceSummary[] }
  | { type: 'menu'; menu: MenuSettings }
  | { type: 'interfaces'; interfaces: NetInterface[] }
  | { type: 'client'; client: ClientState }
  | { type: 'transfer'; transfer: TransferProgress }
  | { type: 'log'; entry: LogEntry };

/** A server-side file picker entry (the browser UI has no file paths). */
export interface BrowseEntry {
  name: string;
  path: string;
  kind: 'dir' | 'iso' | 'volume';
  size?: number;
}
export interface BrowseResult {
  path: string;
  parent: string | null;
  entries: BrowseEntry[];
}

/** An ISO file found near the top of a drive or volume. */
export interface IsoOnVolume {
  name: string;
  path: string;
  size: number;
}
/** A plugged-in drive or mounted volume (USB stick, other disk, DVD, network share) and its ISO files. */
export interface Volume {
  path: string; // mount point ("D:\\" on Windows)
  name: string; // the volume's folder name or drive letter
  size: number | null; // bytes
  free: number | null;
  /** .iso files at its top and one folder down (bounded), sorted by path. */
  isos: IsoOnVolume[];
  /** Why it could not be looked at (e.g. a network share that no longer answers); its isos are then empty. */
  error: string | null;
}
export interface VolumeList {
  volumes: Volume[];
  /** Why no volumes could be listed at all (df timed out, wmic missing), for a hint in the dialog. */
  error: string | null;
}

/**
 * The API the renderer sees as `window.bootdrop` (preload) or through the WebSocket bridge.
 * Every method is a request/response; events arrive through `onEvent`.
 */
interface BootdropRequests {
  snapshot: { req: void; res: EngineSnapshot };
  refreshInterfaces: { req: void; res: NetInterface[] };
  addSource: { req: { path: string }; res: SourceSummary };
  removeSource: { req: { id: string }; res: void };
  setInterface: { req: { name: string }; res: void };
  setMode: { req: { mode: ServeMode }; res: void };
  setMenu: { req: { menu: MenuSettings }; res: MenuSettings };
  start: { req: void; res: ServingState };
  stop: { req: void; res: ServingState };
  /**
   * Ask the host firewall again what it blocks on the serving interface (after the ports were opened, by
   * the desktop app's helper or by hand): ServingState.firewallBlocked follows. Not serving: the state as is.
   */
  recheckFirewall: { req: void; res: ServingState };
  browse: { req: { path?: string }; res: BrowseResult };
  /** Drives and volumes with their ISO files, for the Open dialog (slow disks time out, never block). */
  volumes: { req: void; res: VolumeList };
  exportLog: { req: void; res: string };
}
export type RequestName = keyof BootdropRequests;
export type RequestOf<K extends RequestName> = BootdropRequests[K]['req'];
export type ResponseOf<K extends RequestName> = BootdropRequests[K]['res'];

export type BootdropApi = {
  [K in RequestName]: RequestOf<K> extends void
    ? () => Promise<ResponseOf<K>>
    : (req: RequestOf<K>) => Promise<ResponseOf<K>>;
} & {
  onEvent(listener: (event: EngineEvent) => void): () => void;
};

export const REQUEST_NAMES: readonly RequestName[] = [
  'snapshot',
  'refreshInterfaces',
  'addSource',
  'removeSource',
  'setInterface',
  'setMode',
  'setMenu',
  'start',
  'stop',
  'recheckFirewall',
  'browse',
  'volumes',
  'exportLog',
];
