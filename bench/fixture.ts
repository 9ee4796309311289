/**
 * The bench's inputs, built once and reused (bench/.work/, keyed by sizes): a multi-GiB ISO holding a
 * pseudo-random payload for HTTP, a smaller one for TFTP, a large sparse file (so the image is
 * multi-GiB without taking the disk space), and an Arch-like tree with a package folder so OS
 * detection and indexing have real work. The payloads are also extracted from the ISO to plain files,
 * which is what the classic servers (nginx, tftpd-hpa, dnsmasq) serve: the same bytes, from disk.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openIso } from '../main/iso';
import { buildIso, makeTree, sparse, type TreeSpec } from '../test/helpers/mkiso';
import { run } from './lib/proc';
import { MiB } from './lib/stats';

export interface BenchSizes {
  httpBytes: number;
  tftpBytes: number;
  sparseBytes: number;
  kernelBytes: number;
  initrdBytes: number;
}

export interface Fixture {
  iso: string;
  sizes: BenchSizes;
  /** Paths inside the ISO. */
  httpPath: string;
  tftpPath: string;
  kernelPath: string;
  initrdPath: string;
  /** The same bytes extracted to disk, for the classic servers. */
  wwwDir: string;
  tftpDir: string;
}

/** The repository root (where package.json says "bootdrop"), found from the compiled file. */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'main', 'iso'))) return dir;
  }
  throw new Error(`cannot find the Bootdrop checkout above ${from}`);
}

export const WORK = path.join(repoRoot(), 'bench', '.work');

/** Write `size` bytes of random-looking data (a 16 MiB random block repeated; nothing compresses it). */
async function writePayload(file: string, size: number): Promise<void> {
  const block = randomBytes(16 * MiB);
  const fh = await fsp.open(file, 'w');
  try {
    for (let at = 0; at < size; at += block.length) {
      const n = Math.min(block.length, size - at);
      await fh.write(block, 0, n, at);
    }
  } finally {
    await fh.close();
  }
}

function archTree(sizes: BenchSizes): TreeSpec {
  const pkg: TreeSpec = {};
  // Real Arch ISOs carry a few hundred to a few thousand entries; this is the index work.
  for (let i = 0; i < 1500; i++) pkg[`package-${String(i).padStart(4, '0')}-1.0-1-x86_64.pkg.tar.zst`] = `pkg ${i}\n`;
  return {
    arch: {
      version: '2024.01.01\n',
      pkglist: pkg,
      x86_64: { 'airootfs.sfs': sparse(sizes.sparseBytes, [{ offset: 0, data: Buffer.from('hsqs') }]) },
      boot: {
        x86_64: {
          'vmlinuz-linux': randomBytes(sizes.kernelBytes),
          'initramfs-linux.img': randomBytes(sizes.initrdBytes),
        },
        syslinux: {
          'archiso_pxe.cfg':
            'LABEL arch64_http\nLINUX boot/x86_64/vmlinuz-linux\nINITRD boot/x86_64/initramfs-linux.img\nAPPEND archisobasedir=arch archiso_http_srv=http://${pxeserver}/\nSYSAPPEND 3\n',
          'archiso_sys.cfg':
            'LABEL arch64\nLINUX boot/x86_64/vmlinuz-linux\nINITRD boot/x86_64/initramfs-linux.img\nAPPEND archisobasedir=arch archisolabel=ARCH_202401\n',
        },
      },
    },
    loader: {
      entries: {
        'arch.conf':
          'title Arch Linux\nlinux /arch/boot/x86_64/vmlinuz-linux\ninitrd /arch/boot/x86_64/initramfs-linux.img\n',
      },
    },
  };
}

/** Copy one file out of the ISO through the engine's reader (what `bootdrop cat` does). */
async function extract(iso: string, inside: string, out: string): Promise<void> {
  const src = await openIso(iso);
  try {
    await pipeline(await src.createReadStream(inside), createWriteStream(out));
  } finally {
    await src.close();
  }
}

export async function buildFixture(sizes: BenchSizes, say: (s: string) => void): Promise<Fixture> {
  const key = [sizes.httpBytes, sizes.tftpBytes, sizes.sparseBytes, sizes.kernelBytes, sizes.initrdBytes]
    .map((n) => Math.round(n / MiB))
    .join('-');
  const dir = path.join(WORK, `fixture-${key}`);
  const iso = path.join(dir, 'bench.iso');
  const fx: Fixture = {
    iso,
    sizes,
    httpPath: '/payload/big.bin',
    tftpPath: '/payload/tftp.bin',
    kernelPath: '/arch/boot/x86_64/vmlinuz-linux',
    initrdPath: '/arch/boot/x86_64/initramfs-linux.img',
    wwwDir: path.join(dir, 'www'),
    tftpDir: path.join(dir, 'tftp'),
  };
  const done = path.join(dir, 'READY');
  if (existsSync(done)) return fx;
  await fsp.rm(dir, { recursive: true, force: true });
  const src = path.join(dir, 'src');
  await fsp.mkdir(path.join(src, 'payload'), { recursive: true });
  say(`building the bench ISO in ${dir} (payload ${sizes.httpBytes / MiB} MiB, sparse ${sizes.sparseBytes / MiB} MiB)`);
  await writePayload(path.join(src, 'payload', 'big.bin'), sizes.httpBytes);
  await writePayload(path.join(src, 'payload', 'tftp.bin'), sizes.tftpBytes);
  await makeTree(src, archTree(sizes));
  // Level 3: the sparse root image may exceed 4 GiB (multi-extent files), as real ISOs' squashfs can.
  await buildIso(src, iso, { volid: 'ARCH_202401', isoLevel: 3, sparseOutput: true });
  await fsp.rm(src, { recursive: true, force: true });
  await fsp.mkdir(fx.wwwDir, { recursive: true });
  await fsp.mkdir(fx.tftpDir, { recursive: true });
  await extract(iso, fx.httpPath, path.join(fx.wwwDir, 'big.bin'));
  await extract(iso, fx.tftpPath, path.join(fx.tftpDir, 'tftp.bin'));
  await fsp.writeFile(done, new Date().toISOString());
  return fx;
}

/** Read a file end to end so the page cache holds it (every figure is measured warm). */
export async function warm(files: string[]): Promise<void> {
  for (const f of files) await run('dd', [`if=${f}`, 'of=/dev/null', 'bs=4M', 'status=none']);
}
