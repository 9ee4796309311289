/**
 * What the kernel knows about the link auto mode is deciding on: the other machines it has talked to
 * (the ARP table) and whether the default route leaves through it (a router on this link). Linux reads
 * /proc/net (per network namespace); elsewhere the answer is "cannot tell", which keeps auto on proxy.
 * The parsers are pure; reading is asynchronous and never runs a subprocess.
 */
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

export async function readLinkNeighbours(
  iface: string,
  platform: NodeJS.Platform = process.platform,
): Promise<LinkNeighbours> {
  if (platform !== 'linux') return { macs: null, defaultRouteHere: null };
  const [arp, route] = await Promise.all([
    readFile('/proc/net/arp', 'utf8').catch(() => null),
    readFile('/proc/net/route', 'utf8').catch(() => null),
  ]);
  return {
    macs: arp === null ? null : arpMacsOn(arp, iface),
    defaultRouteHere: route === null ? null : defaultRouteVia(route, iface),
  };
}
