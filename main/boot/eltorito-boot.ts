/**
 * Generic boot from what an unknown ISO declares bootable: its El Torito boot catalogue. Floppy and
 * hard-disk emulation images boot on BIOS through memdisk (the image is the emulated drive, as the
 * BIOS would have made it); the UEFI entry's EFI/BOOT/BOOTX64.EFI is chained directly — from the ISO
 * tree when it is there, else read out of the entry's FAT image (main/iso/fat.ts). The whole ISO as
 * a virtual CD (iPXE sanboot) is offered only to the firmware the catalogue has an entry for: iPXE's
 * BIOS sanboot boots El Torito "no emulation" images only (src/arch/x86/interface/pcbios/int13.c), and a
 * UEFI firmware needs the catalogue's EFI entry (0xEF) to find a boot program on a CD.
 */
import { readFatFile, type ReadAt } from '../iso/fat';
import type { Vfs } from '../vfs';
import { errorMessage } from '../errors';
import type { SourceProbe } from './probe';

/** What boot planning needs of an El Torito catalogue entry (main/iso's ElToritoEntry fits). */
interface ElToritoLike {
  index: number;
  platform: 'bios' | 'efi' | number;
  emulation: 'none' | '1.2M' | '1.44M' | '2.88M' | 'hdd';
  bootable: boolean;
  imagePath: string;
  imageSize: number;
}

interface ElToritoBoot {
  label: string;
  kind: 'memdisk' | 'chain';
  /** Path in the source (or an extracted file, see `files`). */
  file: string;
  cmdline: string;
  firmware: ['bios'] | ['uefi'];
  minRamMiB?: number;
}

export interface ElToritoPlan {
  boots: ElToritoBoot[];
  /** Files Bootdrop serves that are not in the ISO tree: BOOTX64.EFI read out of a FAT image. */
  files: Array<{ path: string; data: Buffer }>;
  /** The catalogue has a BIOS "no emulation" entry (what iPXE's BIOS sanboot can start). */
  biosNoEmulation: boolean;
  /** The catalogue has a UEFI entry (what a UEFI firmware can start from a virtual CD). */
  efi: boolean;
  warnings: string[];
}

const EFI_PROGRAM = '/EFI/BOOT/BOOTX64.EFI';

/** Read an El Torito list of unknown shape (the contract passes it through as `unknown`). */
function elToritoEntries(x: unknown): ElToritoLike[] {
  const list = Array.isArray(x) ? x : [];
  return list.filter(
    (e): e is ElToritoLike =>
      !!e &&
      typeof e === 'object' &&
      typeof (e as ElToritoLike).imagePath === 'string' &&
      typeof (e as ElToritoLike).emulation === 'string',
  );
}

/** A FAT image inside the source, read through `use`; the file is closed afterwards. */
async function withImage<T>(vfs: Vfs, path: string, use: (read: ReadAt) => Promise<T>): Promise<T> {
  const f = await vfs.open(path);
  try {
    return await use(async (off, len) => {
      const buf = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const n = await f.read(buf, got, len - got, off + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    });
  } finally {
    await f.close();
  }
}

export async function planElTorito(
  vfs: Vfs,
  probe: SourceProbe,
  catalogue: unknown,
  label: string,
): Promise<ElToritoPlan> {
  const out: ElToritoPlan = { boots: [], files: [], biosNoEmulation: false, efi: false, warnings: [] };
  for (const e of elToritoEntries(catalogue)) {
    if (e.platform === 'bios') {
      if (e.emulation === 'none') {
        out.biosNoEmulation = true;
        continue;
      }
      const hdd = e.emulation === 'hdd';
      out.boots.push({
        label: `${label} (El Torito ${hdd ? 'hard-disk' : `${e.emulation} floppy`} image via memdisk)`,
        kind: 'memdisk',
        file: e.imagePath,
        cmdline: hdd ? 'harddisk' : 'floppy',
        firmware: ['bios'],
        minRamMiB: Math.ceil(e.imageSize / 1048576) + 32,
      });
    } else if (e.platform === 'efi') {
      out.efi = true;
      if (out.boots.some((b) => b.kind === 'chain')) continue;
      const inTree = await probe.file(EFI_PROGRAM);
      if (inTree) {
        out.boots.push({
          label: `${label} (its EFI/BOOT/BOOTX64.EFI, chained)`,
          kind: 'chain',
          file: inTree,
          cmdline: '',
          firmware: ['uefi'],
        });
        continue;
      }
      try {
        const data = await withImage(vfs, e.imagePath, (read) => readFatFile(read, e.imageSize, EFI_PROGRAM));
        if (!data) {
          out.warnings.push(`the El Torito EFI image (${e.imagePath}) has no ${EFI_PROGRAM}: nothing to chain on UEFI`);
          continue;
        }
        const path = `${e.imagePath.replace(/\.img$/i, '')}${EFI_PROGRAM}`;
        out.files.push({ path, data });
        out.boots.push({
          label: `${label} (BOOTX64.EFI from its El Torito EFI image, chained)`,
          kind: 'chain',
          file: path,
          cmdline: '',
          firmware: ['uefi'],
        });
      } catch (err) {
        out.warnings.push(`the El Torito EFI image (${e.imagePath}) could not be read as FAT: ${errorMessage(err)}`);
      }
    }
  }
  return out;
}
