import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browse } from '../../../main/session/browse';

describe('browse (server-side picker)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'bootdrop-browse-'));
    await fsp.mkdir(path.join(dir, 'isos'));
    await fsp.mkdir(path.join(dir, '.hidden'));
    await fsp.writeFile(path.join(dir, 'b.ISO'), Buffer.alloc(2048));
    await fsp.writeFile(path.join(dir, 'a.iso'), 'x');
    await fsp.writeFile(path.join(dir, 'notes.txt'), 'x');
    await fsp.symlink(path.join(dir, 'a.iso'), path.join(dir, 'link.iso'));
    await fsp.symlink(path.join(dir, 'gone.iso'), path.join(dir, 'dangling.iso'));
  });
  afterAll(async () => fsp.rm(dir, { recursive: true, force: true }));

  it('lists folders first, then ISO files (symlinks followed), nothing hidden or unrelated', async () => {
    const r = await browse(dir);
    expect(r.path).toBe(dir);
    expect(r.parent).toBe(path.dirname(dir));
    expect(r.entries.filter((e) => e.kind !== 'volume' && e.name !== 'etc-link')).toEqual([
      { name: 'isos', path: path.join(dir, 'isos'), kind: 'dir' },
      { name: 'a.iso', path: path.join(dir, 'a.iso'), kind: 'iso', size: 1 },
      { name: 'b.ISO', path: path.join(dir, 'b.ISO'), kind: 'iso', size: 2048 },
      { name: 'link.iso', path: path.join(dir, 'link.iso'), kind: 'iso', size: 1 },
    ]);
  });

  it('says why a path cannot be browsed', async () => {
    await expect(browse(path.join(dir, 'nope'))).rejects.toThrow(/cannot browse .*nope: it does not exist/);
    await expect(browse(path.join(dir, 'a.iso'))).rejects.toThrow(/is not a folder/);
  });

  it('neither lists nor opens system folders, also through a symlink', async () => {
    for (const p of ['/etc', '/proc', '/usr/share', '/root', '/sys/class'])
      await expect(browse(p), p).rejects.toThrow(
        /is a system folder, and Bootdrop does not show or publish system folders/,
      );
    await fsp.symlink('/etc', path.join(dir, 'etc-link'));
    await expect(browse(path.join(dir, 'etc-link'))).rejects.toThrow(/\/etc is a system folder/);
    const names = (await browse('/')).entries.map((e) => e.path);
    for (const p of ['/etc', '/usr', '/proc', '/sys', '/root', '/boot']) expect(names).not.toContain(p);
    expect(names).toContain('/tmp');
  });

  it('offers mounted volumes at the root (or none, never an error)', async () => {
    const r = await browse('/');
    expect(r.parent).toBeNull();
    for (const v of r.entries.filter((e) => e.kind === 'volume')) expect(v.path.startsWith('/')).toBe(true);
  });
});
