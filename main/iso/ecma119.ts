/**
 * ECMA-119 (ISO 9660) codecs: volume descriptors and directory records, parsed from Buffers. Pure: no
 * I/O, no knowledge of where the bytes came from. Damage is reported with FormatError (what is wrong);
 * the reader adds where (ISO file, path) and turns it into a VfsError.
 */

/** Logical sector size of every CD/DVD image; descriptors live at sector 16 and up. */
export const SECTOR = 2048;
export const DESCRIPTOR_START = 16;

export class FormatError extends Error {
  override name = 'FormatError';
}

/** Directory record file flags (ECMA-119 9.1.6). */
export const FLAG = {
  HIDDEN: 0x01,
  DIRECTORY: 0x02,
  ASSOCIATED: 0x04,
  MULTI_EXTENT: 0x80,
} as const;

/** ECMA-119 9.1.5: 7-byte recording time (years since 1900, GMT offset in 15-minute units). */
export function recordingTime(buf: Buffer, off: number): Date | null {
  if (off + 7 > buf.length) return null;
  // Plain reads, no array: this runs for every entry of every directory listed.
  const y = buf[off]!;
  const mo = buf[off + 1]!;
  const d = buf[off + 2]!;
  const h = buf[off + 3]!;
  const mi = buf[off + 4]!;
  const s = buf[off + 5]!;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const tz = buf.readInt8(off + 6);
  return new Date(Date.UTC(1900 + y, mo - 1, d, h, mi, s) - tz * 15 * 60_000);
}

/** ECMA-119 8.4.26.1: 17-byte "YYYYMMDDHHMMSScc" + GMT offset; all zeros/spaces means unset. */
export function decimalTime(buf: Buffer, off: number): Date | null {
  if (off + 17 > buf.length) return null;
  const text = buf.toString('latin1', off, off + 16);
  if (!/^\d{16}$/.test(text) || /^0+$/.test(text)) return null;
  const n = (a: number, b: number) => Number(text.slice(a, b));
  const [y, mo, d, h, mi, s, cs] = [n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 16)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const tz = buf.readInt8(off + 16);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, cs * 10) - tz * 15 * 60_000);
}

export type DescriptorId = 'CD001' | 'BEA01' | 'NSR02' | 'NSR03' | 'TEA01' | 'BOOT2' | 'CDW02';
const KNOWN_IDS = new Set<string>(['CD001', 'BEA01', 'NSR02', 'NSR03', 'TEA01', 'BOOT2', 'CDW02']);

/** Which volume structure a 2048-byte sector at 16+ holds: ISO 9660 ('CD001') or the UDF recognition sequence. */
export function descriptorId(sector: Buffer): { id: DescriptorId; type: number } | null {
  if (sector.length < 7) return null;
  const id = sector.toString('latin1', 1, 6);
  return KNOWN_IDS.has(id) ? { id: id as DescriptorId, type: sector[0]! } : null;
}

export const VD_TYPE = { BOOT: 0, PRIMARY: 1, SUPPLEMENTARY: 2, PARTITION: 3, TERMINATOR: 255 } as const;

export interface DirRecord {
  /** Record length in bytes (>= 34). */
  length: number;
  extAttrLength: number;
  /** Logical block of the extent. */
  extent: number;
  dataLength: number;
  recorded: Date | null;
  flags: number;
  fileUnitSize: number;
  interleaveGap: number;
  /** Raw file identifier: [0] is '.', [1] is '..'. */
  name: Buffer;
  /** System use area (SUSP / Rock Ridge entries). */
  systemUse: Buffer;
}

/** A primary (type 1) or supplementary (type 2, Joliet) volume descriptor. */
export interface VolumeDescriptor {
  type: number;
  systemId: string;
  volumeId: string;
  /** The 32 raw label bytes (a Joliet SVD stores its label in UCS-2). */
  rawVolumeId: Buffer;
  /** Volume size in logical blocks. */
  volumeSpaceSize: number;
  logicalBlockSize: number;
  /** 32-byte escape sequence field (SVD only: Joliet's %/@ %/C %/E). */
  escapes: Buffer;
  volumeSetId: string;
  publisherId: string;
  preparerId: string;
  applicationId: string;
  created: Date | null;
  modified: Date | null;
  root: DirRecord;
}

const text = (buf: Buffer, a: number, b: number) => buf.toString('latin1', a, b).replace(/[\s\0]+$/, '');

