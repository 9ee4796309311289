/**
 * Addresses handed out in own-DHCP mode: a small window of the interface's subnet, kept in memory.
 * Bounded by construction (one entry per pool address). The clock is injected for tests.
 * Leases are keyed by MAC, not by client identifier (61): the PXE ROM, iPXE and the booted OS
 * (systemd-networkd sends a DUID) use different identifiers on the same NIC, and one address per
 * machine keeps the boot traceable from firmware to OS.
 */
import { broadcastOf, inSubnet, intToIp, ipToInt, networkOf, type Subnet } from '../net';

export interface LeasePoolOptions {
  subnet: Subnet; // the serving interface: its address is the server's and is never handed out
  size?: number; // addresses in the pool (default 64)
  /** Exactly these addresses instead (a relayed subnet's --pool); `size` is then ignored. */
  range?: { start: string; end: string };
  leaseSec?: number; // default 3600
  now?: () => number; // ms
}

type EntryState = 'offered' | 'bound' | 'declined';
interface Entry {
  mac: string | null;
  state: EntryState;
  expires: number;
}

const OFFER_HOLD_MS = 60_000; // an offered address waits this long for the REQUEST
const DECLINE_HOLD_MS = 10 * 60_000; // a declined address (someone else uses it) rests this long

export class LeasePool {
  readonly addresses: readonly string[];
  readonly leaseSec: number;
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  readonly subnet: Subnet;

  constructor(opts: LeasePoolOptions) {
    this.subnet = opts.subnet;
    this.leaseSec = opts.leaseSec ?? 3600;
    this.now = opts.now ?? Date.now;
    this.addresses = opts.range ? rangeAddresses(opts.range) : poolAddresses(opts.subnet, opts.size ?? 64);
    if (this.addresses.length === 0) {
      const subnet = `${networkOf(opts.subnet)}/${opts.subnet.prefix}`;
      throw new Error(`subnet ${subnet} has no room for client addresses; give the interface a /30 or larger`);
    }
  }

  /** In this pool (the addresses we may hand out). */
  owns(ip: string): boolean {
    return this.addresses.includes(ip);
  }

  onSubnet(ip: string): boolean {
    return inSubnet(ip, this.subnet);
  }

  private live(ip: string): Entry | null {
    const e = this.entries.get(ip);
    if (!e) return null;
    if (e.expires <= this.now()) {
      this.entries.delete(ip);
      return null;
    }
    return e;
  }

  private entryOf(mac: string): string | null {
    for (const ip of this.entries.keys()) {
      const e = this.live(ip);
      if (e && e.mac === mac && e.state !== 'declined') return ip;
    }
    return null;
  }

  /** Pick and hold an address for `mac`: its current one, else the requested one if free, else the first free. */
  offer(mac: string, requested: string | null): string | null {
    const current = this.entryOf(mac);
    const ip =
      current ??
      (requested && this.owns(requested) && !this.live(requested)
        ? requested
        : this.addresses.find((a) => !this.live(a)));
    if (!ip) return null;
    const e = this.live(ip);
    if (!e || e.state === 'offered')
      this.entries.set(ip, { mac, state: 'offered', expires: this.now() + OFFER_HOLD_MS });
    return ip;
  }

  /**
   * Bind `ip` to `mac` (DHCPREQUEST). Only what this client was offered or already holds: an
   * unsolicited REQUEST for a free address binds nothing (RFC 2131 4.3.2), so a flood of them
   * from made-up MACs cannot fill the pool for a whole lease time.
   */
  commit(mac: string, ip: string): boolean {
    if (!this.owns(ip)) return false;
    const e = this.live(ip);
    if (!e || e.mac !== mac) return false;
    const previous = this.entryOf(mac);
    if (previous && previous !== ip) this.entries.delete(previous);
    this.entries.set(ip, { mac, state: 'bound', expires: this.now() + this.leaseSec * 1000 });
    return true;
  }

  release(mac: string, ip: string): boolean {
    const e = this.live(ip);
    if (!e || e.mac !== mac) return false;
    this.entries.delete(ip);
    return true;
  }

  /** Forget an offer the client turned down (it chose another server). */
  forgetOffer(mac: string): void {
    for (const [ip, e] of this.entries) if (e.mac === mac && e.state === 'offered') this.entries.delete(ip);
  }

  /**
   * The client found `ip` in use (DHCPDECLINE): park it so nobody gets it for a while. Only the
   * client the address was offered or bound to may decline it; from anyone else it would be a way
   * to evict a neighbour's lease. False when ignored.
   */
  decline(mac: string, ip: string): boolean {
    const e = this.live(ip);
    if (!e || e.mac !== mac || e.state === 'declined') return false;
    this.entries.set(ip, { mac: null, state: 'declined', expires: this.now() + DECLINE_HOLD_MS });
    return true;
  }

  /** Free addresses left (neither offered, bound nor parked). */
  freeCount(): number {
    return this.addresses.filter((a) => !this.live(a)).length;
  }

  /** Never hand out `ip` (a relay agent's own address inside a --pool range). */
  exclude(ip: string): void {
    const e = this.entries.get(ip);
    if (this.owns(ip) && e?.expires !== Infinity)
      this.entries.set(ip, { mac: null, state: 'declined', expires: Infinity });
  }

  macForIp(ip: string): string | null {
    const e = this.live(ip);
    return e && e.state !== 'declined' ? e.mac : null;
  }

  ipForMac(mac: string): string | null {
    return this.entryOf(mac);
  }

  /** Bound leases, for display/tests. */
  leases(): Array<{ ip: string; mac: string; expires: number }> {
    const out: Array<{ ip: string; mac: string; expires: number }> = [];
    for (const ip of [...this.entries.keys()]) {
      const e = this.live(ip);
      if (e && e.state === 'bound' && e.mac) out.push({ ip, mac: e.mac, expires: e.expires });
    }
    return out;
  }
}

/** `start`..`end` inclusive (validated by parsePoolSpec: same subnet, in order, bounded). */
function rangeAddresses(range: { start: string; end: string }): string[] {
  const out: string[] = [];
  for (let n = ipToInt(range.start); n <= ipToInt(range.end); n++) out.push(intToIp(n));
  return out;
}

/**
 * Up to `size` host addresses after the server's own, wrapping around the subnet, skipping the
 * network and broadcast addresses and the server itself.
 */
export function poolAddresses(subnet: Subnet, size: number): string[] {
  if (subnet.prefix > 30) return [];
  const net = ipToInt(networkOf(subnet));
  const bcast = ipToInt(broadcastOf(subnet));
  const self = ipToInt(subnet.address);
  const hosts = bcast - net - 1;
  const out: string[] = [];
  for (let k = 1; k <= hosts && out.length < size; k++) {
    const ip = net + 1 + ((self - net - 1 + k) % hosts);
    if (ip !== self) out.push(intToIp(ip >>> 0));
  }
  return out;
}
