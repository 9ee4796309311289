/**
 * Bad input: not an ISO, truncated, UDF-only, damaged directory records (loops, lengths past the
 * sector, impossible names, extents beyond the image), and a seeded fuzz loop over a real image's
 * metadata. Every failure must be a VfsError naming the ISO; every walk must end.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAMAGED_ADVICE, openIso } from '../../main/iso';
import { MAX_DIR_BYTES, MAX_DIR_ENTRIES, RECORDS_PER_SLICE } from '../../main/iso/ecma119-reader';
import { FLAG, SECTOR, directoryRecords, parseVolumeDescriptor, plainName } from '../../main/iso/ecma119';
import { isVfsError, type Vfs, type VfsError } from '../../main/vfs';
import { buildIso, link, makeTree, removeTempDirs, tempDir } from '../helpers/mkiso';
import { prng } from '../helpers/dhcp/prng';
import { errorMessage } from '../../main/errors';

let work: string;
beforeAll(async () => {
  work = await tempDir('isodamage');
});
afterAll(removeTempDirs);

async function failure(p: Promise<unknown>): Promise<VfsError> {
  try {
    await p;
  } catch (err) {
    if (isVfsError(err)) return err;
    throw err;
  }
  throw new Error('expected a VfsError, but it succeeded');
}

/** Byte offset of the directory record named `name` (plain ISO name) in the directory at `dirPos`. */
function findRecord(
  img: Buffer,
  dirPos: number,
  dirLen: number,
  name: string,
): { off: number; extent: number; size: number } {
  for (const r of directoryRecords(img.subarray(dirPos, dirPos + dirLen))) {
    if (plainName(r.name) === name) return { off: dirPos + r.offset, extent: r.extent, size: r.dataLength };
  }
  throw new Error(`test setup: no record ${name}`);
}

function writeBoth32(img: Buffer, off: number, n: number): void {
  img.writeUInt32LE(n, off);
  img.writeUInt32BE(n, off + 4);
}

describe('images that are not (whole) ISOs', () => {
  it('refuses a file that is not an ISO, however small', async () => {
    const junk = join(work, 'junk.iso');
    await fsp.writeFile(junk, Buffer.alloc(200_000, 0x41));
    const e = await failure(openIso(junk));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain(junk);
    expect(e.message).toContain('not an ISO 9660 image');
    await fsp.writeFile(junk, 'tiny');
    expect((await failure(openIso(junk))).message).toMatch(/not an ISO image: the file is only 4 bytes/);
  });

  it('says UDF-only images are not supported yet', async () => {
    const udf = Buffer.alloc(40 * SECTOR);
    ['BEA01', 'NSR02', 'TEA01'].forEach((id, i) => udf.write(id, (16 + i) * SECTOR + 1, 'latin1'));
    const path = join(work, 'udf-only.iso');
    await fsp.writeFile(path, udf);
    const e = await failure(openIso(path));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('UDF-only images (e.g. Windows ISOs) are not supported yet');
  });
});

