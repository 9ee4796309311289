/**
 * A small read-only FAT12/16/32 reader for El Torito EFI boot images (the "efiboot.img"/ESP a UEFI
 * firmware boots from a CD): find one file by path and read it. Pure over a `read(offset, length)`
 * callback, bounded everywhere (cluster chains, directory sizes, file size), so a damaged image is a
 * FormatError, never a hang. Layout per Microsoft's "FAT: General Overview of On-Disk Format" (BPB
 * fields, cluster-count rule for the FAT type, 8.3 and long-name directory entries).
 */
import { FormatError } from './ecma119';

export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

interface Volume {
  read: ReadAt;
  size: number;
  type: 12 | 16 | 32;
  bytesPerSector: number;
  clusterBytes: number;
  fatOffset: number;
  /** FAT12/16: the fixed root directory region; FAT32: the root's first cluster. */
  rootOffset: number;
  rootBytes: number;
  rootCluster: number;
  dataOffset: number;
  clusterCount: number;
}

/** Largest file this reader returns (EFI programs are a few MiB). */
const FAT_MAX_FILE_BYTES = 64 * 1024 * 1024;

async function openVolume(read: ReadAt, size: number): Promise<Volume> {
  if (size < 512) throw new FormatError('FAT image is shorter than one sector');
  const b = await read(0, 512);
  if (b[510] !== 0x55 || b[511] !== 0xaa) throw new FormatError('FAT image has no boot sector signature (55 AA)');
  const bytesPerSector = b.readUInt16LE(11);
  const sectorsPerCluster = b[13]!;
  const reserved = b.readUInt16LE(14);
  const fats = b[16]!;
  const rootEntries = b.readUInt16LE(17);
  const total = b.readUInt16LE(19) || b.readUInt32LE(32);
  const fat16Size = b.readUInt16LE(22);
  const fatSize = fat16Size || b.readUInt32LE(36);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector))
    throw new FormatError(`FAT: bad sector size ${bytesPerSector}`);
  if (sectorsPerCluster === 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0)
    throw new FormatError(`FAT: bad sectors per cluster ${sectorsPerCluster}`);
  if (fats === 0 || fatSize === 0 || total === 0) throw new FormatError('FAT: boot sector has no FAT or no sectors');
  const rootSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
  const firstData = reserved + fats * fatSize + rootSectors;
  if (firstData >= total) throw new FormatError('FAT: the data region starts beyond the volume');
  const clusterCount = Math.floor((total - firstData) / sectorsPerCluster);
  // The FAT type follows from the cluster count alone (the spec's rule; the label string is informative).
  const type = clusterCount < 4085 ? 12 : clusterCount < 65525 ? 16 : 32;
  return {
    read,
    size,
    type,
    bytesPerSector,
    clusterBytes: sectorsPerCluster * bytesPerSector,
    fatOffset: reserved * bytesPerSector,
    rootOffset: (reserved + fats * fatSize) * bytesPerSector,
    rootBytes: rootSectors * bytesPerSector,
    rootCluster: type === 32 ? b.readUInt32LE(44) : 0,
    dataOffset: firstData * bytesPerSector,
    clusterCount,
  };
}

async function readBounded(v: Volume, offset: number, length: number): Promise<Buffer> {
  if (offset < 0 || offset + length > v.size)
    throw new FormatError(`FAT: read at ${offset}+${length} is past the image`);
  const buf = await v.read(offset, length);
  if (buf.length < length) throw new FormatError(`FAT: short read at ${offset}`);
  return buf;
}

/**
 * The cluster chain starting at `first`, at most `max` clusters long: a longer chain is more than the
 * caller can use (or a loop), so it is damage — bounded work even on a huge or hostile volume.
 */
async function chain(v: Volume, first: number, max: number): Promise<number[]> {
  const out: number[] = [];
  const eoc = v.type === 12 ? 0xff8 : v.type === 16 ? 0xfff8 : 0x0ffffff8;
  let c = first;
  const fatCache = new Map<number, Buffer>();
  const fatByte = async (off: number): Promise<number> => {
    const block = Math.floor(off / 4096);
    let buf = fatCache.get(block);
    if (!buf) {
      buf = await readBounded(v, v.fatOffset + block * 4096, Math.min(4096 + 4, v.size - v.fatOffset - block * 4096));
      fatCache.set(block, buf);
    }
    return buf[off - block * 4096]!;
  };
  while (c >= 2 && c < eoc) {
    if (c - 2 >= v.clusterCount) throw new FormatError(`FAT: cluster ${c} is outside the volume`);
    if (out.length >= Math.min(max, v.clusterCount))
      throw new FormatError('FAT: cluster chain loops or is longer than its file');
    out.push(c);
    if (v.type === 12) {
      const off = c + (c >> 1);
      const pair = (await fatByte(off)) | ((await fatByte(off + 1)) << 8);
      c = c & 1 ? pair >> 4 : pair & 0xfff;
    } else if (v.type === 16) {
      c = (await fatByte(c * 2)) | ((await fatByte(c * 2 + 1)) << 8);
    } else {
      const o = c * 4;
      c =
        ((await fatByte(o)) |
          ((await fatByte(o + 1)) << 8) |
          ((await fatByte(o + 2)) << 16) |
          ((await fatByte(o + 3)) << 24)) &
        0x0fffffff;
    }
  }
  return out;
}

