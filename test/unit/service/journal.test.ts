import { closeSync, fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fdIsJournal, isJournalStream, lineFormatter, withPriority } from '../../../main/log';

describe('journal priorities', () => {
  it('prefixes every line with its syslog priority', () => {
    expect(withPriority('error', 'bad')).toBe('<3>bad');
    expect(withPriority('warn', 'careful')).toBe('<4>careful');
    expect(withPriority('notice', 'Ready')).toBe('<5>Ready');
    expect(withPriority('info', 'a\nb')).toBe('<6>a\n<6>b');
    expect(withPriority('debug', 'x')).toBe('<7>x');
  });

  it('matches JOURNAL_STREAM against the stream’s device and inode', () => {
    const stat = { dev: 64769n, ino: 1234567n };
    expect(isJournalStream('64769:1234567', stat)).toBe(true);
    expect(isJournalStream('64769:1234568', stat)).toBe(false);
    expect(isJournalStream(undefined, stat)).toBe(false);
    expect(isJournalStream('garbage', stat)).toBe(false);
  });

  it('prefixes only on the stream systemd named (a real file descriptor stands in for the journal socket)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootdrop-journal-'));
    const fd = openSync(join(dir, 'stream'), 'w');
    try {
      const st = fstatSync(fd, { bigint: true });
      const env = { JOURNAL_STREAM: `${st.dev}:${st.ino}` };
      expect(fdIsJournal(fd, env)).toBe(true);
      expect(lineFormatter(fd, env)('warn', 'w')).toBe('<4>w');
      expect(fdIsJournal(fd, {})).toBe(false);
      expect(lineFormatter(fd, { JOURNAL_STREAM: '1:2' })('warn', 'w')).toBe('w');
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
