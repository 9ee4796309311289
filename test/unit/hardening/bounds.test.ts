/**
 * Resource bounds as pure units: the per-key rate limiter that DHCP (per MAC) and TFTP (per client,
 * for log lines) use, and the session log ring. SECURITY.md names these tests.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../main/net';
import { LogRing, MAX_MESSAGE } from '../../../main/session/log-ring';

describe('RateLimiter', () => {
  it('allows a burst, then the refill rate, per key; other keys are unaffected', () => {
    let t = 0;
    const rl = new RateLimiter({ burst: 5, perSecond: 2, now: () => t });
    const flood = Array.from({ length: 100 }, () => rl.take('aa'));
    expect(flood.filter(Boolean)).toHaveLength(5);
    expect(rl.takeDropped('aa')).toBe(95);
    expect(rl.takeDropped('aa')).toBe(0);
    expect(rl.take('bb')).toBe(true); // another client still gets through
    t += 1000; // one second earns two packets back
    expect([rl.take('aa'), rl.take('aa'), rl.take('aa')]).toEqual([true, true, false]);
  });

  it('keeps at most maxKeys keys under a flood of made-up keys (random MACs)', () => {
    const rl = new RateLimiter({ burst: 1, perSecond: 1, maxKeys: 100, now: () => 0 });
    for (let i = 0; i < 100_000; i++) rl.take(`mac-${i}`);
    expect(rl.size).toBe(100);
  });
});

describe('LogRing', () => {
  it('keeps the last N entries, each at most MAX_MESSAGE characters, and says how many were dropped', () => {
    const ring = new LogRing(50);
    for (let i = 0; i < 10_000; i++)
      ring.push({ time: i, level: 'warn', scope: 'tftp', message: `${i} ${'x'.repeat(i % 7 === 0 ? 70_000 : 10)}` });
    expect(ring.size).toBe(50);
    const all = ring.list();
    expect(Math.max(...all.map((e) => e.message.length))).toBeLessThanOrEqual(MAX_MESSAGE + 40);
    expect(all[0]!.message.startsWith('9950 ')).toBe(true);
    expect(ring.toText()).toMatch(/^# 9950 older entries dropped/);
    expect(ring.toText().length).toBeLessThan(50 * (MAX_MESSAGE + 120) + 200);
  });
});
