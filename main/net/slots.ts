/**
 * Who gets a connection or transfer slot when slots run short: the fairness policy shared by the HTTP
 * and TFTP servers. Pure; the servers keep their own tables and ask `admit` before taking a newcomer.
 *
 * A LAN host (or a handful of them) must not be able to hold every slot a booting PC needs:
 * - each source has a cap well below the global one;
 * - a few slots are reserved for sources the DHCP side just answered (booting PCs);
 * - when full, the holder silent longest (at least `staleMs`) makes room — slowloris headers, idle
 *   keep-alives, spoofed never-ACKed requests;
 * - failing that, the source holding the most slots gives up its stalest one to a source that holds
 *   fewer, so slow-but-alive floods from several hosts cannot starve a newcomer either.
 */

export interface SlotLimits {
  /** Slots in all. */
  max: number;
  /** Slots one source may hold. */
  perSource: number;
  /** Slots only sources in the "recently answered" set may fill. */
  reserve: number;
  /** A holder quiet this long may be evicted to make room. */
  staleMs: number;
}

/** One slot in use, as the policy needs to see it. */
export interface SlotHolder {
  source: string;
  /** The address it came from: a source key that changed since (address → MAC) still counts it. */
  ip?: string;
  /** Last sign of progress (request, ACK, bytes sent): older means more evictable. */
  lastActive: number;
}

export interface Newcomer {
  source: string;
  ip?: string;
  /** The DHCP side answered this source recently (a booting PC): it may use the reserve. */
  reserved: boolean;
}

export type Admission<H> =
  | { kind: 'admit' }
  | { kind: 'evict'; victim: H; why: 'stale' | 'fair-share' }
  | { kind: 'refuse'; why: 'per-source' | 'full' };

/**
 * Decide about a newcomer given the current holders. `evict` means: end `victim`, then admit.
 * O(holders); the tables are a few hundred entries.
 */
export function admit<H extends SlotHolder>(
  holders: Iterable<H>,
  who: Newcomer,
  now: number,
  limits: SlotLimits,
): Admission<H> {
  const list = [...holders];
  const perSource = new Map<string, number>();
  for (const h of list) perSource.set(h.source, (perSource.get(h.source) ?? 0) + 1);
  // Its holders: by source, and by address too, since a source admitted as its address before DHCP
  // learned its MAC must not get a second cap under the MAC.
  const ownedBy = (h: H) => h.source === who.source || (who.ip !== undefined && h.ip === who.ip);
  const mine = list.filter(ownedBy).length;
  const isStale = (h: H) => now - h.lastActive >= limits.staleMs;
  const stalest = (pool: H[]) => pool.reduce<H | null>((a, h) => (!a || h.lastActive < a.lastActive ? h : a), null);

  if (mine >= limits.perSource) {
    // Its own quiet holders (idle keep-alives, abandoned transfers) make room for its new one.
    const own = stalest(list.filter((h) => ownedBy(h) && isStale(h)));
    return own ? { kind: 'evict', victim: own, why: 'stale' } : { kind: 'refuse', why: 'per-source' };
  }
  const room = who.reserved ? limits.max : Math.max(0, limits.max - limits.reserve);
  if (list.length < room) return { kind: 'admit' };

  const quiet = stalest(list.filter(isStale));
  if (quiet) return { kind: 'evict', victim: quiet, why: 'stale' };

  // Nobody quiet: take from the biggest holder, if it holds at least two more than the newcomer will.
  let biggest: string | null = null;
  let most = 0;
  for (const [source, n] of perSource) if (n > most) [biggest, most] = [source, n];
  if (biggest !== null && biggest !== who.source && most >= mine + 2) {
    const victim = stalest(list.filter((h) => h.source === biggest));
    if (victim) return { kind: 'evict', victim, why: 'fair-share' };
  }
  return { kind: 'refuse', why: 'full' };
}

/**
 * Sources the DHCP side answered lately (MACs and addresses, as the session learns them), each kept for
 * `ttlMs`; bounded, oldest forgotten first. The servers see it only as `(ip) => boolean`.
 */
export class RecentlyAnswered {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly maxKeys = 1024,
    private readonly now: () => number = Date.now,
  ) {}

  note(key: string): void {
    const k = key.toLowerCase();
    this.seen.delete(k); // re-insert: Map order is our age order
    if (this.seen.size >= this.maxKeys) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(k, this.now());
  }

  has(key: string): boolean {
    const at = this.seen.get(key.toLowerCase());
    return at !== undefined && this.now() - at < this.ttlMs;
  }

  get size(): number {
    return this.seen.size;
  }
}