describe('damaged images', () => {
  let pristine: Buffer;
  let rootPos: number;
  let rootLen: number;
  beforeAll(async () => {
    const src = join(work, 'src');
    await makeTree(src, {
      'README.TXT': 'readme',
      SUB: { CHILD: { 'LEAF.TXT': 'leaf' }, 'DATA.BIN': Buffer.alloc(5000, 7) },
      MANY: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`F${String(i).padStart(5, '0')}.TXT`, `${i}`])),
    });
    const iso = join(work, 'plain.iso');
    await buildIso(src, iso, { tool: 'genisoimage', rockRidge: false, joliet: false, isoLevel: 1 });
    pristine = await fsp.readFile(iso);
    const pvd = parseVolumeDescriptor(pristine.subarray(16 * SECTOR, 17 * SECTOR));
    rootPos = pvd.root.extent * SECTOR;
    rootLen = pvd.root.dataLength;
  });

  async function damaged(name: string, patch: (img: Buffer) => void): Promise<{ vfs: Vfs; path: string }> {
    const img = Buffer.from(pristine);
    patch(img);
    const path = join(work, `${name}.iso`);
    await fsp.writeFile(path, img);
    return { vfs: await openIso(path), path };
  }

  it('says a truncated image is truncated, naming the file and what to do', async () => {
    const path = join(work, 'truncated.iso');
    await fsp.writeFile(path, pristine.subarray(0, Math.floor(pristine.length / 2)));
    const e = await failure(openIso(path));
    expect(e.code).toBe('ECORRUPT');
    expect(e.message).toContain(path);
    expect(e.message).toContain('truncated');
    expect(e.message).toContain(DAMAGED_ADVICE);
  });

  it('stops at a directory that points back at an ancestor', async () => {
    const { vfs, path } = await damaged('loop', (img) => {
      const sub = findRecord(img, rootPos, rootLen, 'SUB');
      const child = findRecord(img, sub.extent * SECTOR, sub.size, 'CHILD');
      writeBoth32(img, child.off + 2, rootPos / SECTOR);
      writeBoth32(img, child.off + 10, rootLen);
    });
    const e = await failure(vfs.readdir('/SUB/CHILD/SUB/CHILD'));
    expect(e.code).toBe('ECORRUPT');
    expect(e.message).toBe(
      `${path}: /SUB/CHILD: this directory points back at /, so the tree loops; ${DAMAGED_ADVICE}`,
    );
    await vfs.close();
  });

  it('reports a record running past its sector', async () => {
    const { vfs } = await damaged('crossing', (img) => {
      const many = findRecord(img, rootPos, rootLen, 'MANY');
      const base = many.extent * SECTOR;
      let last = 0;
      for (const r of directoryRecords(img.subarray(base, base + SECTOR))) last = r.offset;
      img[base + last] = Math.min(255, SECTOR - last + 2);
    });
    const e = await failure(vfs.readdir('/MANY'));
    expect(e.code).toBe('ECORRUPT');
    expect(e.message).toMatch(
      /\/MANY: directory record: directory record at byte \d+ \(length \d+\) runs past the end of its sector/,
    );
    await vfs.close();
  });

  it('reports impossible names (a "/" or NUL inside a name)', async () => {
    for (const [label, byte] of [
      ['slash', 0x2f],
      ['nul', 0],
    ] as const) {
      const { vfs } = await damaged(`name-${label}`, (img) => {
        const r = findRecord(img, rootPos, rootLen, 'README.TXT');
        img[r.off + 33 + 2] = byte;
      });
      const e = await failure(vfs.readdir('/'));
      expect(e.code).toBe('ECORRUPT');
      expect(e.message).toContain('impossible name');
      await vfs.close();
    }
  });

  it('never reads outside the image: absurd file and directory extents', async () => {
    const { vfs } = await damaged('extents', (img) => {
      const sub = findRecord(img, rootPos, rootLen, 'SUB');
      const data = findRecord(img, sub.extent * SECTOR, sub.size, 'DATA.BIN');
      writeBoth32(img, data.off + 2, 0x7fffffff);
      const child = findRecord(img, sub.extent * SECTOR, sub.size, 'CHILD');
      writeBoth32(img, child.off + 10, 0xffffffff);
      const many = findRecord(img, rootPos, rootLen, 'MANY');
      writeBoth32(img, many.off + 2, 0x00ffffff);
    });
    expect((await vfs.stat('/SUB/DATA.BIN')).size).toBe(5000); // listing still works
    const e = await failure(vfs.open('/SUB/DATA.BIN'));
    expect(e.code).toBe('ECORRUPT');
    expect(e.message).toMatch(
      /\/SUB\/DATA\.BIN: file data \(bytes \d+–\d+\) lies beyond the end of the \d+-byte image/,
    );
    expect((await failure(vfs.createReadStream('/SUB/DATA.BIN'))).code).toBe('ECORRUPT');
    expect((await failure(vfs.readdir('/SUB/CHILD'))).message).toMatch(/directory claims 4294967295 bytes/);
    expect((await failure(vfs.readdir('/MANY'))).message).toMatch(/directory data .* lies beyond the end/);
    await vfs.close();
  });

  it('reads nothing past the end of a file whose extent is cut by a shorter image', async () => {
    const { vfs } = await damaged('flags', (img) => {
      const sub = findRecord(img, rootPos, rootLen, 'SUB');
      const data = findRecord(img, sub.extent * SECTOR, sub.size, 'DATA.BIN');
      img.writeUInt8(img.readUInt8(data.off + 25) | FLAG.MULTI_EXTENT, data.off + 25); // claims more parts follow, none do
    });
    expect((await failure(vfs.open('/SUB/DATA.BIN'))).message).toContain('multi-extent file is missing');
    await vfs.close();
  });
});

