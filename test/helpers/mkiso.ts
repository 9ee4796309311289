/**
 * Build real ISO images for tests with real tools (xorriso, genisoimage), from a source folder.
 *
 *   const src = await tempDir('src');
 *   await makeTree(src, { 'README.TXT': 'hi', boot: { 'vmlinuz': Buffer.alloc(5000, 1), 'latest': link('vmlinuz') } });
 *   const iso = join(await tempDir('iso'), 'test.iso');
 *   await buildIso(src, iso, { volid: 'TEST', bios: true, efi: true });
 *
 * Boot files are grafted into the image without touching the source folder: with `bios` the image gets
 * /isolinux/isolinux.bin, /isolinux/ldlinux.c32 and /isolinux/boot.cat (see BIOS_PATHS), with `efi`
 * /efi/efiboot.img (a small FAT image holding /EFI/BOOT/BOOTX64.EFI, made with mtools). A missing tool
 * is an error naming the Debian package, never a skipped test.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface MkisoOptions {
  /** Which tool builds the image (default 'xorriso', run as `xorriso -as mkisofs`). */
  tool?: 'xorriso' | 'genisoimage';
  /** Joliet tree (-J). Default true. */
  joliet?: boolean;
  /** Rock Ridge (-R: POSIX modes, symlinks, long names, deep-directory relocation). Default true. */
  rockRidge?: boolean;
  /** ISO 9660 interchange level (-iso-level). Default: the tool's default (1 for genisoimage, xorriso picks 1 but allows more). */
  isoLevel?: 1 | 2 | 3 | 4;
  /** Volume label (-V). Default 'BOOTDROP_TEST'. */
  volid?: string;
  /** El Torito BIOS entry: isolinux.bin (no emulation, load size 4, boot info table). */
  bios?: boolean;
  /** El Torito EFI entry (platform 0xEF): a FAT image with syslinux.efi as /EFI/BOOT/BOOTX64.EFI. */
  efi?: boolean;
  /** Extra raw arguments for the tool (mkisofs syntax), appended before the source folder. */
  extraArgs?: string[];
  /**
   * Write the image sparse (zero runs become holes, via `dd conv=sparse`): for multi-GiB test images
   * built from sparse files, which would otherwise take GiBs of disk.
   */
  sparseOutput?: boolean;
}

const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';
const LDLINUX_C32 = '/usr/lib/syslinux/modules/bios/ldlinux.c32';
const SYSLINUX_EFI = '/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi';
const LDLINUX_E64 = '/usr/lib/syslinux/modules/efi64/ldlinux.e64';

