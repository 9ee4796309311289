/**
 * Work that waits until a burst of datagrams has been answered: the DHCP service's logging and
 * client events. libuv reads at most 32 datagrams per socket per loop turn, so running the queue
 * after every turn would put 32 clients' logging (cold code, JSON on stdout, UI updates) in front of
 * the rest of a boot storm's burst. The queue runs after a turn without new datagrams, checking again
 * in 1 ms steps while they keep coming — at most `maxDelayMs` after the first item or once
 * `maxItems` are queued, so a flood cannot postpone logging for long or grow the queue unbounded.
 */
export interface QuietQueueOptions {
  stepMs?: number; // default 1
  maxDelayMs?: number; // default 20
  maxItems?: number; // default 512
}

export class QuietQueue {
  private items: Array<() => void> = [];
  private timer: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout } | null = null;
  private arrivals = 0;
  private since = 0;
  private readonly stepMs: number;
  private readonly maxDelayMs: number;
  private readonly maxItems: number;

  constructor(opts: QuietQueueOptions = {}) {
    this.stepMs = opts.stepMs ?? 1;
    this.maxDelayMs = opts.maxDelayMs ?? 20;
    this.maxItems = opts.maxItems ?? 512;
  }

  get length(): number {
    return this.items.length;
  }

  /** A datagram arrived (call for every one, answered or not): the burst is still going. */
  noteArrival(): void {
    this.arrivals++;
  }

  /** Queue `fn`; it runs once the sockets are quiet (or the bounds are reached), in order. */
  push(fn: () => void): void {
    if (this.items.length === 0) this.since = Date.now();
    this.items.push(fn);
    if (this.timer) return;
    this.arrivals = 0; // count only what arrives after this turn's first item
    this.timer = { immediate: setImmediate(this.check) };
  }

  /** Run everything queued now, in order (stop(): deliver before the final events). */
  flush(): void {
    this.cancelTimer();
    const work = this.items;
    this.items = [];
    for (const fn of work) fn();
  }

  private readonly check = (): void => {
    this.timer = null;
    const busy = this.arrivals > 0 && this.items.length < this.maxItems && Date.now() - this.since < this.maxDelayMs;
    this.arrivals = 0;
    if (busy) this.timer = { timeout: setTimeout(this.check, this.stepMs) };
    else this.flush();
  };

  private cancelTimer(): void {
    if (this.timer && 'timeout' in this.timer) clearTimeout(this.timer.timeout);
    else if (this.timer) clearImmediate(this.timer.immediate);
    this.timer = null;
  }
}