describe('hostile directory sizes (bounded work per request)', () => {
  let pristine: Buffer;
  let rootPos: number;
  let rootLen: number;
  beforeAll(async () => {
    const src = join(work, 'hostile-src');
    await makeTree(src, { 'README.TXT': 'readme', BIG: { 'A.TXT': 'a' }, 'DATA.BIN': Buffer.alloc(3000, 9) });
    const iso = join(work, 'hostile-base.iso');
    await buildIso(src, iso, { tool: 'genisoimage', rockRidge: false, joliet: false, isoLevel: 1 });
    pristine = await fsp.readFile(iso);
    const pvd = parseVolumeDescriptor(pristine.subarray(16 * SECTOR, 17 * SECTOR));
    rootPos = pvd.root.extent * SECTOR;
    rootLen = pvd.root.dataLength;
  });

  /** Directory data of `count` records, all naming DATA.BIN's bytes (as a hostile image would), packed per sector. */
  function records(count: number, extent: number, size: number): Buffer {
    const sectors: Buffer[] = [];
    let sector = Buffer.alloc(SECTOR);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const name = Buffer.from(`F${String(i).padStart(7, '0')}.;1`, 'latin1');
      const len = 33 + name.length + (name.length % 2 === 0 ? 1 : 0);
      if (pos + len > SECTOR) {
        sectors.push(sector);
        sector = Buffer.alloc(SECTOR);
        pos = 0;
      }
      const r = sector.subarray(pos, pos + len);
      r[0] = len;
      writeBoth32(r, 2, extent);
      writeBoth32(r, 10, size);
      r.writeUInt16LE(1, 28);
      r.writeUInt16BE(1, 30);
      r[32] = name.length;
      name.copy(r, 33);
      pos += len;
    }
    sectors.push(sector);
    return Buffer.concat(sectors);
  }

  /** The pristine image with /BIG replaced by `count` records (or just claiming `claimBytes`), appended at the end. */
  async function hostile(name: string, count: number, claimBytes?: number): Promise<string> {
    const data = findRecord(pristine, rootPos, rootLen, 'DATA.BIN');
    const dir = records(count, data.extent, data.size);
    const img = Buffer.concat([pristine, dir]);
    const big = findRecord(img, rootPos, rootLen, 'BIG');
    writeBoth32(img, big.off + 2, pristine.length / SECTOR);
    writeBoth32(img, big.off + 10, claimBytes ?? dir.length);
    const path = join(work, `${name}.iso`);
    await fsp.writeFile(path, img);
    if (claimBytes !== undefined) await fsp.truncate(path, pristine.length + claimBytes);
    return path;
  }

  /** How many times the event loop turned while `p` ran (a chain of setImmediate callbacks). */
  async function turnsDuring<T>(p: () => Promise<T>): Promise<{ value: T | VfsError; turns: number }> {
    let turns = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    let value: T | VfsError;
    try {
      value = await p();
    } catch (err) {
      if (!isVfsError(err)) throw err;
      value = err;
    } finally {
      running = false;
    }
    return { value, turns };
  }

  it(`refuses a directory of more than ${MAX_DIR_ENTRIES} entries with ETOOBIG, yielding to the event loop while it counts`, async () => {
    const path = await hostile('many-entries', MAX_DIR_ENTRIES + 500);
    const vfs = await openIso(path);
    const { value, turns } = await turnsDuring(() => vfs.readdir('/BIG'));
    expect(isVfsError(value, 'ETOOBIG'), String(value)).toBe(true);
    expect((value as VfsError).message).toBe(
      `${path}: /BIG: directory holds more than ${MAX_DIR_ENTRIES} entries, more than Bootdrop reads; installation media have far smaller directories, so this image is not one Bootdrop can serve`,
    );
    // One yield per RECORDS_PER_SLICE records: DHCP, TFTP and HTTP run in between.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(MAX_DIR_ENTRIES / RECORDS_PER_SLICE) - 1);
    expect(isVfsError(await vfs.open('/BIG/F0000001').catch((e: unknown) => e), 'ETOOBIG')).toBe(true);
    expect((await vfs.readdir('/')).map((e) => e.name).sort()).toEqual(['BIG', 'DATA.BIN', 'README.TXT']); // the rest serves
    await vfs.close();
  });

  it('lists a large directory under the limits without holding the event loop', async () => {
    const n = 20_000;
    const vfs = await openIso(await hostile('large-ok', n));
    const { value, turns } = await turnsDuring(() => vfs.readdir('/BIG'));
    expect(Array.isArray(value) && value.length).toBe(n);
    expect(turns).toBeGreaterThanOrEqual(2 * Math.floor(n / RECORDS_PER_SLICE) - 2); // parse and build, both sliced
    await vfs.close();
  });

  it(`refuses a directory claiming more than ${MAX_DIR_BYTES} bytes (the 64 MiB / 1.7 M-record attack) before reading it`, async () => {
    const path = await hostile('huge-claim', 2, 64 * 1024 * 1024);
    const vfs = await openIso(path);
    const e = await failure(vfs.readdir('/BIG'));
    expect(e.code).toBe('ETOOBIG');
    expect(e.message).toContain(
      `/BIG: directory claims 67108864 bytes (the limit is ${MAX_DIR_BYTES}), more than Bootdrop reads`,
    );
    await vfs.close();
  });
});

