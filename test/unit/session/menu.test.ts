import { describe, expect, it } from 'vitest';
import type { BootEntry, SourceSummary } from '../../../main/contract';
import { appendArgs, applyMenu, DEFAULT_MENU } from '../../../main/session/menu';
import { LogRing } from '../../../main/session/log-ring';

function entry(id: string, cmdline: string, extra: Partial<BootEntry> = {}): BootEntry {
  return { id, sourceId: id.split(':')[0]!, label: id, kind: 'linux', initrd: [], cmdline, enabled: true, isDefault: false, origin: 'recipe', firmware: ['bios', 'uefi'], ...extra };
}
function source(id: string, entries: BootEntry[]): SourceSummary {
  return { id, path: `/x/${id}.iso`, kind: 'iso', label: id, size: 1, family: 'generic', osName: id, fileSystems: [], entries, warnings: [] };
}

describe('appendArgs', () => {
  it('keeps user args in front of the casper/d-i separator', () => {
    expect(appendArgs('boot=casper quiet ---', 'console=ttyS0')).toBe('boot=casper quiet console=ttyS0 ---');
    expect(appendArgs('boot=live', ' console=ttyS0 ')).toBe('boot=live console=ttyS0');
    expect(appendArgs('a -- b', '')).toBe('a -- b');
  });
});

describe('applyMenu', () => {
  const sources = [source('a', [entry('a:1', 'x', { isDefault: true }), entry('a:2', 'y ---')]), source('b', [entry('b:1', 'z')])];

  it('defaults to the planner default, then to the chosen enabled entry', () => {
    expect(applyMenu(sources, DEFAULT_MENU).flatMap((s) => s.entries.filter((e) => e.isDefault).map((e) => e.id))).toEqual(['a:1']);
    const chosen = applyMenu(sources, { ...DEFAULT_MENU, defaultEntryId: 'b:1' });
    expect(chosen.flatMap((s) => s.entries.filter((e) => e.isDefault).map((e) => e.id))).toEqual(['b:1']);
  });

  it('never makes a disabled entry the default, and applies labels and args', () => {
    const out = applyMenu(sources, {
      timeoutSec: 5,
      defaultEntryId: 'a:1',
      append: 'console=ttyS0',
      overrides: { 'a:1': { enabled: false }, 'a:2': { label: 'Mine', append: 'nomodeset' } },
    });
    const a2 = out[0]!.entries[1]!;
    expect(out[0]!.entries[0]).toMatchObject({ enabled: false, isDefault: false });
    expect(a2).toMatchObject({ label: 'Mine', isDefault: true, cmdline: 'y nomodeset console=ttyS0 ---' });
    expect(sources[0]!.entries[1]!.cmdline).toBe('y ---'); // inputs untouched
  });
});

describe('LogRing', () => {
  it('keeps the last N entries and says how many it dropped', () => {
    const r = new LogRing(3);
    for (let i = 0; i < 5; i++) r.push({ time: i * 1000, level: 'info', scope: 'dhcp', message: `m${i}`, ...(i === 4 ? { client: 'aa' } : {}) });
    expect(r.list().map((e) => e.message)).toEqual(['m2', 'm3', 'm4']);
    const text = r.toText().split('\n');
    expect(text[0]).toBe('# 2 older entries dropped (log keeps the last 3)');
    expect(text[3]).toBe('1970-01-01T00:00:04.000Z INFO  dhcp [aa]: m4');
  });
});
