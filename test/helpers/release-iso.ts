/**
 * ISOs built the way their projects build them, from real parts, for inspect and QEMU boot tests:
 *
 * - memtest86+'s release ISO, as build/x86_64/Makefile's `memtest.iso` target makes it: floppy.img is
 *   the program padded to 1.44 MB (`dd ... conv=notrunc`), esp.img a FAT12 ESP with EFI/BOOT/bootx64.efi,
 *   xorrisofs `-volid MT86PLUS_64 -b /boot/floppy.img --efi-boot --interval:appended_partition_2:all::
 *   -append_partition 2 0xef esp.img /boot=... /EFI=...` (the Debian memtest86+ package's binaries).
 * - an unknown ISO that is bootable only through its El Torito images: a 1.44M floppy-emulation image
 *   whose boot sector prints a marker on COM1 (BIOS INT 14h), and a UEFI FAT image whose
 *   EFI/BOOT/BOOTX64.EFI (memtest86+'s EFI program) is nowhere in the ISO tree.
 *
 * Cached under test/.artifacts/boot/ like testiso.ts, keyed by inputs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, statSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ARTIFACTS, MissingToolError } from './testiso';

const execFileP = promisify(execFile);
export const MEMTEST_BIN = '/boot/memtest86+x64.bin';
export const MEMTEST_EFI = '/boot/memtest86+x64.efi';
const VERSION = 1;
export const FLOPPY_MARKER = 'BOOTDROP-ELTORITO-FLOPPY-OK';

async function sh(cmd: string, args: string[]): Promise<void> {
  try {
    await execFileP(cmd, args, { maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as { stderr?: string; code?: string };
    if (e.code === 'ENOENT') throw new MissingToolError(`"${cmd}" is not installed (scripts/install-deps.sh)`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? String(err)}`);
  }
}

function need(file: string, pkg: string): void {
  if (!existsSync(file))
    throw new MissingToolError(`${file} is missing: install the Debian package "${pkg}" (scripts/install-deps.sh)`);
}

function key(parts: Array<string | number>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p)).update('\0');
  return h.digest('hex').slice(0, 12);
}

const fileKey = (f: string) => `${f}:${statSync(f).size}:${statSync(f).mtimeMs}`;

/** A FAT12 image (4 MiB, like memtest's `mkdosfs -F12 -C esp.img 4096`) holding `files`. */
async function fatImage(out: string, files: Record<string, string>): Promise<void> {
  await fsp.rm(out, { force: true });
  await sh('mformat', ['-i', out, '-C', '-T', '8192', '-h', '64', '-s', '32', '-c', '4', '-v', 'MT-ESP', '::']);
  const made = new Set<string>();
  for (const [dest, src] of Object.entries(files)) {
    const dirs = dest.split('/').slice(0, -1);
    for (let i = 1; i <= dirs.length; i++) {
      const d = dirs.slice(0, i).join('/');
      if (made.has(d)) continue;
      made.add(d);
      await sh('mmd', ['-i', out, `::/${d}`]);
    }
    await sh('mcopy', ['-i', out, src, `::/${dest}`]);
  }
}