/** Walk everything reachable; every failure must be a VfsError. Bounded in operations and depth. */
async function walk(vfs: Vfs, isoPath: string): Promise<{ ops: number; errors: number }> {
  let ops = 0;
  let errors = 0;
  const expectVfsError = (err: unknown) => {
    if (!isVfsError(err)) throw new Error(`not a VfsError: ${(err as Error)?.stack ?? String(err)}`);
    if (!err.message.includes(isoPath) && err.code !== 'EINVAL')
      throw new Error(`error does not name the ISO: ${err.message}`);
    errors++;
  };
  const queue: Array<{ path: string; depth: number }> = [{ path: '/', depth: 0 }];
  while (queue.length > 0 && ops < 3000) {
    const { path, depth } = queue.shift()!;
    ops++;
    let entries;
    try {
      entries = await vfs.readdir(path);
    } catch (err) {
      expectVfsError(err);
      continue;
    }
    for (const e of entries) {
      ops++;
      const child = path === '/' ? `/${e.name}` : `${path}/${e.name}`;
      if (e.type === 'dir' && depth < 40) queue.push({ path: child, depth: depth + 1 });
      try {
        const st = await vfs.stat(child);
        if (st.type === 'file') {
          let n = 0;
          for await (const c of await vfs.createReadStream(child, { start: 0, end: Math.min(st.size, 1 << 20) - 1 }))
            n += (c as Buffer).length;
          if (n > st.size) throw new Error(`${child}: read ${n} bytes of a ${st.size}-byte file`);
        }
      } catch (err) {
        expectVfsError(err);
      }
    }
  }
  return { ops, errors };
}

describe('fuzzing a real image', () => {
  it('mutated and truncated metadata gives VfsErrors, never a crash or a hang', async () => {
    const src = join(work, 'fuzz-src');
    const deep: Record<string, unknown> = { 'BOTTOM.TXT': 'deep' };
    let spec = deep;
    for (let i = 9; i >= 1; i--) spec = { [`d${i}`]: spec };
    await makeTree(src, {
      'README.TXT': 'fuzz me',
      boot: { vmlinuz: Buffer.alloc(3000, 1), latest: link('vmlinuz'), up: link('../README.TXT'), self: link('self') },
      'a rather long file name for rock ridge and joliet.txt': 'long',
      ...(spec as Record<string, never>),
    });
    const iso = join(work, 'fuzz-base.iso');
    await buildIso(src, iso, { tool: 'genisoimage', bios: true });
    const base = await fsp.readFile(iso);
    const target = join(work, 'fuzzed.iso');
    const seconds = Number(process.env.ISO_FUZZ_SECONDS ?? 2);
    const rand = prng(0xb007d209);
    const metaEnd = Math.min(base.length, 80 * SECTOR);
    const deadline = Date.now() + seconds * 1000;
    let runs = 0;
    let failures = 0;
    while (Date.now() < deadline) {
      runs++;
      let img = Buffer.from(base);
      const kind = rand();
      if (kind < 0.1) {
        img = img.subarray(0, Math.floor(rand() * img.length));
      } else {
        const n = 1 + Math.floor(rand() * 12);
        for (let i = 0; i < n; i++) {
          const at = 16 * SECTOR + Math.floor(rand() * (metaEnd - 16 * SECTOR - 4));
          if (rand() < 0.3) img.writeUInt32LE(Math.floor(rand() * 0xffffffff), at);
          else img[at] = Math.floor(rand() * 256);
        }
      }
      await fsp.writeFile(target, img);
      let vfs: Vfs;
      try {
        vfs = await openIso(target);
      } catch (err) {
        if (!isVfsError(err)) throw new Error(`run ${runs}: openIso threw a non-VfsError: ${(err as Error)?.stack}`);
        failures++;
        continue;
      }
      try {
        const hang = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`run ${runs}: walk did not finish in 10 s`)), 10_000).unref(),
        );
        const r = await Promise.race([walk(vfs, target), hang]);
        if (r.errors > 0) failures++;
      } catch (err) {
        throw new Error(`run ${runs}: ${errorMessage(err)}`);
      } finally {
        await vfs.close();
      }
    }
    expect(runs).toBeGreaterThan(10);
    expect(failures).toBeGreaterThan(0); // the mutations did hit something
  });
});
