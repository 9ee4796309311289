/**
 * What the kernel knows about the link auto mode is deciding on: the other machines it has talked to
 * (the ARP table) and whether the default route leaves through it (a router on this link). Linux reads
 * /proc/net (per network namespace); macOS and Windows ask `arp` and `route` (asynchronously, with a
 * time limit). Anything unreadable is "cannot tell", which keeps auto on proxy. The parsers are pure.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface LinkNeighbours {
  /** MACs of machines in the kernel's ARP table for this interface; null: cannot tell. */
  macs: string[] | null;
  /** A default route leaves through this interface; null: cannot tell. */
  defaultRouteHere: boolean | null;
}

/** MACs of complete ARP entries on `iface` (/proc/net/arp: IP, HW type, Flags, HW address, Mask, Device). */
export function arpMacsOn(arpText: string, iface: string): string[] {
  const macs = new Set<string>();
  for (const line of arpText.split('\n').slice(1)) {
    const [, , flags, mac, , dev] = line.trim().split(/\s+/);
    // Flags 0x0 is an incomplete entry: someone we asked for, who never answered.
    if (dev !== iface || !mac || flags === '0x0' || mac === '00:00:00:00:00:00') continue;
    macs.add(mac.toLowerCase());
  }
  return [...macs];
}

/** Whether /proc/net/route has an up default route (destination and mask 0) through `iface`. */
export function defaultRouteVia(routeText: string, iface: string): boolean {
  for (const line of routeText.split('\n').slice(1)) {
    const [dev, dest, , flags, , , , mask] = line.trim().split(/\s+/);
    if (dev !== iface || dest !== '00000000' || mask !== '00000000') continue;
    if ((Number.parseInt(flags ?? '0', 16) & 0x1) === 0x1) return true; // RTF_UP
  }
  return false;
}

const MAC = /^([0-9a-f]{1,2}[:-]){5}[0-9a-f]{1,2}$/i;

/** Two-digit, colon-separated, lower case (macOS drops leading zeros, Windows uses dashes). */
function normalMac(mac: string): string {
  return mac
    .split(/[:-]/)
    .map((b) => b.padStart(2, '0'))
    .join(':')
    .toLowerCase();
}

/** macOS `arp -a -n -i en0`: "? (192.168.1.1) at 0:11:22:33:44:55 on en0 ifscope [ethernet]". */
export function macosArpMacs(text: string, iface: string): string[] {
  const macs = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /\) at (\S+) on (\S+)/.exec(line);
    if (!m || m[2] !== iface || !MAC.test(m[1]!) || /^ff(:ff){5}$/i.test(m[1]!)) continue;
    macs.add(normalMac(m[1]!));
  }
  return [...macs];
}

/** macOS `route -n get default`: "interface: en0" names where the default route leaves. */
export function macosDefaultVia(text: string, iface: string): boolean {
  return /^\s*interface:\s*(\S+)\s*$/m.exec(text)?.[1] === iface;
}

/**
 * Windows `arp -a -N <address>`: rows "  192.168.1.1   aa-bb-cc-dd-ee-ff   dynamic" under that
 * interface's header; only dynamic entries are machines (static ones are broadcast and multicast).
 */
export function windowsArpMacs(text: string): string[] {
  const macs = new Set<string>();
  for (const line of text.split('\n')) {
    const [, mac, type] = line.trim().split(/\s+/);
    if (mac && MAC.test(mac) && type?.toLowerCase() === 'dynamic') macs.add(normalMac(mac));
  }
  return [...macs];
}

/** Windows `route print -4 0.0.0.0`: a row "0.0.0.0  0.0.0.0  <gateway>  <interface address>  <metric>". */
export function windowsDefaultVia(text: string, address: string): boolean {
  return text.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[0] === '0.0.0.0' && cols[1] === '0.0.0.0' && cols[3] === address;
  });
}

function run(file: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 3000, killSignal: 'SIGKILL', encoding: 'utf8', windowsHide: true }, (err, out) =>
      resolve(err ? null : String(out)),
    );
  });
}

export async function readLinkNeighbours(
  iface: { name: string; address: string },
  platform: NodeJS.Platform = process.platform,
): Promise<LinkNeighbours> {
  if (platform === 'darwin') {
    const [arp, route] = await Promise.all([
      run('arp', ['-a', '-n', '-i', iface.name]),
      run('route', ['-n', 'get', 'default']),
    ]);
    // No default route at all makes `route get` fail: nothing leaves through this interface then.
    return {
      macs: arp === null ? null : macosArpMacs(arp, iface.name),
      defaultRouteHere: route !== null && macosDefaultVia(route, iface.name),
    };
  }
  if (platform === 'win32') {
    const [arp, route] = await Promise.all([
      run('arp', ['-a', '-N', iface.address]),
      run('route', ['print', '-4', '0.0.0.0']),
    ]);
    return {
      macs: arp === null ? null : windowsArpMacs(arp),
      defaultRouteHere: route === null ? null : windowsDefaultVia(route, iface.address),
    };
  }
  if (platform !== 'linux') return { macs: null, defaultRouteHere: null };
  const name = iface.name;
  const [arp, route] = await Promise.all([
    readFile('/proc/net/arp', 'utf8').catch(() => null),
    readFile('/proc/net/route', 'utf8').catch(() => null),
  ]);
  return {
    macs: arp === null ? null : arpMacsOn(arp, name),
    defaultRouteHere: route === null ? null : defaultRouteVia(route, name),
  };
}
