import type { TransferOutcome, TransferProgress } from '../contract';

export interface TransferStart {
  protocol: 'tftp' | 'http';
  clientIp: string;
  file: string;
  total: number | null;
  partial?: boolean; // an HTTP range, not the whole file
}

/** Handle a server holds for one transfer; cheap to call per block. */
export interface TransferHandle {
  readonly id: string;
  /** Count bytes sent (the client acknowledged them, for TFTP). */
  add(bytes: number): void;
  /** Set the absolute byte count (for retransmits/rewinds). */
  set(bytes: number): void;
  finish(outcome: Exclude<TransferOutcome, 'active'>, error?: string): void;
}

export type TransferListener = (t: TransferProgress) => void;

export interface TransferTrackerOptions {
  /** Minimum ms between progress events for one transfer (the end is always reported). */
  intervalMs?: number;
  /** MAC for a client IP, when DHCP has seen it. */
  macFor?: (ip: string) => string | null;
  now?: () => number;
}

/**
 * Turns per-block counts from TFTP/HTTP into coalesced TransferProgress events: at most one every
 * `intervalMs` per transfer (default 250 ms), so a 50-client boot storm cannot flood IPC or a terminal.
 * Rate is an exponentially smoothed bytes/s.
 */
export class TransferTracker {
  private seq = 0;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly active = new Map<string, TransferProgress>();

  constructor(
    private readonly listener: TransferListener,
    private readonly opts: TransferTrackerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 250;
    this.now = opts.now ?? Date.now;
  }

  get activeCount(): number {
    return this.active.size;
  }

  begin(start: TransferStart): TransferHandle {
    const id = `${start.protocol}-${++this.seq}`;
    const t0 = this.now();
    const p: TransferProgress = {
      id,
      protocol: start.protocol,
      clientIp: start.clientIp,
      mac: this.opts.macFor?.(start.clientIp) ?? null,
      file: start.file,
      bytes: 0,
      total: start.total,
      rate: 0,
      startedAt: t0,
      endedAt: null,
      outcome: 'active',
      error: null,
      ...(start.partial ? { partial: true } : {}),
    };
    this.active.set(id, p);
    let lastEmit = t0;
    let lastBytes = 0;
    let done = false;
    const emit = (force: boolean) => {
      const now = this.now();
      const dt = now - lastEmit;
      if (!force && dt < this.intervalMs) return;
      if (dt > 0) {
        const inst = ((p.bytes - lastBytes) * 1000) / dt;
        p.rate = p.rate === 0 ? inst : p.rate * 0.5 + inst * 0.5;
      }
      lastEmit = now;
      lastBytes = p.bytes;
      this.listener({ ...p });
    };
    this.listener({ ...p });
    return {
      id,
      add: (bytes) => {
        if (done) return;
        p.bytes += bytes;
        emit(false);
      },
      set: (bytes) => {
        if (done) return;
        p.bytes = bytes;
        emit(false);
      },
      finish: (outcome, error) => {
        if (done) return;
        done = true;
        p.outcome = outcome;
        p.error = error ?? null;
        p.endedAt = this.now();
        const elapsed = p.endedAt - p.startedAt;
        if (elapsed > 0) p.rate = (p.bytes * 1000) / elapsed;
        this.active.delete(id);
        this.listener({ ...p });
      },
    };
  }
}
