/**
 * Lines for systemd's journal. Under a unit, stdout and stderr are journal streams and systemd says so
 * in JOURNAL_STREAM ("<device>:<inode>" of the stream). A line starting "<N>" then gets syslog priority
 * N (sd-daemon(3)), so `journalctl -p warning -u bootdrop` finds warnings. Anywhere else (a terminal,
 * a pipe, a test) lines stay as they are.
 */
import { fstatSync } from 'node:fs';
import type { LogLevel } from '../contract';

/** A line's weight: the engine's log levels, plus notice for milestones (ready, reloaded, stopped). */
export type LinePriority = LogLevel | 'notice';

const SYSLOG: Record<LinePriority, number> = { error: 3, warn: 4, notice: 5, info: 6, debug: 7 };

/** Pure: is the stream with this device and inode the one JOURNAL_STREAM names? */
export function isJournalStream(journalStream: string | undefined, stat: { dev: bigint; ino: bigint }): boolean {
  const m = /^(\d+):(\d+)$/.exec(journalStream ?? '');
  return m !== null && BigInt(m[1]!) === stat.dev && BigInt(m[2]!) === stat.ino;
}

/** Pure: the line with its priority prefix (one per line of a multi-line text). */
export function withPriority(priority: LinePriority, text: string): string {
  return text
    .split('\n')
    .map((line) => `<${SYSLOG[priority]}>${line}`)
    .join('\n');
}

/** Whether file descriptor `fd` (1 = stdout, 2 = stderr) is connected to the journal. */
export function fdIsJournal(fd: number, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!env.JOURNAL_STREAM) return false;
  try {
    return isJournalStream(env.JOURNAL_STREAM, fstatSync(fd, { bigint: true }));
  } catch {
    return false;
  }
}

/** A formatter for one stream: prefixes priorities when that stream is the journal, else leaves lines alone. */
export function lineFormatter(
  fd: number,
  env: NodeJS.ProcessEnv = process.env,
): (p: LinePriority, text: string) => string {
  return fdIsJournal(fd, env) ? withPriority : (_p, text) => text;
}
