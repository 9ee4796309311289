/**
 * The machine's IPv4 interfaces as the contract's NetInterface, with one recommended for serving.
 * os.networkInterfaces() gives addresses; on Linux /sys/class/net adds what Node does not know:
 * link state, wireless, virtual (bridges, veths, docker, libvirt) and MTU.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LinkKind, NetInterface } from '../contract';
import { maskToPrefix, prefixToMask } from './ipv4';

export interface ListInterfacesOptions {
  /** Where sysfs' net class lives; tests point it at a fixture tree. */
  sysfsNet?: string;
  /** Address data; defaults to os.networkInterfaces(). */
  addresses?: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  platform?: NodeJS.Platform;
  /** How long `ip` may take before its answer is given up on (default 2000 ms). */
  ipTimeoutMs?: number;
}

interface LinkFacts {
  up: boolean | null;
  kind: LinkKind;
  mtu?: number;
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** What /sys/class/net/<name> says about a link; nulls when sysfs has no entry (non-Linux). */
function linkFactsFromSysfs(sysfsNet: string, name: string): LinkFacts | null {
  const dir = path.join(sysfsNet, name);
  if (!fs.existsSync(dir)) return null;
  const flags = Number.parseInt(readText(path.join(dir, 'flags')) ?? '', 16);
  const oper = readText(path.join(dir, 'operstate'));
  const adminUp = Number.isFinite(flags) ? (flags & 0x1) === 0x1 : true; // IFF_UP
  // 'unknown' is what loopback, tun and some drivers report while passing traffic.
  const up = adminUp && (oper === null || oper === 'up' || oper === 'unknown');
  const mtuN = Number(readText(path.join(dir, 'mtu')));
  let target = dir;
  try {
    target = fs.realpathSync(dir);
  } catch {
    /* a plain directory in fixtures */
  }
  let kind: LinkKind = 'wired';
  const type = readText(path.join(dir, 'type'));
  if (type === '772' || name === 'lo') kind = 'loopback';
  else if (fs.existsSync(path.join(dir, 'wireless')) || fs.existsSync(path.join(dir, 'phy80211'))) kind = 'wireless';
  else if (target.includes('/devices/virtual/') || fs.existsSync(path.join(dir, 'virtual'))) kind = 'virtual';
  else if (type !== null && type !== '1') kind = 'unknown'; // not Ethernet (e.g. InfiniBand, PPP)
  return { up, kind, ...(mtuN > 0 ? { mtu: mtuN } : {}) };
}

/** Name-based guesses where there is no sysfs (macOS, Windows). */
function guessKind(name: string, internal: boolean): LinkKind {
  if (internal || /^lo\d*$/i.test(name) || /loopback/i.test(name)) return 'loopback';
  if (/^(wl|wlan|wifi|ath|wi-?fi)/i.test(name) || /wi-?fi|wireless/i.test(name)) return 'wireless';
  if (
    /^(docker|br-|virbr|veth|vmnet|vboxnet|utun|tun|tap|bridge|awdl|llw|zt|tailscale|wg)/i.test(name) ||
    /virtual|vethernet|hyper-v/i.test(name)
  ) {
    return 'virtual';
  }
  return /^(en|eth|em|eno|ens|enp)/i.test(name) || /ethernet/i.test(name) ? 'wired' : 'unknown';
}

/** Serving preference: a cable to the PC beats Wi-Fi (through a router) beats a virtual link. */
const KIND_RANK: Record<LinkKind, number> = { wired: 0, unknown: 1, wireless: 2, virtual: 3, loopback: 99 };

/**
 * Addressed interfaces that os.networkInterfaces() leaves out: libuv skips links that are not
 * RUNNING, i.e. an Ethernet port whose cable leads to a PC that is still off. That is exactly the
 * bare-cable case, so on Linux ask iproute2 for them (absent, failing or slow → nothing added).
 * Asynchronous with a time limit: the engine's event loop also runs DHCP, TFTP and HTTP.
 */
async function addressesWithoutCarrier(
  known: NodeJS.Dict<os.NetworkInterfaceInfo[]>,
  timeoutMs: number,
): Promise<NodeJS.Dict<os.NetworkInterfaceInfo[]>> {
  const out = await new Promise<string | null>((resolve) => {
    execFile(
      'ip',
      ['-j', '-4', 'addr', 'show'],
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
      (err, stdout) => resolve(err ? null : stdout),
    );
  });
  if (out === null) return {};
  const extra: NodeJS.Dict<os.NetworkInterfaceInfo[]> = {};
  try {
    for (const link of JSON.parse(out) as Array<{
      ifname: string;
      address?: string;
      addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
    }>) {
      if (known[link.ifname]) continue;
      const infos = (link.addr_info ?? [])
        .filter((a) => a.family === 'inet')
        .map((a) => ({
          address: a.local,
          netmask: prefixToMask(a.prefixlen),
          family: 'IPv4' as const,
          mac: link.address ?? '00:00:00:00:00:00',
          internal: false,
          cidr: `${a.local}/${a.prefixlen}`,
        }));
      if (infos.length > 0) extra[link.ifname] = infos;
    }
  } catch {
    return {};
  }
  return extra;
}

const IP_TIMEOUT_MS = 2000;

/** The interfaces, with links without carrier added on Linux (a subprocess, never blocking). */
export async function listInterfaces(opts: ListInterfacesOptions = {}): Promise<NetInterface[]> {
  const platform = opts.platform ?? process.platform;
  let addresses = opts.addresses;
  if (!addresses) {
    addresses = os.networkInterfaces();
    if (platform === 'linux')
      addresses = { ...addresses, ...(await addressesWithoutCarrier(addresses, opts.ipTimeoutMs ?? IP_TIMEOUT_MS)) };
  }
  return describeInterfaces(addresses, { ...opts, platform });
}

/** The pure part: addresses (and sysfs, when there is one) to the contract's list. */
function describeInterfaces(
  addresses: NodeJS.Dict<os.NetworkInterfaceInfo[]>,
  opts: Omit<ListInterfacesOptions, 'addresses'> = {},
): NetInterface[] {
  const platform = opts.platform ?? process.platform;
  const sysfsNet = opts.sysfsNet ?? (platform === 'linux' ? '/sys/class/net' : null);
  const list: NetInterface[] = [];
  for (const [name, infos] of Object.entries(addresses)) {
    const v4 = (infos ?? []).filter((i) => i.family === 'IPv4');
    // Prefer a routable address over link-local 169.254/16 when an interface has both.
    const info = v4.find((i) => !i.address.startsWith('169.254.')) ?? v4[0];
    if (!info) continue;
    const facts = sysfsNet ? linkFactsFromSysfs(sysfsNet, name) : null;
    const kind = info.internal ? 'loopback' : (facts?.kind ?? guessKind(name, info.internal));
    const prefix = info.cidr ? Number(info.cidr.split('/')[1]) : maskToPrefix(info.netmask);
    list.push({
      name,
      address: info.address,
      prefix,
      netmask: info.netmask,
      mac: info.mac.toLowerCase(),
      up: facts?.up ?? true, // Node lists only configured interfaces; without sysfs assume up
      kind,
      ...(facts?.mtu ? { mtu: facts.mtu } : {}),
      recommended: false,
    });
  }
  const best = recommend(list);
  return list.map((i) => ({ ...i, recommended: i === best }));
}

/** The interface to serve on: up, addressed, not loopback, best kind; ties go to the listing order. */
function recommend(list: NetInterface[]): NetInterface | null {
  const usable = list.filter((i) => i.up && i.kind !== 'loopback' && i.address !== '');
  usable.sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind]);
  return usable[0] ?? null;
}

/** Find an interface by name, with an error that lists the choices. */
export async function findInterface(name: string, list?: NetInterface[]): Promise<NetInterface> {
  list ??= await listInterfaces();
  const hit = list.find((i) => i.name === name);
  if (hit) return hit;
  const names = list.map((i) => i.name).join(', ') || 'none';
  throw new Error(`no IPv4 interface called "${name}" (available: ${names}); run "bootdrop interfaces" to see them`);
}
