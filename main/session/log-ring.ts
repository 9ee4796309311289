import type { LogEntry } from '../contract';

/** Longest message kept: lines quote what clients sent (file names, URLs), which can be 64 KiB. */
export const MAX_MESSAGE = 1000;

/**
 * The session's log: a bounded ring (a boot storm must not grow memory without limit: at most
 * `capacity` entries of at most MAX_MESSAGE characters), exported as plain text lines for bug reports.
 * When full, the oldest debug/info line goes first: warnings and errors (refusals, their summaries,
 * failures) are the evidence of an attack or a fault and outlive routine lines ("sent X", "not found").
 */
export class LogRing {
  private entries: LogEntry[] = [];
  private dropped = 0;

  constructor(private readonly capacity = 2000) {}

  push(entry: LogEntry): void {
    this.entries.push(
      entry.message.length > MAX_MESSAGE
        ? { ...entry, message: `${entry.message.slice(0, MAX_MESSAGE)}… (${entry.message.length} characters)` }
        : entry,
    );
    if (this.entries.length > this.capacity) {
      const routine = this.entries.findIndex((e) => e.level === 'debug' || e.level === 'info');
      this.entries.splice(routine >= 0 ? routine : 0, 1);
      this.dropped++;
    }
  }

  list(): LogEntry[] {
    return [...this.entries];
  }

  get size(): number {
    return this.entries.length;
  }

  /** One line per entry: ISO time, level, scope, client, message. */
  toText(): string {
    const head =
      this.dropped > 0
        ? [`# ${this.dropped} older entries dropped (log keeps ${this.capacity}, warnings and errors longest)`]
        : [];
    const lines = this.entries.map((e) => {
      const client = e.client ? ` [${e.client}]` : '';
      return `${new Date(e.time).toISOString()} ${e.level.toUpperCase().padEnd(5)} ${e.scope}${client}: ${e.message}`;
    });
    return [...head, ...lines].join('\n') + (lines.length || head.length ? '\n' : '');
  }
}
