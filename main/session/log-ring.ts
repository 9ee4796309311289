import type { LogEntry } from '../contract';

/**
 * The session's log: a bounded ring (a boot storm must not grow memory without limit), exported as
 * plain text lines for bug reports.
 */
export class LogRing {
  private entries: LogEntry[] = [];
  private dropped = 0;

  constructor(private readonly capacity = 2000) {}

  push(entry: LogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) {
      const excess = this.entries.length - this.capacity;
      this.entries.splice(0, excess);
      this.dropped += excess;
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
    const head = this.dropped > 0 ? [`# ${this.dropped} older entries dropped (log keeps the last ${this.capacity})`] : [];
    const lines = this.entries.map((e) => {
      const client = e.client ? ` [${e.client}]` : '';
      return `${new Date(e.time).toISOString()} ${e.level.toUpperCase().padEnd(5)} ${e.scope}${client}: ${e.message}`;
    });
    return [...head, ...lines].join('\n') + (lines.length || head.length ? '\n' : '');
  }
}
