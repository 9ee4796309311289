import type { LogLevel } from '../contract';
import type { ScopedLog } from './index';

export interface RefusalSummaryOptions {
  /** Summary period per client. Default 10 s (SECURITY.md's promise). */
  windowMs?: number;
  /** Lines logged as they come per client and window before counting starts. Default 1. */
  burst?: number;
  /** Clients tracked at once; beyond it refusals are counted under one "other clients" entry. Default 256. */
  maxClients?: number;
}

interface Window {
  start: number;
  /** Lines logged in this window (up to the burst). */
  logged: number;
  /** Lines counted instead of logged. */
  suppressed: number;
  level: LogLevel;
  latest: string;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const OTHERS = 'other clients';

/**
 * Refusal lines (refused paths, busy, malformed requests) summarised per client: the first `burst` of a
 * window are logged, the rest counted and reported as ONE line when the window closes ("N more … in the
 * last 10 s; the latest: …"). A flood from any number of hosts thus costs a few lines per host per 10 s,
 * and the log keeps room for what else happened.
 */
export class RefusalSummary {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly burst: number;
  private readonly maxClients: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: ScopedLog,
    private readonly what: string,
    opts: RefusalSummaryOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 10_000;
    this.burst = opts.burst ?? 1;
    this.maxClients = opts.maxClients ?? 256;
  }

  /** Log `message` about `client` now, or count it into the client's next summary line. */
  note(level: LogLevel, message: string, client: string): void {
    const now = Date.now();
    let key = client;
    let w = this.windows.get(key);
    if (!w && this.windows.size >= this.maxClients) {
      key = OTHERS;
      w = this.windows.get(key);
    }
    if (!w) {
      w = { start: now, logged: 0, suppressed: 0, level, latest: message };
      this.windows.set(key, w);
      this.arm();
    }
    if (w.logged < this.burst && key !== OTHERS) {
      w.logged++;
      this.log(level, message, client);
      return;
    }
    w.suppressed++;
    w.latest = key === OTHERS ? `${message} (from ${client})` : message;
    if (RANK[level] > RANK[w.level]) w.level = level;
  }

  /** Write the summaries of every window that has closed (all of them with `all`). */
  flush(all = false): void {
    const now = Date.now();
    for (const [client, w] of this.windows) {
      if (!all && now - w.start < this.windowMs) continue;
      if (w.suppressed === 0) {
        this.windows.delete(client);
        continue;
      }
      const secs = Math.max(1, Math.round((now - w.start) / 1000));
      this.log(
        w.level,
        `${w.suppressed} more ${this.what} in the last ${secs} s; the latest: ${w.latest}`,
        client === OTHERS ? undefined : client,
      );
      // Still flooding: the next window counts from the first line (no burst), so a steady flood costs
      // exactly one line per window.
      if (all) this.windows.delete(client);
      else this.windows.set(client, { start: now, logged: this.burst, suppressed: 0, level: w.level, latest: '' });
    }
    this.arm();
  }

  /** Write what is pending and stop the timer (server stop). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush(true);
  }

  private arm(): void {
    if (this.timer || this.windows.size === 0) return;
    let first = Infinity;
    for (const w of this.windows.values()) first = Math.min(first, w.start);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.flush();
      },
      Math.max(0, first + this.windowMs - Date.now()),
    );
    this.timer.unref();
  }
}