/** Fail loudly (with the package to install) when a tool or file the tests need is missing. */
export function requireFiles(files: Record<string, string>): void {
  for (const [file, pkg] of Object.entries(files)) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: install the Debian package "${pkg}" (scripts/install-deps.sh)`);
  }
}

const TOOL_TIMEOUT_MS = 120_000;

async function run(cmd: string, args: string[], pkg: string): Promise<string> {
  try {
    // Bounded: genisoimage 1.1.11 can spin forever on some inputs; a hang must fail, not stall CI.
    const { stdout, stderr } = await execFileP(cmd, args, {
      maxBuffer: 64 * 1024 * 1024,
      timeout: TOOL_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    return stdout + stderr;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if ((e as { killed?: boolean }).killed)
      throw new Error(`${cmd} ${args.join(' ')} did not finish within ${TOOL_TIMEOUT_MS / 1000} s`);
    if (e.code === 'ENOENT')
      throw new Error(`${cmd} is not installed: install the Debian package "${pkg}" (scripts/install-deps.sh)`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** A 2.88 MB FAT image with syslinux.efi as the removable-media EFI loader, built with mtools (no root). */
async function makeEfiImage(out: string): Promise<void> {
  requireFiles({ [SYSLINUX_EFI]: 'syslinux-efi', [LDLINUX_E64]: 'syslinux-common' });
  await run('mformat', ['-i', out, '-C', '-f', '2880', '-v', 'EFIBOOT', '::'], 'mtools');
  await run('mmd', ['-i', out, '::/EFI', '::/EFI/BOOT'], 'mtools');
  await run('mcopy', ['-i', out, SYSLINUX_EFI, '::/EFI/BOOT/BOOTX64.EFI'], 'mtools');
  await run('mcopy', ['-i', out, LDLINUX_E64, '::/EFI/BOOT/ldlinux.e64'], 'mtools');
}

/** Build `outIso` from `srcDir`. Rejects with the tool's stderr on failure. */
export async function buildIso(srcDir: string, outIso: string, opts: MkisoOptions = {}): Promise<void> {
  const tool = opts.tool ?? 'xorriso';
  const args: string[] = tool === 'xorriso' ? ['-as', 'mkisofs'] : [];
  args.push('-o', opts.sparseOutput ? '-' : outIso, '-V', opts.volid ?? 'BOOTDROP_TEST', '-graft-points');
  if (opts.joliet ?? true) args.push('-J', '-joliet-long');
  // xorriso's mkisofs emulation writes Rock Ridge unless told not to; genisoimage only with -R.
  if (opts.rockRidge ?? true) args.push('-R');
  else if (tool === 'xorriso') args.push('--norock');
  if (opts.isoLevel !== undefined) args.push('-iso-level', String(opts.isoLevel));
  const grafts: string[] = [];
  if (opts.bios) {
    requireFiles({ [ISOLINUX_BIN]: 'isolinux', [LDLINUX_C32]: 'syslinux-common' });
    grafts.push(`/isolinux/isolinux.bin=${ISOLINUX_BIN}`, `/isolinux/ldlinux.c32=${LDLINUX_C32}`);
    args.push(
      '-b',
      'isolinux/isolinux.bin',
      '-c',
      'isolinux/boot.cat',
      '-no-emul-boot',
      '-boot-load-size',
      '4',
      '-boot-info-table',
    );
  }
  let efiTmp: string | undefined;
  if (opts.efi) {
    efiTmp = await tempDir('efi');
    const img = join(efiTmp, 'efiboot.img');
    await makeEfiImage(img);
    grafts.push(`/efi/efiboot.img=${img}`);
    if (opts.bios) args.push('-eltorito-alt-boot');
    else args.push('-c', 'efi/boot.cat');
    args.push('-e', 'efi/efiboot.img', '-no-emul-boot');
  }
  args.push(...(opts.extraArgs ?? []));
  args.push(...grafts, `/=${srcDir}`);
  await fsp.mkdir(dirname(outIso), { recursive: true });
  if (opts.sparseOutput) await runToSparseFile(tool, args, outIso);
  else await run(tool, args, tool);
}

async function runToSparseFile(tool: string, args: string[], out: string): Promise<void> {
  const maker = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const dd = spawn('dd', [`of=${out}`, 'bs=1M', 'conv=sparse', 'status=none'], { stdio: ['pipe', 'ignore', 'pipe'] });
  maker.stdout.pipe(dd.stdin);
  let stderr = '';
  maker.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  dd.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = (p: ReturnType<typeof spawn>, name: string) =>
    new Promise<number>((resolve, reject) => {
      p.on('error', (err) => reject(new Error(`${name} could not run: ${err.message}`)));
      p.on('close', (code) => resolve(code ?? 1));
    });
  const [a, b] = await Promise.all([exit(maker, tool), exit(dd, 'dd')]);
  if (a !== 0 || b !== 0) throw new Error(`${tool} ${args.join(' ')} | dd failed (${a}/${b}): ${stderr}`);
}

// ---- source trees ------------------------------------------------------------------------------

/** A leaf of a tree spec; plain objects are directories. Build with file(), link(), sparse(). */
export class TreeLeaf {
  constructor(
    readonly kind: 'file' | 'symlink' | 'sparse',
    readonly data: Buffer,
    readonly target: string,
    readonly size: number,
    readonly mode: number | undefined,
    /** For sparse files: byte patches written at offsets (the rest are holes reading as zeros). */
    readonly patches: ReadonlyArray<{ offset: number; data: Buffer }>,
  ) {}
}

export interface TreeSpec {
  [name: string]: string | Buffer | TreeLeaf | TreeSpec;
}

export function file(data: string | Buffer, mode?: number): TreeLeaf {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return new TreeLeaf('file', buf, '', buf.length, mode, []);
}

export function link(target: string): TreeLeaf {
  return new TreeLeaf('symlink', Buffer.alloc(0), target, 0, undefined, []);
}

/** A sparse file of `size` bytes (holes read as zeros) with some data written at given offsets. */
export function sparse(size: number, patches: Array<{ offset: number; data: Buffer }> = []): TreeLeaf {
  return new TreeLeaf('sparse', Buffer.alloc(0), '', size, undefined, patches);
}

/** Create `spec` under `dir` (which may already exist). Strings and Buffers are file contents. */
export async function makeTree(dir: string, spec: TreeSpec): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  for (const [name, node] of Object.entries(spec)) {
    const path = join(dir, name);
    if (typeof node === 'string' || Buffer.isBuffer(node)) {
      await fsp.writeFile(path, node);
    } else if (node instanceof TreeLeaf) {
      if (node.kind === 'symlink') {
        await fsp.symlink(node.target, path);
      } else if (node.kind === 'file') {
        await fsp.writeFile(path, node.data);
        if (node.mode !== undefined) await fsp.chmod(path, node.mode);
      } else {
        const fh = await fsp.open(path, 'w');
        try {
          await fh.truncate(node.size);
          for (const p of node.patches) await fh.write(p.data, 0, p.data.length, p.offset);
        } finally {
          await fh.close();
        }
      }
    } else {
      await makeTree(path, node);
    }
  }
}

// ---- temp dirs ---------------------------------------------------------------------------------

const liveDirs = new Set<string>();
process.once('exit', removeTempDirsSync);

/** A fresh temp folder, removed by removeTempDirs() (call it in afterAll) or at process exit. */
export async function tempDir(prefix = 'mkiso'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `bootdrop-${prefix}-`));
  liveDirs.add(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all([...liveDirs].map((d) => fsp.rm(d, { recursive: true, force: true })));
  liveDirs.clear();
}

function removeTempDirsSync(): void {
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
}

// ---- checking an image against its source -----------------------------------------------------

/** The parts of main/vfs's Vfs the comparison needs (kept structural so this helper stays standalone). */
interface VfsLike {
  lstat(
    path: string,
  ): Promise<{ name: string; type: string; size: number; mode: number; mtime: Date | null; linkTarget?: string }>;
  readdir(path: string): Promise<Array<{ name: string }>>;
  open(path: string): Promise<{
    size: number;
    read(b: Buffer, o: number, l: number, p: number): Promise<number>;
    close(): Promise<void>;
  }>;
}

export interface CompareOptions {
  /** Compare POSIX modes and mtimes (Rock Ridge images). */
  posix?: boolean;
  /** Entries the image has but the source folder does not, as full paths ('/isolinux', '/rr_moved'). */
  extra?: string[];
}

/**
 * Walk `srcDir` and check that `vfs` holds exactly the same tree: names, types, sizes, bytes (read in
 * odd-sized pieces to cross sector and extent edges), symlink targets and, with `posix`, modes and
 * mtimes. Throws an Error naming the first difference; returns the number of entries checked.
 */
export async function expectSameTree(srcDir: string, vfs: VfsLike, opts: CompareOptions = {}): Promise<number> {
  const extra = new Set((opts.extra ?? []).map((p) => p.toLowerCase()));
  let checked = 0;
  const walk = async (rel: string): Promise<void> => {
    const host = join(srcDir, rel);
    const srcNames = (await fsp.readdir(host)).sort();
    const isoNames = (await vfs.readdir(rel || '/'))
      .map((e) => e.name)
      .filter((n) => !extra.has(`${rel}/${n}`.toLowerCase()))
      .sort();
    if (JSON.stringify(srcNames) !== JSON.stringify(isoNames)) {
      throw new Error(
        `${rel || '/'}: names differ\n  source: ${srcNames.join(' | ')}\n  image:  ${isoNames.join(' | ')}`,
      );
    }
    for (const name of srcNames) {
      const vpath = `${rel}/${name}`;
      const st = await fsp.lstat(join(host, name));
      const ist = await vfs.lstat(vpath);
      const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
      const fail = (what: string, want: unknown, got: unknown) => {
        throw new Error(`${vpath}: ${what} differs: source ${String(want)}, image ${String(got)}`);
      };
      checked++;
      if (ist.type !== type) fail('type', type, ist.type);
      if (ist.name !== name) fail('name', name, ist.name);
      if (opts.posix && (st.mode & 0o7777) !== ist.mode)
        fail('mode', (st.mode & 0o7777).toString(8), ist.mode.toString(8));
      if (
        opts.posix &&
        type === 'file' &&
        Math.abs(Math.floor(st.mtimeMs / 1000) * 1000 - (ist.mtime?.getTime() ?? 0)) > 1000
      )
        fail('mtime', st.mtime.toISOString(), ist.mtime?.toISOString());
      if (type === 'symlink') {
        const target = await fsp.readlink(join(host, name));
        if (ist.linkTarget !== target) fail('symlink target', target, ist.linkTarget);
      } else if (type === 'dir') {
        await walk(vpath);
      } else {
        if (ist.size !== st.size) fail('size', st.size, ist.size);
        const want = await fsp.readFile(join(host, name));
        const f = await vfs.open(vpath);
        const got = Buffer.alloc(want.length);
        let pos = 0;
        let piece = 1;
        while (pos < got.length) {
          const n = await f.read(got, pos, Math.min(piece, got.length - pos), pos);
          if (n <= 0) fail('length read', want.length, pos);
          pos += n;
          piece = piece * 7 + 3; // 1, 10, 73, 514, 3601, ... crosses every kind of edge
        }
        await f.close();
        if (!got.equals(want)) {
          let i = 0;
          while (got[i] === want[i]) i++;
          fail(`content at byte ${i}`, want[i], got[i]);
        }
      }
    }
  };
  await walk('');
  return checked;
}
