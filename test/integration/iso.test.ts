/**
 * The ISO reader against images made by the real tools (xorriso, genisoimage): every file's bytes,
 * names, modes and symlink targets must read back exactly as the source tree, for Rock Ridge, Joliet
 * and plain ISO 9660 trees, deep (relocated) directories, El Torito BIOS + EFI, and through the CLI.
 */
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/run';
import { openIso, openSource, type IsoSource } from '../../main/iso';
import { isVfsError, type Vfs } from '../../main/vfs';
import {
  buildIso,
  expectSameTree,
  file,
  link,
  makeTree,
  removeTempDirs,
  tempDir,
  type TreeSpec,
} from '../helpers/mkiso';

const execFileP = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** Deterministic bytes (xorshift32) so failures reproduce. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function nest(levels: number, leaf: TreeSpec): TreeSpec {
  let spec = leaf;
  for (let i = levels; i >= 1; i--) spec = { [`level${i}`]: spec };
  return spec;
}

/** Files every variant holds (no symlinks: plain ISO and Joliet have none). */
const common = (deep: number): TreeSpec => ({
  'README.TXT': 'hello from bootdrop\n',
  'empty.txt': '',
  'MixedCase.Cfg': 'menu\n',
  sizes: {
    one: bytes(1, 1),
    s2047: bytes(2047, 2),
    s2048: bytes(2048, 3),
    s2049: bytes(2049, 4),
    'big.bin': bytes(700_000, 5),
  },
  'a file name that is much longer than sixty-four characters, with spaces and ümlauts.txt': 'long\n',
  scripts: { 'run.sh': file('#!/bin/sh\necho hi\n', 0o755), secret: file('s', 0o600) },
  many: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`file-number-${i}.txt`, `n${i}\n`])),
  deep: nest(deep, { 'bottom.txt': 'bottom\n' }),
});

const LONG_TARGET = 'x/'.repeat(150) + 'end';
const links = (longTarget: string): TreeSpec => ({
  vmlinuz: bytes(5000, 6),
  latest: link('vmlinuz'),
  'abs-inside': link('/boot/vmlinuz'),
  'to-readme': link('../README.TXT'),
  dirlink: link('../sizes'),
  outside: link('/etc/passwd'),
  climb: link('../../../etc/passwd'),
  'loop-a': link('loop-b'),
  'loop-b': link('loop-a'),
  longlink: link(longTarget),
  // Rock Ridge only (Joliet stops at 103 characters): needs NM split across a continuation area.
  ['n'.repeat(200) + '-a-240-character-rock-ridge-name-' + '.txt'.padStart(7, 'x')]: 'very long name\n',
});

/** Buffer equality without vitest's element-wise deep diff (seconds per MiB). */
function expectBytes(got: Buffer, want: Buffer): void {
  expect(got.length).toBe(want.length);
  expect(got.equals(want)).toBe(true);
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (!isVfsError(err)) throw err;
    return err.code;
  }
}

