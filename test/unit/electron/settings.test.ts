import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SETTINGS,
  SettingsError,
  SettingsStore,
  validateSettings,
  type ShellSettings,
} from '../../../electron/settings';

const GOOD: ShellSettings = {
  version: 1,
  sources: ['/isos/arch.iso', 'C:\\isos\\ubuntu.iso'],
  interfaceName: 'eth0',
  mode: 'proxy',
  menu: {
    timeoutSec: 3,
    defaultEntryId: 'arch:linux',
    append: 'quiet',
    overrides: { 'arch:linux': { enabled: false } },
    biosMenu: 'iso',
  },
};

describe('validateSettings', () => {
  it('accepts good settings and drops duplicate sources', () => {
    expect(validateSettings(GOOD)).toEqual(GOOD);
    expect(validateSettings({ ...GOOD, sources: ['/a.iso', '/a.iso'] }).sources).toEqual(['/a.iso']);
    expect(validateSettings(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
  });

  it("reads a file from before the BIOS menu choice as Bootdrop's menu", () => {
    const { biosMenu: _dropped, ...older } = GOOD.menu!;
    expect(validateSettings({ ...GOOD, menu: older }).menu).toEqual({ ...older, biosMenu: 'bootdrop' });
  });

  it('names the broken field', () => {
    const cases: Array<[unknown, string]> = [
      [[], 'expected a JSON object'],
      [{ ...GOOD, version: 2 }, 'unsupported version 2'],
      [{ ...GOOD, sources: 'x' }, 'sources'],
      [{ ...GOOD, sources: ['relative.iso'] }, 'sources[0]'],
      [{ ...GOOD, interfaceName: 5 }, 'interfaceName'],
      [{ ...GOOD, mode: 'fast' }, 'mode: expected one of'],
      [{ ...GOOD, menu: { ...GOOD.menu, timeoutSec: 'x' } }, 'menu.timeoutSec'],
      [{ ...GOOD, theme: 'dark' }, 'unexpected field "theme"'],
      [{ ...GOOD, menu: { ...GOOD.menu, biosMenu: 'pxelinux' } }, 'menu.biosMenu: expected one of bootdrop, iso'],
    ];
    for (const [raw, fragment] of cases) {
      expect(() => validateSettings(raw)).toThrow(SettingsError);
      expect(() => validateSettings(raw)).toThrow(fragment);
    }
  });
});

describe('SettingsStore', () => {
  let dir: string;
  const when = new Date('2026-01-02T03:04:05.678Z');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bootdrop-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from defaults when there is no file', async () => {
    expect(await new SettingsStore(dir).load()).toEqual({ settings: DEFAULT_SETTINGS, problem: null });
  });

  it('saves atomically and loads back', async () => {
    const store = new SettingsStore(join(dir, 'nested'));
    await store.save(GOOD);
    await store.save({ ...GOOD, mode: 'dhcp' });
    expect(readdirSync(join(dir, 'nested'))).toEqual(['settings.json']); // no temp file left
    expect((await store.load()).settings).toEqual({ ...GOOD, mode: 'dhcp' });
  });

  it('refuses to write invalid settings', async () => {
    await expect(new SettingsStore(dir).save({ ...GOOD, mode: 'x' as 'auto' })).rejects.toThrow(SettingsError);
  });

  for (const [what, content] of [
    ['truncated JSON', '{"version":1,"sources":['],
    ['a wrong field', JSON.stringify({ ...GOOD, mode: 'turbo' })],
    ['an empty file', ''],
  ] as const) {
    it(`sets a file with ${what} aside and reports it, without failing`, async () => {
      writeFileSync(join(dir, 'settings.json'), content);
      const loaded = await new SettingsStore(dir, () => when).load();
      expect(loaded.settings).toEqual(DEFAULT_SETTINGS);
      const aside = 'settings.broken-2026-01-02T03-04-05-678Z.json';
      expect(readdirSync(dir)).toEqual([aside]);
      expect(readFileSync(join(dir, aside), 'utf8')).toBe(content);
      expect(loaded.problem).toContain('is broken');
      expect(loaded.problem).toContain(aside);
      expect(loaded.problem).toContain('default settings');
    });
  }
});
