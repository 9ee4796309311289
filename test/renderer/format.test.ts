import { describe, expect, it } from 'vitest';
import {
  BOOT_STEPS,
  describeInterface,
  eta,
  formatBytes,
  formatDuration,
  formatEta,
  formatRam,
  formatRate,
  furthestStage,
  levelAtLeast,
  logFileName,
  pcFacts,
  preselectedInterface,
  progressFraction,
  sparklinePoints,
  stageIndex,
  stepStatus,
} from '../../renderer/src/format';
import { iface } from './fixtures';

describe('sparklinePoints', () => {
  it('spreads samples over the width, peak at the top, zero at the bottom', () => {
    expect(sparklinePoints([0, 50, 100], 80, 20)).toBe('0,20 40,10 80,0');
    expect(sparklinePoints([3, 3], 10, 4)).toBe('0,0 10,0');
    // Nothing yet, or all zero: nothing to draw, or a flat line on the floor (not a division by zero).
    expect(sparklinePoints([], 80, 20)).toBe('');
    expect(sparklinePoints([5], 80, 20)).toBe('');
    expect(sparklinePoints([0, 0], 80, 20)).toBe('0,20 80,20');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1536, '1.5 kB'],
    [99_949, '99.9 kB'],
    [99_950, '100 kB'],
    [999_499, '999 kB'],
    [999_500, '1.0 MB'],
    [4_700_000_000, '4.7 GB'],
    [6_114_656_256, '6.1 GB'],
    [123_456_789_012, '123 GB'],
    [2e15, '2.0 PB'],
  ])('%d → %s', (n, s) => expect(formatBytes(n)).toBe(s));
  it('refuses nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatRate / eta / durations', () => {
  it('formats rates and hides unknown ones', () => {
    expect(formatRate(95_000_000)).toBe('95.0 MB/s');
    expect(formatRate(0)).toBe('—');
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe('—');
  });
  it('computes seconds left, rounding up', () => {
    expect(eta(0, 100, 10)).toBe(10);
    expect(eta(95, 100, 10)).toBe(1);
    expect(eta(2_300_000_000, 6_114_656_256, 95_000_000)).toBe(41);
  });
  it('has no eta without a total, a rate, or anything left', () => {
    expect(eta(5, null, 10)).toBeNull();
    expect(eta(5, 100, 0)).toBeNull();
    expect(eta(100, 100, 10)).toBeNull();
  });
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(59.4)).toBe('59 s');
    expect(formatDuration(65)).toBe('1 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatEta(41)).toBe('41 s left');
    expect(formatEta(null)).toBe('');
  });
  it('gives a progress fraction only when the size is known', () => {
    expect(progressFraction(50, 200)).toBe(0.25);
    expect(progressFraction(300, 200)).toBe(1);
    expect(progressFraction(50, null)).toBeNull();
    expect(progressFraction(0, 0)).toBeNull();
  });
});

describe('boot stages', () => {
  it('orders the steps the way a PC boots', () => {
    expect([...BOOT_STEPS]).toEqual(['dhcp', 'loader', 'menu', 'kernel', 'initrd', 'rootfs']);
    expect(stageIndex('dhcp')).toBe(0);
    expect(stageIndex('rootfs')).toBe(5);
    expect(stageIndex('done')).toBe(6);
    expect(stageIndex('failed')).toBe(-1);
  });
  it('keeps the furthest stage, never moving back to failed', () => {
    expect(furthestStage(undefined, 'loader')).toBe('loader');
    expect(furthestStage('kernel', 'loader')).toBe('kernel');
    expect(furthestStage('kernel', 'failed')).toBe('kernel');
    expect(furthestStage('kernel', 'done')).toBe('done');
  });
  it('marks steps done / current / todo', () => {
    expect(BOOT_STEPS.map((s) => stepStatus(s, 'menu'))).toEqual(['done', 'done', 'current', 'todo', 'todo', 'todo']);
    expect(BOOT_STEPS.map((s) => stepStatus(s, 'done'))).toEqual(Array(6).fill('done'));
  });
  it('shows where a failed client stopped', () => {
    expect(BOOT_STEPS.map((s) => stepStatus(s, 'failed', 'initrd'))).toEqual([
      'done',
      'done',
      'done',
      'done',
      'failed',
      'todo',
    ]);
    expect(BOOT_STEPS.map((s) => stepStatus(s, 'failed', 'done'))).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done',
      'failed',
    ]);
    // Never seen before it failed: no step is blamed.
    expect(BOOT_STEPS.map((s) => stepStatus(s, 'failed', 'failed'))).toEqual(Array(6).fill('todo'));
  });
});

describe('interfaces, levels, file names', () => {
  it('describes an interface in one line', () => {
    expect(describeInterface(iface('eth0', { recommended: true }))).toBe(
      'eth0 — 192.168.1.5/24, wired, link up (recommended)',
    );
    expect(describeInterface(iface('wlan0', { kind: 'wireless', up: false, address: '' }))).toBe(
      'wlan0 — no address, wireless, no link',
    );
  });
  it('preselects the engine choice, else the recommended, else the first', () => {
    const list = [iface('a'), iface('b', { recommended: true }), iface('c')];
    expect(preselectedInterface(list, 'c')).toBe('c');
    expect(preselectedInterface(list, null)).toBe('b');
    expect(preselectedInterface(list, 'gone')).toBe('b');
    expect(preselectedInterface([iface('a'), iface('c')], null)).toBe('a');
    expect(preselectedInterface([], null)).toBeNull();
  });
  it('ranks log levels', () => {
    expect(levelAtLeast('warn', 'info')).toBe(true);
    expect(levelAtLeast('debug', 'info')).toBe(false);
    expect(levelAtLeast('error', 'error')).toBe(true);
  });
  it('names exported logs by local time', () => {
    expect(logFileName(new Date(2025, 0, 31, 14, 3, 7).getTime())).toBe('bootdrop-log-2025-01-31-140307.txt');
  });
});

describe('pcFacts', () => {
  const base = {
    maker: null,
    model: null,
    ramMiB: null,
    ramSource: null,
    platform: null,
    arch: null,
    nic: null,
  } as const;
  it('says nothing it was not told', () => {
    expect(pcFacts(base)).toEqual({ name: null, ram: null, firmware: null, driver: null });
  });
  it("exact RAM (${memsize}) has no '≥'; BIOS; iPXE's own driver", () => {
    expect(
      pcFacts({ ...base, maker: 'Dell Inc.', ramMiB: 16384, ramSource: 'memsize', platform: 'pcbios', nic: 'rtl8168' }),
    ).toEqual({ name: 'Dell Inc.', ram: '16 GiB RAM', firmware: 'BIOS', driver: 'iPXE rtl8168 driver' });
    expect(formatRam(3584)).toBe('3.5 GiB');
    expect(formatRam(256)).toBe('256 MiB');
  });
});
