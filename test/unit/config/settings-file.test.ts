import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigFileError,
  DEFAULT_SETTINGS,
  lineColumn,
  parseSettingsText,
  readSettingsFile,
  type BootdropSettings,
} from '../../../main/config';
import { jsonErrorOffset } from '../../../main/config/json-where';

const GOOD: BootdropSettings = {
  version: 1,
  sources: ['/srv/isos/arch.iso', '/srv/isos/ubuntu.iso'],
  interfaceName: 'eth0',
  mode: 'proxy',
  menu: { timeoutSec: 3, defaultEntryId: 'arch:linux', append: 'quiet', overrides: {}, biosMenu: 'bootdrop' },
};

function problem(text: string): ConfigFileError {
  try {
    parseSettingsText(text, '/etc/bootdrop/bootdrop.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigFileError);
    return err as ConfigFileError;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseSettingsText', () => {
  it("reads the desktop app's settings.json as it is saved", () => {
    expect(parseSettingsText(JSON.stringify(GOOD, null, 2) + '\n', 'f')).toEqual(GOOD);
    expect(parseSettingsText(JSON.stringify(DEFAULT_SETTINGS), 'f')).toEqual(DEFAULT_SETTINGS);
    expect(parseSettingsText('\uFEFF' + JSON.stringify(GOOD), 'f')).toEqual(GOOD);
  });

  it("takes relayPools (the service's --pool) in dhcp or auto mode, and refuses overlapping ones", () => {
    const pools = { ...GOOD, mode: 'dhcp' as const, relayPools: ['10.1.0.0/24:10.1.0.100-10.1.0.199'] };
    expect(parseSettingsText(JSON.stringify(pools), 'f')).toEqual(pools);
    const overlap = problem(
      JSON.stringify({ ...pools, relayPools: ['10.1.0.0/24:10.1.0.100-10.1.0.199', '10.1.0.0/16:10.1.5.1-10.1.5.9'] }),
    );
    expect(overlap.message).toMatch(/^\/etc\/bootdrop\/bootdrop\.json: relayPools: .*overlap/);
  });

  it('names the file, the line and column of a JSON mistake, and says what to do', () => {
    const cases: Array<[string, string]> = [
      ['{\n  "version": 1,\n  "sources": [\n}', 'line 4, column 1'],
      ['{"version": 1,}', 'line 1, column 15'],
      ['{\n  "version": 1\n  "mode": "proxy"\n}', 'line 3, column 3'],
      ['{"version": 1', 'line 1, column 14, the end of the file'],
      ['   \n', 'the file is empty'],
      ["{'version': 1}", 'line 1, column 2'],
    ];
    for (const [text, where] of cases) {
      const e = problem(text);
      expect(e.message).toContain(`/etc/bootdrop/bootdrop.json: not valid JSON (${where}`);
      expect(e.message).not.toContain('\n');
      expect(e.remedy).toContain('fix the JSON at that place');
    }
  });

  it('names the field that is wrong', () => {
    const cases: Array<[unknown, string]> = [
      [{ ...GOOD, sources: ['isos/arch.iso'] }, 'sources[0]: expected an absolute path, got "isos/arch.iso"'],
      [{ ...GOOD, mode: 'fast' }, 'mode: expected one of proxy, dhcp, auto, got "fast"'],
      [{ version: 1 }, 'sources: expected a list of at most 64 paths, got nothing'],
      [{ ...GOOD, interfaceName: undefined }, 'interfaceName: expected an interface name or null, got nothing'],
      [
        { ...GOOD, menu: { ...GOOD.menu, timeoutSec: -1 } },
        'menu.timeoutSec: expected a whole number of seconds from 0 to 3600, got -1',
      ],
      [
        { ...GOOD, iso: '/x.iso' },
        'unexpected field "iso" (known fields: version, sources, interfaceName, mode, menu, relayPools)',
      ],
      [{ ...GOOD, version: 2 }, 'unsupported version 2 (expected 1)'],
      [
        { ...GOOD, mode: 'dhcp', relayPools: ['10.1.0.0/24:10.1.0.100'] },
        'relayPools: "10.1.0.0/24:10.1.0.100" is not <network>/<prefix>:<first>-<last>; example: --pool 10.1.0.0/24:10.1.0.100-10.1.0.199',
      ],
      [
        { ...GOOD, relayPools: ['10.1.0.0/24:10.1.0.100-10.1.0.199'] },
        'relayPools: proxy mode never hands out addresses; set "mode" to "dhcp" or "auto", or remove relayPools',
      ],
      [
        { ...GOOD, mode: 'dhcp', relayPools: 'x' },
        'relayPools: expected a list of at most 64 strings like "10.1.0.0/24:10.1.0.100-10.1.0.199", got "x"',
      ],
    ];
    for (const [raw, what] of cases) {
      const e = problem(JSON.stringify(raw));
      expect(e.message).toBe(`/etc/bootdrop/bootdrop.json: ${what}`);
      expect(e.remedy).toContain("the desktop app's settings.json format");
    }
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    const texts = [
      '{}',
      '[]',
      '{"a": [1, -2.5e3, true, false, null, "x\\"y"]}',
      ' "s" ',
      '{"a": 1,}',
      '[1 2]',
      '{"a" 1}',
      '"unterminated',
      '01',
      '{"a": tru}',
      '[[[[]]]]',
      '{"a": "tab\there"}',
      '{} x',
      '',
    ];
    for (const t of texts) {
      let valid = true;
      try {
        JSON.parse(t);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(t) === null, t).toBe(valid);
    }
  });

  it('stops at a bounded depth instead of overflowing the stack', () => {
    expect(jsonErrorOffset('['.repeat(100_000))).toBe(513);
  });

  it('turns offsets into 1-based lines and columns', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('readSettingsFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bootdrop-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file, and says how to get one when it is missing', async () => {
    const file = join(dir, 'bootdrop.json');
    writeFileSync(file, JSON.stringify(GOOD));
    expect(await readSettingsFile(file)).toEqual(GOOD);
    const missing = await readSettingsFile(join(dir, 'nope.json')).catch((e: unknown) => e as ConfigFileError);
    expect(missing).toBeInstanceOf(ConfigFileError);
    expect((missing as ConfigFileError).message).toContain(`cannot read the config file ${join(dir, 'nope.json')}`);
    expect((missing as ConfigFileError).remedy).toContain('install-service writes a starter file');
  });
});
