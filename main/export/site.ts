/**
 * What an exported site is made of: one description, rendered into dnsmasq.conf, nginx.conf, prepare.sh
 * and the README (one file per rendering, all pure). Every path is absolute so the configs run from any
 * working directory; the served tree mirrors Bootdrop's own (main/boot/layout.ts), so the iPXE menu
 * rendered by the engine works unchanged against nginx and dnsmasq's TFTP.
 */
import * as path from 'node:path';

export type ExportMode = 'proxy' | 'dhcp';

interface ExportedSource {
  id: string;
  /** The ISO file or folder, absolute. */
  hostPath: string;
  kind: 'iso' | 'folder';
  osName: string;
  /** Served-tree path of the source's files, e.g. `/iso/ubuntu-24-04`. */
  treePath: string;
  /** Served-tree path of the whole ISO (`/iso/<id>.iso`), null for folders. */
  rawIsoPath: string | null;
}

export interface ExportSite {
  /** The export directory, absolute. */
  dir: string;
  iface: { name: string; address: string; prefix: number; network: string; netmask: string };
  mode: ExportMode;
  /** dhcp mode: the address ranges handed out (Bootdrop's own pool for this subnet). */
  ranges: Array<{ first: string; last: string }>;
  httpPort: number;
  sources: ExportedSource[];
  /** Loader file names copied into <www>/loaders. */
  loaders: string[];
  /** Boot file per firmware, as served-tree paths (from PxePolicy, so the same as Bootdrop's). */
  bootFiles: { bios: string; uefi: string; menuUrl: string };
}

/** The tree nginx and dnsmasq's TFTP serve (Bootdrop's served tree, on disk). */
export function wwwDir(site: ExportSite): string {
  return path.join(site.dir, 'www');
}

/** Pid files, logs and nginx's temp folders: kept inside the export so nothing else on the host is touched. */
export function runDir(site: ExportSite): string {
  return path.join(site.dir, 'run');
}

/** Where a served-tree path lives on disk. */
export function onDisk(site: ExportSite, treePath: string): string {
  return path.join(wwwDir(site), ...treePath.split('/').filter(Boolean));
}

/** Quote for POSIX sh: single quotes, with embedded ones closed and escaped. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Consecutive addresses of a pool merged into first–last ranges (dnsmasq's dhcp-range wants ranges). */
export function contiguousRanges(addresses: readonly string[]): Array<{ first: string; last: string }> {
  const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const out: Array<{ first: string; last: string; end: number }> = [];
  for (const ip of addresses) {
    const n = toInt(ip);
    const cur = out.at(-1);
    if (cur && n === cur.end + 1) {
      cur.last = ip;
      cur.end = n;
    } else out.push({ first: ip, last: ip, end: n });
  }
  return out.map(({ first, last }) => ({ first, last }));
}
