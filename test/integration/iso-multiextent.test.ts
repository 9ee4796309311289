/**
 * Files over 4 GiB: ISO 9660 level 3 stores them as several directory records (multi-extent flag),
 * each extent < 4 GiB. Built from a sparse 4.5 GiB file with xorriso into a sparse image, checked at
 * chosen offsets (start, both sides of the extent boundary, the end) rather than by hashing 4.5 GiB.
 */
import { promises as fsp, readSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIso, type IsoSource } from '../../main/iso';
import { FLAG, SECTOR, directoryRecords, parseVolumeDescriptor } from '../../main/iso/ecma119';
import { buildIso, makeTree, removeTempDirs, sparse, tempDir } from '../helpers/mkiso';

const SIZE = 4.5 * 1024 ** 3;
/** libisofs cuts extents at 4 GiB − 2048 (the largest sector-aligned 32-bit size). */
const EXTENT_MAX = 0xfffff800;
const mark = (s: string) => Buffer.from(s.padEnd(32, '#'));
const PATCHES = [
  { offset: 0, data: mark('start of the big file') },
  { offset: EXTENT_MAX - 16, data: mark('across the first extent boundary') },
  { offset: 4 * 1024 ** 3 - 5, data: mark('across the 4 GiB line') },
  { offset: SIZE - 32, data: mark('the last 32 bytes') },
];

/** What the source file holds in [start, end): zeros plus the patches. */
function expected(start: number, end: number): Buffer {
  const b = Buffer.alloc(end - start);
  for (const p of PATCHES) {
    const a = Math.max(start, p.offset);
    const z = Math.min(end, p.offset + p.data.length);
    if (a < z) p.data.copy(b, a - start, a - p.offset, z - p.offset);
  }
  return b;
}

let work: string;
let iso: string;
let vfs: IsoSource;
beforeAll(async () => {
  work = await tempDir('isobig');
  const src = join(work, 'src');
  await makeTree(src, { 'big.bin': sparse(SIZE, PATCHES), 'after.txt': 'after the big one\n' });
  iso = join(work, 'big.iso');
  await buildIso(src, iso, { isoLevel: 3, joliet: false, volid: 'BIG', sparseOutput: true });
  vfs = await openIso(iso);
});
afterAll(async () => {
  await vfs?.close();
  await removeTempDirs();
});

describe('multi-extent files > 4 GiB', () => {
  it('is a sparse > 4 GiB image whose big file is several directory records', async () => {
    const st = await fsp.stat(iso);
    expect(st.size).toBeGreaterThan(SIZE);
    expect(st.blocks * 512).toBeLessThan(64 * 1024 * 1024); // holes, not 4.5 GiB of zeros on disk
    const fh = await fsp.open(iso, 'r');
    try {
      const pvdBuf = Buffer.alloc(SECTOR);
      await fh.read(pvdBuf, 0, SECTOR, 16 * SECTOR);
      const pvd = parseVolumeDescriptor(pvdBuf);
      const root = Buffer.alloc(pvd.root.dataLength);
      await fh.read(root, 0, root.length, pvd.root.extent * SECTOR);
      const big = [...directoryRecords(root)].filter((r) => r.name.toString('latin1').startsWith('BIG.BIN'));
      expect(big.length).toBe(2);
      expect(big.map((r) => (r.flags & FLAG.MULTI_EXTENT) !== 0)).toEqual([true, false]);
      expect(big[0]!.dataLength).toBe(EXTENT_MAX);
    } finally {
      await fh.close();
    }
  });

  it('reports the full size and reads the marks at every offset', async () => {
    expect((await vfs.stat('/big.bin')).size).toBe(SIZE);
    const f = await vfs.open('/big.bin');
    for (const p of PATCHES) {
      const start = Math.max(0, p.offset - 100);
      const end = Math.min(SIZE, p.offset + 200);
      const buf = Buffer.alloc(end - start);
      expect(await f.read(buf, 0, buf.length, start)).toBe(buf.length);
      expect(buf.equals(expected(start, end))).toBe(true);
    }
    const tail = Buffer.alloc(100);
    expect(await f.read(tail, 0, 100, SIZE - 32)).toBe(32);
    await f.close();
  });

  it('streams a range across the extent boundary in order', async () => {
    const start = EXTENT_MAX - 3 * 1024 * 1024 - 7;
    const end = EXTENT_MAX + 2 * 1024 * 1024 + 11; // inclusive
    const chunks: Buffer[] = [];
    for await (const c of await vfs.createReadStream('/big.bin', { start, end })) chunks.push(c as Buffer);
    const got = Buffer.concat(chunks);
    expect(got.length).toBe(end - start + 1);
    expect(got.equals(expected(start, end + 1))).toBe(true);
  });

  it('maps byte ranges to host spans of the image (what the native helpers sendfile)', async () => {
    const f = await vfs.open('/big.bin');
    const start = EXTENT_MAX - 100;
    const end = EXTENT_MAX + 100;
    const spans = f.hostSpans?.(start, end);
    expect(spans).toHaveLength(2); // one piece on each side of the extent boundary
    const got = Buffer.concat(
      spans!.map((s) => {
        const b = Buffer.alloc(s.length);
        expect(readSync(s.fd, b, 0, s.length, s.position)).toBe(s.length);
        return b;
      }),
    );
    expect(got.equals(expected(start, end))).toBe(true);
    expect(f.hostSpans?.(0, SIZE + 1)).toBeNull();
    expect(f.hostSpans?.(-1, 10)).toBeNull();
    expect(f.hostSpans?.(SIZE, SIZE)).toEqual([]);
    await f.close();
  });

  it('reads the file stored after the big one', async () => {
    const chunks: Buffer[] = [];
    for await (const c of await vfs.createReadStream('/after.txt')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('after the big one\n');
  });
});