async function readAll(vfs: Vfs, path: string, range?: { start: number; end?: number }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await vfs.createReadStream(path, range)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let work: string;
beforeAll(async () => {
  work = await tempDir('isotest');
});
afterAll(removeTempDirs);

describe('Rock Ridge + Joliet image from xorriso, with El Torito BIOS + EFI', () => {
  let src: string;
  let iso: string;
  let vfs: IsoSource;
  beforeAll(async () => {
    src = join(work, 'rr-src');
    await makeTree(src, { ...common(12), boot: links(LONG_TARGET) });
    iso = join(work, 'rr.iso');
    await buildIso(src, iso, { volid: 'RR_TEST', bios: true, efi: true });
    vfs = await openIso(iso);
  });
  afterAll(() => vfs?.close());

  it('reports the volume and file systems', () => {
    expect(vfs.info.label).toBe('RR_TEST');
    expect(vfs.info.names).toBe('rockridge');
    expect(vfs.info.fileSystems).toEqual(['ISO 9660', 'Joliet', 'Rock Ridge', 'El Torito']);
    expect(vfs.info.warnings).toEqual([]);
  });

  it('reads back the whole tree exactly: names, bytes, modes, mtimes, symlink targets', async () => {
    const n = await expectSameTree(src, vfs, { posix: true, extra: ['/isolinux', '/efi'] });
    expect(n).toBeGreaterThan(330);
    expect((await vfs.lstat('/boot/longlink')).linkTarget).toBe(LONG_TARGET);
  });

  it('resolves symlinks inside the image only', async () => {
    expect((await vfs.stat('/boot/latest')).size).toBe(5000);
    expectBytes(await readAll(vfs, '/boot/abs-inside'), bytes(5000, 6));
    expectBytes(await readAll(vfs, '/boot/to-readme'), Buffer.from('hello from bootdrop\n'));
    expect((await vfs.stat('/boot/dirlink/s2048')).path).toBe('/sizes/s2048');
    expect((await vfs.readdir('/boot/dirlink')).map((e) => e.name)).toContain('big.bin');
    expect(await code(vfs.stat('/boot/outside'))).toBe('ENOENT'); // /etc/passwd of the image, not the host
    expect(await code(vfs.open('/boot/climb'))).toBe('EOUTSIDE');
    expect(await code(vfs.stat('/boot/loop-a'))).toBe('ELOOP');
    expect((await vfs.lstat('/boot/loop-a')).type).toBe('symlink');
  });

  it('looks paths up case-insensitively, with backslashes, and names errors', async () => {
    expect((await vfs.stat('\\BOOT\\VMLINUZ')).path).toBe('/boot/vmlinuz');
    expect((await vfs.stat('/mixedcase.cfg')).name).toBe('MixedCase.Cfg');
    expect(await code(vfs.open('/boot'))).toBe('EISDIR');
    expect(await code(vfs.readdir('/README.TXT'))).toBe('ENOTDIR');
    await expect(vfs.stat('/boot/nope')).rejects.toThrow(`${iso}: /boot/nope: no such file`);
  });

  it('streams byte ranges and reads at positions', async () => {
    const big = bytes(700_000, 5);
    expectBytes(await readAll(vfs, '/sizes/big.bin', { start: 1000, end: 600_000 }), big.subarray(1000, 600_001));
    expectBytes(await readAll(vfs, '/sizes/big.bin', { start: 699_990 }), big.subarray(699_990));
    expectBytes(await readAll(vfs, '/sizes/big.bin', { start: 5, end: 10_000_000 }), big.subarray(5));
    expect((await readAll(vfs, '/empty.txt')).length).toBe(0);
    const f = await vfs.open('/sizes/big.bin');
    const buf = Buffer.alloc(100);
    expect(await f.read(buf, 0, 100, 699_950)).toBe(50);
    expectBytes(buf.subarray(0, 50), big.subarray(699_950));
    expect(await f.read(buf, 0, 100, 700_000)).toBe(0);
    await f.close();
  });

  it('reads the El Torito catalog and the boot images', async () => {
    const [bios, efi] = vfs.info.elTorito;
    const isolinux = await vfs.stat('/isolinux/isolinux.bin');
    expect(bios).toMatchObject({
      index: 1,
      platform: 'bios',
      bootable: true,
      emulation: 'none',
      loadSegment: 0x7c0,
      sectorCount: 4,
      imageSize: 2048,
    });
    expect(efi).toMatchObject({ index: 2, platform: 'efi', bootable: true, emulation: 'none' });
    // The BIOS entry loads the first 2048 bytes of isolinux.bin (as patched with the boot info table).
    expectBytes(await readAll(vfs, bios!.imagePath), (await readAll(vfs, '/isolinux/isolinux.bin')).subarray(0, 2048));
    expect(isolinux.size).toBeGreaterThan(2048);
    // The EFI entry is the whole FAT image (its size comes from the FAT boot sector).
    const efiImg = await readAll(vfs, '/efi/efiboot.img');
    expect(efi!.imageSize).toBe(efiImg.length);
    expectBytes(await readAll(vfs, efi!.imagePath), efiImg);
    expect((await vfs.readdir('/[BOOT]')).map((e) => e.name)).toEqual(['1-BIOS-NoEmul.img', '2-EFI-NoEmul.img']);
    expect((await vfs.readdir('/')).map((e) => e.name)).not.toContain('[BOOT]');
  });

  it('serves many concurrent reads of one directory without reading it twice into different answers', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => vfs.stat(`/many/file-number-${i * 7}.txt`)));
    expect(results.map((r) => r.size)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i * 7}\n`.length));
  });

  describe('CLI', () => {
    // latin1 keeps cat's raw bytes one char per byte: back to a Buffer unchanged.
    const cli = async (...args: string[]) => {
      const r = await run('node', [join(ROOT, 'bin', 'bootdrop.js'), ...args], { encoding: 'latin1' });
      return {
        code: r.code,
        stdout: Buffer.from(r.stdout, 'latin1'),
        stderr: Buffer.from(r.stderr, 'latin1').toString(),
      };
    };
    beforeAll(async () => {
      // The CLI runs the compiled engine (npm test builds it first); rebuild when our sources are newer.
      const built = await fsp.stat(join(ROOT, 'dist', 'engine', 'iso', 'source.js')).then(
        (s) => s.mtimeMs,
        () => 0,
      );
      const sources = [
        ...(await fsp.readdir(join(ROOT, 'main', 'iso'))).map((f) => join('main', 'iso', f)),
        join('main', 'cli', 'files.ts'),
      ];
      const newest = Math.max(
        ...(await Promise.all(sources.map(async (f) => (await fsp.stat(join(ROOT, f))).mtimeMs))),
      );
      if (newest > built) {
        // Other folders' type errors must not stop our files compiling (tsc still emits).
        await execFileP('npx', ['tsc', '-p', 'tsconfig.engine.json'], { cwd: ROOT }).catch(() => undefined);
      }
      await fsp.access(join(ROOT, 'dist', 'engine', 'cli', 'files.js'));
    });

    it('ls lists names, long form and JSON', async () => {
      const plain = await cli('ls', iso, '/boot');
      expect(plain.code).toBe(0);
      expect(plain.stdout.toString().split('\n')).toEqual(expect.arrayContaining(['vmlinuz', 'latest']));
      const long = (await cli('ls', '-l', iso, 'boot')).stdout.toString();
      expect(long).toMatch(/^lrwxrwxrwx\s+0 \S+ \S+ latest -> vmlinuz$/m);
      expect(long).toMatch(/^-rw-r--r--\s+5000 \S+ \S+ vmlinuz$/m);
      const json = JSON.parse((await cli('ls', iso, '/scripts', '--json')).stdout.toString()) as {
        entries: Array<{ name: string; mode: number }>;
      };
      expect(json.entries.find((e) => e.name === 'run.sh')?.mode).toBe(0o755);
    });

    it('cat writes the raw bytes; folders work too', async () => {
      expectBytes((await cli('cat', iso, '/sizes/big.bin')).stdout, bytes(700_000, 5));
      expectBytes((await cli('cat', src, '/sizes/s2049')).stdout, bytes(2049, 4));
      expect((await cli('ls', src, '/boot')).stdout.toString()).toContain('vmlinuz');
    });

    it('fails with the reason on stderr and exit code 1', async () => {
      const missing = await cli('cat', iso, '/no/such');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('/no: no such file');
      const notIso = await cli('ls', join(src, 'README.TXT'));
      expect(notIso.code).toBe(1);
      expect(notIso.stderr).toContain('not an ISO');
      expect((await cli('ls')).code).toBe(2);
    });
  });
});

describe('genisoimage with Rock Ridge: deep directories are relocated (RR_MOVED, CL/RE)', () => {
  it('shows deep directories at their real place and hides them from rr_moved', async () => {
    const src = join(work, 'deep-src');
    // genisoimage 1.1.11 spins forever on some symlink targets around 240 bytes; 203 works and still needs a CE area.
    await makeTree(src, { ...common(12), boot: links('x/'.repeat(100) + 'end') });
    const iso = join(work, 'deep.iso');
    await buildIso(src, iso, { tool: 'genisoimage', joliet: true, volid: 'DEEP', bios: true, efi: true });
    const vfs = await openIso(iso);
    try {
      expect(vfs.info.names).toBe('rockridge');
      expect((await vfs.readdir('/')).map((e) => e.name)).toContain('rr_moved');
      expect(await vfs.readdir('/rr_moved')).toEqual([]);
      await expectSameTree(src, vfs, { posix: true, extra: ['/rr_moved', '/isolinux', '/efi'] });
      const bottom =
        '/deep/level1/level2/level3/level4/level5/level6/level7/level8/level9/level10/level11/level12/bottom.txt';
      expect((await readAll(vfs, bottom)).toString()).toBe('bottom\n');
      expect(vfs.info.elTorito.map((e) => e.platform)).toEqual(['bios', 'efi']);
    } finally {
      await vfs.close();
    }
  });
});

describe('names without Rock Ridge', () => {
  it('uses Joliet names when there is no Rock Ridge (xorriso -J)', async () => {
    const src = join(work, 'joliet-src');
    await makeTree(src, common(6));
    const iso = join(work, 'joliet.iso');
    await buildIso(src, iso, { rockRidge: false, joliet: true, volid: 'JOLIET' });
    const vfs = await openIso(iso);
    try {
      expect(vfs.info.names).toBe('joliet');
      expect(vfs.info.fileSystems).toEqual(['ISO 9660', 'Joliet']);
      await expectSameTree(src, vfs);
      expect((await vfs.stat('/scripts/run.sh')).mode).toBe(0o444);
    } finally {
      await vfs.close();
    }
  });

  it('reads a level 1 image (8.3 names, ";1" versions stripped) from genisoimage', async () => {
    const src = join(work, 'l1-src');
    await makeTree(src, {
      'README.TXT': 'level one\n',
      NOEXT: 'no extension\n',
      BOOT: { 'VMLINUZ.IMG': bytes(10_000, 7), 'INITRD.GZ': bytes(4096, 8) },
      DIR1: { DIR2: { DIR3: { 'FILE.DAT': bytes(3000, 9) } } },
    });
    const iso = join(work, 'l1.iso');
    await buildIso(src, iso, { tool: 'genisoimage', rockRidge: false, joliet: false, isoLevel: 1, volid: 'LEVEL1' });
    const vfs = await openIso(iso);
    try {
      expect(vfs.info.names).toBe('iso9660');
      expect(vfs.info.fileSystems).toEqual(['ISO 9660']);
      await expectSameTree(src, vfs);
      expect((await vfs.stat('/boot/vmlinuz.img')).path).toBe('/BOOT/VMLINUZ.IMG');
    } finally {
      await vfs.close();
    }
  });

  it('reports UDF next to ISO 9660 (genisoimage -udf) and still reads the ISO tree', async () => {
    const src = join(work, 'udf-src');
    await makeTree(src, { 'README.TXT': 'udf bridge\n', sub: { 'A.BIN': bytes(5000, 10) } });
    const iso = join(work, 'udf.iso');
    await buildIso(src, iso, { tool: 'genisoimage', extraArgs: ['-udf'], volid: 'UDFBRIDGE' });
    const { vfs, kind, info } = await openSource(iso);
    try {
      expect(kind).toBe('iso');
      expect(info.fileSystems).toContain('UDF');
      await expectSameTree(src, vfs, { posix: true });
    } finally {
      await vfs.close();
    }
  });
});

describe('memory', () => {
  it('keeps a bounded number of directory entries however much of the tree is walked', async () => {
    const src = join(work, 'wide-src');
    const dirs: TreeSpec = {};
    for (let d = 0; d < 40; d++)
      dirs[`dir${d}`] = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}.txt`, `${d}/${i}`]));
    await makeTree(src, dirs);
    const iso = join(work, 'wide.iso');
    await buildIso(src, iso, { volid: 'WIDE' });
    const vfs = await openIso(iso, { cacheEntries: 35 });
    try {
      expect(vfs.cacheStats()).toEqual({ directories: 0, entries: 0 }); // opening reads no directory into the cache
      let peak = 0;
      for (let pass = 0; pass < 2; pass++) {
        for (let d = 0; d < 40; d++) {
          expect((await readAll(vfs, `/dir${d}/f${d % 10}.txt`)).toString()).toBe(`${d}/${d % 10}`);
          peak = Math.max(peak, vfs.cacheStats().entries);
        }
      }
      expect(peak).toBeLessThanOrEqual(35 + 40); // the budget plus the root listing it must keep
      expect(peak).toBeGreaterThan(0);
    } finally {
      await vfs.close();
    }
  });
});

describe('openSource', () => {
  it('opens a folder through FolderSource', async () => {
    const src = join(work, 'folder-src');
    await makeTree(src, { 'A.TXT': 'a' });
    const opened = await openSource(src);
    expect(opened.kind).toBe('folder');
    expect(opened.info).toEqual({ label: 'folder-src', size: 0, fileSystems: [], elTorito: [] });
    expect((await opened.vfs.readdir('/')).map((e) => e.name)).toEqual(['A.TXT']);
    await opened.vfs.close();
  });

  it('names a missing path', async () => {
    await expect(openSource(join(work, 'nope.iso'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
