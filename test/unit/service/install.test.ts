/** `bootdrop install-service` / `uninstall-service` in-process, writing into a temp dir (never /etc). */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli';

let dir: string;
let units: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootdrop-install-'));
  units = join(dir, 'units');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('install-service', () => {
  it('writes the unit and a starter config, and can write it again', async () => {
    const cfg = join(dir, 'etc', 'bootdrop.json');
    const first = await cli('install-service', '--config', cfg, '--unit-dir', units, '--user', 'pxe');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain(`Wrote a starter config ${cfg}`);
    expect(first.out).toContain('systemctl daemon-reload && systemctl enable --now bootdrop');
    const unit = readFileSync(join(units, 'bootdrop.service'), 'utf8');
    expect(unit).toContain(`serve --config ${cfg}\n`);
    expect(unit).toContain('User=pxe\n');
    const again = await cli('install-service', '--config', cfg, '--unit-dir', units);
    expect(again.code, again.err).toBe(0);
    expect(again.out).not.toContain('starter');
    expect(readFileSync(join(units, 'bootdrop.service'), 'utf8')).not.toContain('User=');
  });

  it('refuses a config it would fail to serve, and a unit it did not write', async () => {
    const cfg = join(dir, 'bad.json');
    writeFileSync(
      cfg,
      '{"version": 1, "sources": ["isos/a.iso"], "interfaceName": null, "mode": "proxy", "menu": null}',
    );
    const bad = await cli('install-service', '--config', cfg, '--unit-dir', units);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`${cfg}: sources[0]: expected an absolute path`);
    expect(bad.err).toMatch(/what to do: .+/);
    expect(existsSync(join(units, 'bootdrop.service'))).toBe(false);

    mkdirSync(units);
    writeFileSync(join(units, 'bootdrop.service'), '[Service]\nExecStart=/usr/local/bin/other\n');
    const foreign = await cli('install-service', '--config', join(dir, 'ok.json'), '--unit-dir', units);
    expect(foreign.code).toBe(1);
    expect(foreign.err).toContain('exists and was not written by Bootdrop');
    const keep = await cli('uninstall-service', '--unit-dir', units);
    expect(keep.code).toBe(1);
    expect(readFileSync(join(units, 'bootdrop.service'), 'utf8')).toContain('/usr/local/bin/other');
  });

  it('takes the unit directory from BOOTDROP_UNIT_DIR, and --uninstall says when there is nothing to remove', async () => {
    const saved = process.env.BOOTDROP_UNIT_DIR;
    process.env.BOOTDROP_UNIT_DIR = units;
    try {
      expect((await cli('install-service', '--config', join(dir, 'c.json'))).code).toBe(0);
      expect(existsSync(join(units, 'bootdrop.service'))).toBe(true);
      expect((await cli('install-service', '--uninstall')).code).toBe(0);
      expect(existsSync(join(units, 'bootdrop.service'))).toBe(false);
      const none = await cli('uninstall-service');
      expect(none).toMatchObject({ code: 0 });
      expect(none.out).toContain('nothing to remove');
    } finally {
      if (saved === undefined) delete process.env.BOOTDROP_UNIT_DIR;
      else process.env.BOOTDROP_UNIT_DIR = saved;
    }
  });

  it('rejects ISO arguments and options that do not belong', async () => {
    const iso = await cli('install-service', '/isos/a.iso', '--unit-dir', units);
    expect(iso.code).toBe(2);
    expect(iso.err).toContain('put ISO paths into the config file\'s "sources"');
    expect((await cli('uninstall-service', '--user', 'x', '--unit-dir', units)).code).toBe(2);
  });
});
