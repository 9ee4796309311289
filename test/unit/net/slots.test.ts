import { describe, expect, it } from 'vitest';
import { admit, RecentlyAnswered, type SlotHolder, type SlotLimits } from '../../../main/net';

const LIMITS: SlotLimits = { max: 8, perSource: 4, reserve: 2, staleMs: 1000 };

function holders(spec: Array<[string, number]>): SlotHolder[] {
  return spec.map(([source, lastActive]) => ({ source, lastActive }));
}

describe('admit (slot fairness)', () => {
  it('admits while there is room outside the reserve', () => {
    const h = holders([['a', 0]]);
    expect(admit(h, { source: 'b', reserved: false }, 0, LIMITS)).toEqual({ kind: 'admit' });
  });

  it('refuses a source at its cap unless one of its own holders is quiet, which then makes room', () => {
    const busy = holders([
      ['a', 900],
      ['a', 900],
      ['a', 900],
      ['a', 950],
    ]);
    expect(admit(busy, { source: 'a', reserved: false }, 1000, LIMITS)).toEqual({ kind: 'refuse', why: 'per-source' });
    const idle = holders([
      ['a', 1500],
      ['a', 10],
      ['a', 1500],
      ['a', 1500],
    ]);
    expect(admit(idle, { source: 'a', reserved: false }, 2000, LIMITS)).toEqual({
      kind: 'evict',
      victim: idle[1],
      why: 'stale',
    });
  });

  it('counts holders admitted under the address before DHCP learned the MAC against the same cap', () => {
    // Two admitted as 10.0.0.5, two after DHCP named its MAC: one host, one cap.
    const h: SlotHolder[] = [
      { source: '10.0.0.5', ip: '10.0.0.5', lastActive: 900 },
      { source: '10.0.0.5', ip: '10.0.0.5', lastActive: 900 },
      { source: 'aa:bb', ip: '10.0.0.5', lastActive: 900 },
      { source: 'aa:bb', ip: '10.0.0.5', lastActive: 900 },
    ];
    expect(admit(h, { source: 'aa:bb', ip: '10.0.0.5', reserved: false }, 1000, LIMITS)).toEqual({
      kind: 'refuse',
      why: 'per-source',
    });
    expect(admit(h, { source: '10.0.0.6', ip: '10.0.0.6', reserved: false }, 1000, LIMITS)).toEqual({ kind: 'admit' });
  });

  it('keeps the reserve for recently answered sources', () => {
    // Six one-slot sources, all fresh: the non-reserved room (8 − 2) is full and nobody holds more.
    const h = holders(['a', 'b', 'c', 'd', 'e', 'f'].map((s) => [s, 5000] as [string, number]));
    expect(admit(h, { source: 'pc', reserved: false }, 5000, LIMITS)).toEqual({ kind: 'refuse', why: 'full' });
    expect(admit(h, { source: 'pc', reserved: true }, 5000, LIMITS)).toEqual({ kind: 'admit' });
  });

  it('when full, evicts the holder quiet longest first', () => {
    const h = holders([
      ['a', 5000],
      ['b', 3000],
      ['c', 100],
      ['d', 2000],
      ['e', 5000],
      ['f', 5000],
      ['g', 5000],
      ['h', 5000],
    ]);
    expect(admit(h, { source: 'pc', reserved: true }, 5000, LIMITS)).toEqual({
      kind: 'evict',
      victim: h[2],
      why: 'stale',
    });
  });

  it('when full and nobody is quiet, the source holding the most gives up its stalest to one holding fewer', () => {
    const h = holders([
      ['x', 4900],
      ['x', 4800],
      ['x', 4950],
      ['x', 4990],
      ['y', 4999],
      ['y', 4999],
      ['z', 4999],
      ['z', 4999],
    ]);
    expect(admit(h, { source: 'pc', reserved: true }, 5000, LIMITS)).toEqual({
      kind: 'evict',
      victim: h[1],
      why: 'fair-share',
    });
    // A source already holding its fair share does not take from one holding a single more.
    const even = holders([
      ['x', 4999],
      ['x', 4999],
      ['y', 4999],
      ['y', 4999],
      ['z', 4999],
      ['z', 4999],
      ['w', 4999],
      ['pc', 4999],
    ]);
    expect(admit(even, { source: 'pc', reserved: true }, 5000, LIMITS)).toEqual({ kind: 'refuse', why: 'full' });
  });

  it('a flood of sources each taking what it can never holds more than its cap, and a newcomer always gets in', () => {
    const limits: SlotLimits = { max: 256, perSource: 32, reserve: 32, staleMs: 2000 };
    const table: SlotHolder[] = [];
    const apply = (source: string) => {
      const d = admit(table, { source, reserved: false }, 0, limits);
      if (d.kind === 'refuse') return false;
      if (d.kind === 'evict') table.splice(table.indexOf(d.victim), 1);
      table.push({ source, lastActive: 0 });
      return true;
    };
    for (let round = 0; round < 40; round++) for (let s = 0; s < 10; s++) apply(`atk${s}`);
    expect(table).toHaveLength(224);
    for (let s = 0; s < 10; s++) expect(table.filter((h) => h.source === `atk${s}`).length).toBeLessThanOrEqual(32);
    expect(apply('pc')).toBe(true);
  });
});

describe('RecentlyAnswered', () => {
  it('remembers keys for the ttl, case-insensitively, and forgets the oldest beyond its size', () => {
    let t = 0;
    const r = new RecentlyAnswered(1000, 3, () => t);
    r.note('52:54:00:AA:00:01');
    expect(r.has('52:54:00:aa:00:01')).toBe(true);
    t = 1000;
    expect(r.has('52:54:00:aa:00:01')).toBe(false);
    for (const k of ['a', 'b', 'c', 'd']) r.note(k);
    expect(r.size).toBe(3);
    expect(r.has('a')).toBe(false);
    expect(r.has('d')).toBe(true);
  });
});
