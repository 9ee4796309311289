import { describe, expect, it } from 'vitest';
import type { BootEntry, SourceSummary } from '../../../main/contract';
import { pruneMenu } from '../../../main/session/menu';
import { LogRing } from '../../../main/session/log-ring';

function entry(id: string, cmdline: string, extra: Partial<BootEntry> = {}): BootEntry {
  return {
    id,
    sourceId: id.split(':')[0]!,
    label: id,
    kind: 'linux',
    initrd: [],
    cmdline,
    enabled: true,
    isDefault: false,
    origin: 'recipe',
    firmware: ['bios', 'uefi'],
    ...extra,
  };
}
function source(id: string, entries: BootEntry[]): SourceSummary {
  return {
    id,
    path: `/x/${id}.iso`,
    kind: 'iso',
    label: id,
    size: 1,
    family: 'generic',
    osName: id,
    fileSystems: [],
    entries,
    warnings: [],
  };
}

describe('pruneMenu', () => {
  it('forgets overrides and a default for entries that are gone', () => {
    const sources = [source('a', [entry('a:1', 'x')])];
    const menu = {
      timeoutSec: 5,
      defaultEntryId: 'b:1',
      append: 'q',
      overrides: { 'a:1': { label: 'A' }, 'b:1': { enabled: false } },
    };
    expect(pruneMenu(menu, sources)).toEqual({
      timeoutSec: 5,
      defaultEntryId: null,
      append: 'q',
      overrides: { 'a:1': { label: 'A' } },
    });
  });
});

describe('LogRing', () => {
  it('keeps the last N entries and says how many it dropped', () => {
    const r = new LogRing(3);
    for (let i = 0; i < 5; i++)
      r.push({ time: i * 1000, level: 'info', scope: 'dhcp', message: `m${i}`, ...(i === 4 ? { client: 'aa' } : {}) });
    expect(r.list().map((e) => e.message)).toEqual(['m2', 'm3', 'm4']);
    const text = r.toText().split('\n');
    expect(text[0]).toBe('# 2 older entries dropped (log keeps 3, warnings and errors longest)');
    expect(text[3]).toBe('1970-01-01T00:00:04.000Z INFO  dhcp [aa]: m4');
  });
});
