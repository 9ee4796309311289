/**
 * Per-key token buckets with a bounded table, for flood handling: anyone on the link can send us
 * packets as fast as the wire allows, and one noisy client must not crowd out the others. Pure; the
 * clock is injected for tests.
 */

export interface RateLimitOptions {
  /** Packets a key may send at once (the bucket size). */
  burst: number;
  /** Packets per second a key earns back. */
  perSecond: number;
  /**
   * Keys tracked at most; beyond it the least recently seen key is forgotten (and starts with a
   * full bucket if it comes back). Bounds memory under a flood of made-up keys (random MACs).
   */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Packets refused since the last time the caller reported them. */
  dropped: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly opts: RateLimitOptions) {
    this.maxKeys = opts.maxKeys ?? 4096;
    this.now = opts.now ?? Date.now;
  }

  /** Take one token for `key`: true if allowed, false if the key is over its rate. */
  take(key: string): boolean {
    const t = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-insert: Map order is our LRU order
      b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.at) / 1000) * this.opts.perSecond);
      b.at = t;
    } else {
      b = { tokens: this.opts.burst, at: t, dropped: 0 };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    b.dropped++;
    return false;
  }

  /** Refused packets for `key` since the last call (for one summary log line instead of one per packet). */
  takeDropped(key: string): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const n = b.dropped;
    b.dropped = 0;
    return n;
  }

  get size(): number {
    return this.buckets.size;
  }
}
