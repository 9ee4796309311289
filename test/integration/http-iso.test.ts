/**
 * HTTP straight out of real ISOs (xorriso-built, read by main/iso): whole files equal the file inside
 * the image as xorriso extracts it, and range requests into a 4.5 GiB multi-extent file (what a
 * multi-GiB squashfs looks like to casper/dracut fetchers) return the right bytes on both sides of the
 * extent boundary and the 4 GiB line.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '../../main/http';
import { openSource } from '../../main/iso';
import { TransferTracker } from '../../main/transfer';
import { MountedTree, type Vfs } from '../../main/vfs';
import { buildIso, makeTree, removeTempDirs, sparse, tempDir } from '../helpers/mkiso';
import { run } from '../helpers/run';

const HOST = '127.0.0.5';
const BIG = 4.5 * 1024 ** 3;
const EXTENT_MAX = 0xfffff800; // libisofs cuts extents at 4 GiB − 2048
const mark = (s: string) => Buffer.from(s.padEnd(64, '#'));
const PATCHES = [
  { offset: 0, data: mark('start of the squashfs') },
  { offset: EXTENT_MAX - 20, data: mark('across the first extent boundary') },
  { offset: 4 * 1024 ** 3 - 7, data: mark('across the 4 GiB line') },
  { offset: BIG - 64, data: mark('the last 64 bytes') },
];

function expected(start: number, end: number): Buffer {
  const b = Buffer.alloc(end - start);
  for (const p of PATCHES) {
    const a = Math.max(start, p.offset);
    const z = Math.min(end, p.offset + p.data.length);
    if (a < z) p.data.copy(b, a - start, a - p.offset, z - p.offset);
  }
  return b;
}

const curl = (args: string[]) => run('curl', args, { timeoutMs: 120_000, encoding: 'latin1' });

let work: string;
let smallIso: string;
const vfses: Vfs[] = [];
let server: HttpServer;
/** The same tree with the native sendfile helper off: ranges must read the same on both body paths. */
let jsServer: HttpServer;
const squash = randomBytes(12 * 1024 * 1024 + 5);

beforeAll(async () => {
  work = await tempDir('http-iso');
  await makeTree(join(work, 'small'), {
    casper: { 'filesystem.squashfs': squash, vmlinuz: randomBytes(300_000) },
    '.disk': { info: 'Test 24.04 LTS\n' },
  });
  smallIso = join(work, 'small.iso');
  await buildIso(join(work, 'small'), smallIso, { volid: 'HTTP_ISO', bios: true });
  await makeTree(join(work, 'big'), { live: { 'filesystem.squashfs': sparse(BIG, PATCHES) } });
  const bigIso = join(work, 'big.iso');
  await buildIso(join(work, 'big'), bigIso, { isoLevel: 3, joliet: false, volid: 'BIG', sparseOutput: true });
  const tree = new MountedTree();
  for (const [prefix, path] of [
    ['/iso/small', smallIso],
    ['/iso/big', bigIso],
  ] as const) {
    const { vfs } = await openSource(path);
    vfses.push(vfs);
    tree.mount(prefix, vfs);
  }
  tree.setFile('/boot.ipxe', Buffer.from('#!ipxe\nkernel /iso/small/casper/vmlinuz\n'));
  server = new HttpServer({
    vfs: tree,
    address: HOST,
    port: 0,
    tracker: new TransferTracker(() => undefined),
    log: () => undefined,
  });
  await server.start();
  jsServer = new HttpServer({
    vfs: tree,
    address: HOST,
    port: 0,
    tracker: new TransferTracker(() => undefined),
    log: () => undefined,
    native: false,
  });
  await jsServer.start();
});

afterAll(async () => {
  await server?.stop();
  await jsServer?.stop();
  for (const v of vfses) await v.close();
  await removeTempDirs();
});

describe('HTTP from real ISOs', () => {
  it('whole files equal what xorriso extracts from the image (keep-alive across them)', async () => {
    const paths = ['/casper/filesystem.squashfs', '/casper/vmlinuz', '/.disk/info', '/isolinux/isolinux.bin'];
    const args = ['-sS', '-v'];
    for (const p of paths) args.push('-o', join(work, `dl${p.replace(/\//g, '_')}`), `${server.url}/iso/small${p}`);
    const r = await curl(args);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr.match(/Re-using existing connection/g)?.length).toBe(paths.length - 1);
    for (const p of paths) {
      const ref = join(work, `ref${p.replace(/\//g, '_')}`);
      execFileSync('xorriso', ['-osirrox', 'on', '-indev', smallIso, '-extract', p, ref], { stdio: 'ignore' });
      expect(readFileSync(join(work, `dl${p.replace(/\//g, '_')}`)).equals(readFileSync(ref)), p).toBe(true);
    }
    expect(readFileSync(join(work, 'dl_casper_filesystem.squashfs')).equals(squash)).toBe(true);
  });

  it('a 4.5 GiB multi-extent file: right size, and ranges across the extent boundary and the 4 GiB line', async () => {
    const url = `${server.url}/iso/big/live/filesystem.squashfs`;
    const head = await curl(['-sS', '-I', url]);
    expect(head.stdout).toMatch(new RegExp(`Content-Length: ${BIG}\\r\\n`, 'i'));
    for (const p of PATCHES) {
      const start = Math.max(0, p.offset - 3000);
      const end = Math.min(BIG, p.offset + 5000); // exclusive
      const dest = join(work, `range-${p.offset}`);
      const r = await curl(['-sS', '-D', '-', '-r', `${start}-${end - 1}`, '-o', dest, url]);
      expect(r.stdout, String(p.offset)).toContain(`Content-Range: bytes ${start}-${end - 1}/${BIG}\r\n`);
      expect(readFileSync(dest).equals(expected(start, end)), String(p.offset)).toBe(true);
    }
    const tail = await curl(['-sS', '-r', '-64', url]);
    expect(Buffer.from(tail.stdout, 'latin1').equals(expected(BIG - 64, BIG))).toBe(true);
  });

  it('large ranges (sent as streamed bodies, natively by default) across the extent boundary and the 4 GiB line', async () => {
    for (const [name, srv] of [
      ['native', server],
      ['JavaScript', jsServer],
    ] as const) {
      const url = `${srv.url}/iso/big/live/filesystem.squashfs`;
      for (const at of [EXTENT_MAX, 4 * 1024 ** 3]) {
        const start = at - 700_001;
        const end = at + 650_003; // exclusive; 1.3 MB, well past the 256 KiB one-write limit
        const dest = join(work, `big-range-${name}-${at}`);
        const r = await curl(['-sS', '-D', '-', '-r', `${start}-${end - 1}`, '-o', dest, url]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout, `${name} ${at}`).toContain(`Content-Range: bytes ${start}-${end - 1}/${BIG}\r\n`);
        expect(readFileSync(dest).equals(expected(start, end)), `${name} ${at}`).toBe(true);
      }
    }
  });
});
