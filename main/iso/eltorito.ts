/**
 * El Torito (bootable CD-ROM format, 1995): the boot record volume descriptor points at a boot
 * catalog: a validation entry, the default entry, then section headers each followed by their entries
 * (one per extra platform, e.g. 0xEF for UEFI). Pure.
 */
import { FormatError } from './ecma119';

type ElToritoPlatform = 'bios' | 'efi' | number;
export type ElToritoEmulation = 'none' | '1.2M' | '1.44M' | '2.88M' | 'hdd';

export interface CatalogEntry {
  platform: ElToritoPlatform;
  bootable: boolean;
  emulation: ElToritoEmulation;
  /** Real-mode segment the BIOS loads the image at (0 in the catalog means the default 0x7C0). */
  loadSegment: number;
  /** Number of 512-byte virtual sectors the BIOS loads (no-emulation); often 4 for isolinux, 0/1 for EFI. */
  sectorCount: number;
  /** Logical block (2048 bytes) where the boot image starts. */
  loadRba: number;
}

const EMULATION: ElToritoEmulation[] = ['none', '1.2M', '1.44M', '2.88M', 'hdd'];

/** Image sizes the floppy emulations imply (the catalog's sector count is not used for them). */
export const FLOPPY_BYTES: Partial<Record<ElToritoEmulation, number>> = {
  '1.2M': 1_228_800,
  '1.44M': 1_474_560,
  '2.88M': 2_949_120,
};

function platformOf(id: number): ElToritoPlatform {
  if (id === 0) return 'bios';
  if (id === 0xef) return 'efi';
  return id;
}

/** Boot catalog block from a boot record volume descriptor, or null when it is not El Torito's. */
export function bootCatalogBlock(descriptor: Buffer): number | null {
  if (descriptor.length < 0x4b || descriptor[0] !== 0) return null;
  if (!descriptor.toString('latin1', 7, 39).startsWith('EL TORITO SPECIFICATION')) return null;
  return descriptor.readUInt32LE(0x47);
}

function entry(buf: Buffer, off: number, platform: number): CatalogEntry {
  const media = buf[off + 1]! & 0x0f;
  const emulation = EMULATION[media];
  if (emulation === undefined)
    throw new FormatError(`boot catalog entry at byte ${off} has unknown media type ${media}`);
  const segment = buf.readUInt16LE(off + 2);
  return {
    platform: platformOf(platform),
    bootable: buf[off] === 0x88,
    emulation,
    loadSegment: segment === 0 ? 0x7c0 : segment,
    sectorCount: buf.readUInt16LE(off + 6),
    loadRba: buf.readUInt32LE(off + 8),
  };
}

/** Parse a boot catalog (one or more sectors). Throws FormatError when the validation entry is bad. */
export function parseBootCatalog(buf: Buffer): CatalogEntry[] {
  if (buf.length < 64) throw new FormatError('boot catalog is shorter than two entries');
  if (buf[0] !== 0x01 || buf[30] !== 0x55 || buf[31] !== 0xaa)
    throw new FormatError('boot catalog has no validation entry (header 01, key 55 AA)');
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + buf.readUInt16LE(i)) & 0xffff;
  if (sum !== 0) throw new FormatError('boot catalog validation entry checksum is wrong');
  const entries: CatalogEntry[] = [];
  let platform = buf[1]!;
  const initial = entry(buf, 32, platform);
  entries.push(initial);
  let off = 64;
  // Sections: header 0x90 (more follow) or 0x91 (last), then `count` entries, each maybe followed by
  // extension entries (0x44). Bounded by the buffer, so a damaged count cannot run away.
  while (off + 32 <= buf.length) {
    const indicator = buf[off]!;
    if (indicator !== 0x90 && indicator !== 0x91) break;
    platform = buf[off + 1]!;
    const count = buf.readUInt16LE(off + 2);
    off += 32;
    for (let i = 0; i < count && off + 32 <= buf.length; i++) {
      entries.push(entry(buf, off, platform));
      off += 32;
      while (off + 32 <= buf.length && buf[off] === 0x44) off += 32;
    }
    if (indicator === 0x91) break;
  }
  return entries;
}

/** A FAT boot sector's volume size in bytes, or null when `head` is not one. */
export function fatVolumeBytes(head: Buffer): number | null {
  if (head.length < 512 || head[510] !== 0x55 || head[511] !== 0xaa) return null;
  const bytesPerSector = head.readUInt16LE(11);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) return null;
  const small = head.readUInt16LE(19);
  const sectors = small !== 0 ? small : head.readUInt32LE(32);
  return sectors > 0 ? sectors * bytesPerSector : null;
}
