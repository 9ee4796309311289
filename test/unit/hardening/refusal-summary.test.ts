import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogLevel } from '../../../main/contract';
import { RefusalSummary } from '../../../main/log';
import { LogRing } from '../../../main/session/log-ring';

interface Line {
  level: LogLevel;
  message: string;
  client?: string;
}

describe('RefusalSummary', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('logs the first refusal per client, then one summary line per client per window', () => {
    const lines: Line[] = [];
    const s = new RefusalSummary(
      (level, message, client) => lines.push({ level, message, client }),
      'refused requests',
    );
    for (let i = 0; i < 10_000; i++) s.note(i % 2 ? 'warn' : 'info', `refused /x${i}`, `10.0.0.${i % 10}`);
    expect(lines).toHaveLength(10); // one per client so far
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(20);
    const summary = lines.find((l) => l.client === '10.0.0.1' && /more/.test(l.message))!;
    expect(summary.message).toMatch(/^999 more refused requests in the last 10 s; the latest: refused \/x9991$/);
    expect(summary.level).toBe('warn');
    // A flood that goes on costs one line per client per window, not a first line again.
    for (let i = 0; i < 1000; i++) s.note('warn', 'refused', '10.0.0.1');
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(21);
    // Quiet windows close without a line; the next refusal is logged at once again.
    vi.advanceTimersByTime(30_000);
    s.note('warn', 'refused again', '10.0.0.1');
    expect(lines.at(-1)!.message).toBe('refused again');
    expect(lines).toHaveLength(22);
  });

  it('a burst lets the first N lines through (PXE clients try several names) and close() writes what is pending', () => {
    const lines: Line[] = [];
    const s = new RefusalSummary((level, message, client) => lines.push({ level, message, client }), 'misses', {
      burst: 3,
    });
    for (let i = 0; i < 10; i++) s.note('info', `not found: f${i}`, 'pc');
    expect(lines.map((l) => l.message)).toEqual(['not found: f0', 'not found: f1', 'not found: f2']);
    s.close();
    expect(lines.at(-1)!.message).toMatch(/^7 more misses in the last \d+ s; the latest: not found: f9$/);
  });

  it('tracks a bounded number of clients; the rest share one "other clients" summary', () => {
    const lines: Line[] = [];
    const s = new RefusalSummary((level, message, client) => lines.push({ level, message, client }), 'refusals', {
      maxClients: 5,
    });
    for (let i = 0; i < 5000; i++) s.note('warn', 'refused', `mac-${i}`);
    expect(lines).toHaveLength(5);
    s.close();
    expect(lines).toHaveLength(6);
    expect(lines[5]).toMatchObject({ client: undefined, message: expect.stringMatching(/^4995 more refusals/) });
  });
});

describe('LogRing keeps the evidence', () => {
  it('drops debug/info lines before warnings and errors when full', () => {
    const ring = new LogRing(100);
    for (let i = 0; i < 20; i++) ring.push({ time: i, level: 'warn', scope: 'http', message: `attack ${i}` });
    for (let i = 0; i < 10_000; i++) ring.push({ time: 100 + i, level: 'info', scope: 'http', message: `sent ${i}` });
    const kept = ring.list();
    expect(kept).toHaveLength(100);
    expect(kept.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual(
      Array.from({ length: 20 }, (_, i) => `attack ${i}`),
    );
    expect(kept.at(-1)!.message).toBe('sent 9999');
    expect(ring.toText()).toMatch(/^# 9920 older entries dropped/);
  });
});