async function cached(name: string, inputs: Array<string | number>, build: (out: string) => Promise<void>) {
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  const out = path.join(ARTIFACTS, `${name}-${key([VERSION, ...inputs])}.iso`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp${process.pid}`;
  await build(tmp);
  await fsp.rename(tmp, out);
  return out;
}

/** memtest86+'s release ISO from the Debian package's binaries (see the file comment). */
export async function memtestReleaseIso(): Promise<string> {
  need(MEMTEST_BIN, 'memtest86+');
  need(MEMTEST_EFI, 'memtest86+');
  return cached('memtest-release', [fileKey(MEMTEST_BIN), fileKey(MEMTEST_EFI)], async (out) => {
    const work = await fsp.mkdtemp(path.join(ARTIFACTS, 'mt-'));
    try {
      await fsp.mkdir(path.join(work, 'iso', 'boot'), { recursive: true });
      await fsp.mkdir(path.join(work, 'iso', 'EFI', 'BOOT'), { recursive: true });
      const floppy = Buffer.alloc(1_474_560);
      (await fsp.readFile(MEMTEST_BIN)).copy(floppy);
      await fsp.writeFile(path.join(work, 'iso', 'boot', 'floppy.img'), floppy);
      await fsp.copyFile(MEMTEST_EFI, path.join(work, 'iso', 'EFI', 'BOOT', 'bootx64.efi'));
      const esp = path.join(work, 'esp.img');
      await fatImage(esp, { 'EFI/BOOT/bootx64.efi': MEMTEST_EFI });
      await sh('xorriso', [
        '-as',
        'mkisofs',
        '-quiet',
        '-pad',
        '-R',
        '-J',
        '-volid',
        'MT86PLUS_64',
        '-graft-points',
        '-hide-rr-moved',
        '-b',
        '/boot/floppy.img',
        '--efi-boot',
        '--interval:appended_partition_2:all::',
        '-part_like_isohybrid',
        '-iso_mbr_part_type',
        '0x00',
        '-append_partition',
        '2',
        '0xef',
        esp,
        '-o',
        out,
        `/boot=${path.join(work, 'iso', 'boot')}`,
        `/EFI=${path.join(work, 'iso', 'EFI')}`,
      ]);
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  });
}

/**
 * A floppy boot sector (loaded at 0000:7C00) that prints FLOPPY_MARKER on COM1 through the BIOS
 * serial service (INT 14h: AH=0 init 9600 8N1, AH=1 send AL) and halts. Hand-assembled:
 *   xor ax,ax / mov ds,ax / mov si,msg / mov dx,0 / mov ax,0x00E3 / int 14h
 *   next: lodsb / test al,al / jz done / mov ah,1 / mov dx,0 / int 14h / jmp next
 *   done: cli / hlt / jmp done-ish
 */
function serialMarkerBootSector(): Buffer {
  const code = [0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x21, 0x7c, 0xba, 0x00, 0x00, 0xb8, 0xe3, 0x00, 0xcd, 0x14];
  code.push(0xac, 0x84, 0xc0, 0x74, 0x09, 0xb4, 0x01, 0xba, 0x00, 0x00, 0xcd, 0x14, 0xeb, 0xf2);
  code.push(0xfa, 0xf4, 0xeb, 0xfd);
  if (code.length !== 0x21) throw new Error(`boot sector code is ${code.length} bytes, message offset expects 33`);
  const sector = Buffer.alloc(512);
  Buffer.from(code).copy(sector);
  sector.write(`\r\n${FLOPPY_MARKER}\r\n\0`, 0x21, 'latin1');
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/** An unknown ISO, bootable only through its El Torito images (see the file comment). */
export async function elToritoOnlyIso(): Promise<string> {
  need(MEMTEST_EFI, 'memtest86+');
  return cached('eltorito-only', [fileKey(MEMTEST_EFI)], async (out) => {
    const work = await fsp.mkdtemp(path.join(ARTIFACTS, 'et-'));
    try {
      const tree = path.join(work, 'tree');
      await fsp.mkdir(path.join(tree, 'images'), { recursive: true });
      await fsp.writeFile(path.join(tree, 'README.TXT'), 'An OS Bootdrop does not know.\n');
      const floppy = Buffer.alloc(1_474_560);
      serialMarkerBootSector().copy(floppy);
      await fsp.writeFile(path.join(tree, 'images', 'floppy.img'), floppy);
      // The EFI program lives only inside the FAT image, under a name that does not say memtest.
      await fatImage(path.join(tree, 'images', 'efiboot.img'), { 'EFI/BOOT/BOOTX64.EFI': MEMTEST_EFI });
      await sh('xorriso', [
        '-as',
        'mkisofs',
        '-quiet',
        '-R',
        '-J',
        '-V',
        'SOME_OS_2026',
        '-b',
        'images/floppy.img',
        '-c',
        'images/boot.cat',
        '-eltorito-alt-boot',
        '-e',
        'images/efiboot.img',
        '-no-emul-boot',
        '-o',
        out,
        tree,
      ]);
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  });
}