export function parseVolumeDescriptor(sector: Buffer): VolumeDescriptor {
  if (sector.length < SECTOR) throw new FormatError(`volume descriptor is ${sector.length} bytes, expected ${SECTOR}`);
  const ident = descriptorId(sector);
  if (ident?.id !== 'CD001') throw new FormatError('not an ISO 9660 volume descriptor');
  const logicalBlockSize = sector.readUInt16LE(128);
  if (logicalBlockSize !== 512 && logicalBlockSize !== 1024 && logicalBlockSize !== 2048) {
    throw new FormatError(`logical block size ${logicalBlockSize} is not 512, 1024 or 2048`);
  }
  const root = parseDirRecord(sector, 156);
  if (!(root.flags & FLAG.DIRECTORY)) throw new FormatError('root directory record is not a directory');
  return {
    type: sector[0]!,
    systemId: text(sector, 8, 40),
    volumeId: text(sector, 40, 72),
    rawVolumeId: Buffer.from(sector.subarray(40, 72)),
    volumeSpaceSize: sector.readUInt32LE(80),
    logicalBlockSize,
    escapes: Buffer.from(sector.subarray(88, 120)),
    volumeSetId: text(sector, 190, 318),
    publisherId: text(sector, 318, 446),
    preparerId: text(sector, 446, 574),
    applicationId: text(sector, 574, 702),
    created: decimalTime(sector, 813),
    modified: decimalTime(sector, 830),
    root,
  };
}

/** Shared empty system use area (records are read-only views of the directory data). */
const NO_SYSTEM_USE = Buffer.alloc(0);

/** ECMA-119 9.1: one directory record at `off`; must fit inside `buf` (and end by `limit`, default its end). */
export function parseDirRecord(buf: Buffer, off: number, limit = buf.length): DirRecord {
  const length = off < limit ? buf[off] : undefined;
  if (length === undefined) throw new FormatError(`directory record at byte ${off} is past the end of the data`);
  if (length < 34) throw new FormatError(`directory record at byte ${off} has length ${length} (minimum is 34)`);
  if (off + length > limit)
    throw new FormatError(`directory record at byte ${off} (length ${length}) runs past the end of its sector`);
  const nameLen = buf[off + 32]!;
  if (nameLen === 0 || 33 + nameLen > length)
    throw new FormatError(`directory record at byte ${off} has a bad name length ${nameLen}`);
  const suStart = 33 + nameLen + (nameLen % 2 === 0 ? 1 : 0);
  return {
    length,
    extAttrLength: buf[off + 1]!,
    extent: buf.readUInt32LE(off + 2),
    dataLength: buf.readUInt32LE(off + 10),
    recorded: recordingTime(buf, off + 18),
    flags: buf[off + 25]!,
    fileUnitSize: buf[off + 26]!,
    interleaveGap: buf[off + 27]!,
    name: buf.subarray(off + 33, off + 33 + nameLen),
    systemUse: suStart < length ? buf.subarray(off + suStart, off + length) : NO_SYSTEM_USE,
  };
}

/**
 * All records of a directory extent, in order. A zero length byte means "rest of this sector is
 * padding" (records never cross a 2048-byte sector boundary, ECMA-119 6.8.1.1); a record that would
 * cross one is damage.
 */
export function* directoryRecords(extent: Buffer): Generator<DirRecord & { offset: number }> {
  let pos = 0;
  while (pos < extent.length) {
    const len = extent[pos]!;
    if (len === 0) {
      pos = (Math.floor(pos / SECTOR) + 1) * SECTOR;
      continue;
    }
    const sectorEnd = Math.min(extent.length, (Math.floor(pos / SECTOR) + 1) * SECTOR);
    if (pos + len > sectorEnd)
      throw new FormatError(`directory record at byte ${pos} (length ${len}) runs past the end of its sector`);
    // Bounded by the sector's end without a subarray per record (thousands per directory).
    const rec = parseDirRecord(extent, pos, sectorEnd) as DirRecord & { offset: number };
    rec.offset = pos;
    yield rec;
    pos += len;
  }
}

/** True for the '.' (0x00) and '..' (0x01) records every directory starts with. */
export function isDotRecord(name: Buffer): boolean {
  return name.length === 1 && (name[0] === 0 || name[0] === 1);
}

/** Plain ISO 9660 file identifier → name: drop the ';1' version and the trailing '.' of "NAME." */
export function plainName(raw: Buffer): string {
  let name = raw.toString('latin1');
  const semi = name.indexOf(';');
  if (semi >= 0) name = name.slice(0, semi);
  if (name.endsWith('.') && name.length > 1) name = name.slice(0, -1);
  return name;
}