async function readClusters(v: Volume, first: number, maxBytes: number): Promise<Buffer> {
  const clusters = await chain(v, first, Math.ceil(maxBytes / v.clusterBytes) + 1);
  const parts: Buffer[] = [];
  for (const c of clusters) parts.push(await readBounded(v, v.dataOffset + (c - 2) * v.clusterBytes, v.clusterBytes));
  return Buffer.concat(parts);
}

interface DirEntry {
  name: string;
  shortName: string;
  dir: boolean;
  cluster: number;
  size: number;
}

/** Directory entries of one directory's bytes: 8.3 names, with long names when present. */
export function parseDirectory(buf: Buffer): DirEntry[] {
  const out: DirEntry[] = [];
  let lfn: string[] = [];
  for (let off = 0; off + 32 <= buf.length; off += 32) {
    const first = buf[off]!;
    if (first === 0x00) break;
    const attr = buf[off + 11]!;
    if (first === 0xe5) {
      lfn = [];
      continue;
    }
    if (attr === 0x0f) {
      // Long-name pieces come last-first: 5 + 6 + 2 UTF-16 characters each.
      const piece = Buffer.concat([
        buf.subarray(off + 1, off + 11),
        buf.subarray(off + 14, off + 26),
        buf.subarray(off + 28, off + 32),
      ]);
      let text = '';
      for (let i = 0; i + 1 < piece.length; i += 2) {
        const ch = piece.readUInt16LE(i);
        if (ch === 0 || ch === 0xffff) break;
        text += String.fromCharCode(ch);
      }
      if (first & 0x40) lfn = [];
      lfn.unshift(text);
      continue;
    }
    if (attr & 0x08) {
      lfn = []; // volume label
      continue;
    }
    const base = buf.toString('latin1', off, off + 8).trimEnd();
    const ext = buf.toString('latin1', off + 8, off + 11).trimEnd();
    const shortName = ext ? `${base}.${ext}` : base;
    const cluster = (buf.readUInt16LE(off + 20) << 16) | buf.readUInt16LE(off + 26);
    out.push({
      name: lfn.length > 0 ? lfn.join('') : shortName,
      shortName,
      dir: (attr & 0x10) !== 0,
      cluster,
      size: buf.readUInt32LE(off + 28),
    });
    lfn = [];
  }
  return out;
}

async function rootDirectory(v: Volume): Promise<DirEntry[]> {
  if (v.type === 32) return parseDirectory(await readClusters(v, v.rootCluster, 4 * 1024 * 1024));
  return parseDirectory(await readBounded(v, v.rootOffset, v.rootBytes));
}

/**
 * The bytes of `path` ('/EFI/BOOT/BOOTX64.EFI', matched case-insensitively against long and 8.3
 * names) inside the FAT image, or null when it is not there. Throws FormatError for a damaged image.
 */
export async function readFatFile(read: ReadAt, size: number, path: string): Promise<Buffer | null> {
  const v = await openVolume(read, size);
  const parts = path.split('/').filter((p) => p !== '');
  let entries = await rootDirectory(v);
  for (const [i, part] of parts.entries()) {
    const want = part.toUpperCase();
    const hit = entries.find((e) => e.name.toUpperCase() === want || e.shortName.toUpperCase() === want);
    if (!hit) return null;
    const last = i === parts.length - 1;
    if (last) {
      if (hit.dir) return null;
      if (hit.size > FAT_MAX_FILE_BYTES)
        throw new FormatError(`FAT: ${path} is ${hit.size} bytes, larger than expected`);
      if (hit.size === 0) return Buffer.alloc(0);
      const data = await readClusters(v, hit.cluster, hit.size);
      if (data.length < hit.size)
        throw new FormatError(`FAT: ${path} is cut short (${data.length} of ${hit.size} bytes)`);
      return data.subarray(0, hit.size);
    }
    if (!hit.dir) return null;
    entries = parseDirectory(await readClusters(v, hit.cluster, 4 * 1024 * 1024));
  }
  return null;
}
