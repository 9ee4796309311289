/**
 * Opening a boot source: for an ISO, read the volume descriptors (sector 16 on), pick the richest
 * name tree (Rock Ridge, then Joliet, then plain ISO 9660), read the El Torito catalog, and nothing
 * else — directories are read on demand. A folder is served through FolderSource.
 */
import { promises as fsp } from 'node:fs';
import { basename, resolve } from 'node:path';
import { FolderSource, VfsError, type Vfs } from '../vfs';
import {
  DESCRIPTOR_START,
  FormatError,
  SECTOR,
  VD_TYPE,
  descriptorId,
  parseDirRecord,
  parseVolumeDescriptor,
  type VolumeDescriptor,
} from './ecma119';
import { Ecma119Reader, type NameSource } from './ecma119-reader';
import { FLOPPY_BYTES, bootCatalogBlock, fatVolumeBytes, parseBootCatalog, type CatalogEntry } from './eltorito';
import { IsoImage } from './image';
import { jolietLevel, jolietText } from './joliet';
import { hasRockRidge } from './rockridge';
import { IsoSource } from './source';
import { extensionIds, suspIndicator } from './susp';
import type { TreeNode } from './tree';
import type { ElToritoEntry, FileSystemName, IsoInfo, SourceInfo } from './types';

/** The descriptor set ends with a terminator well before this; bounded so garbage cannot keep us reading. */
const MAX_DESCRIPTORS = 64;
const CATALOG_SECTORS = 4;

interface Descriptors {
  primary?: VolumeDescriptor;
  joliet?: VolumeDescriptor;
  bootRecord?: Buffer;
  udf: boolean;
}

async function readDescriptors(image: IsoImage): Promise<Descriptors> {
  const found: Descriptors = { udf: false };
  const first = DESCRIPTOR_START * SECTOR;
  const count = Math.min(MAX_DESCRIPTORS, Math.floor((image.size - first) / SECTOR));
  if (count < 1) throw new VfsError('EINVAL', image.location, `not an ISO image: the file is only ${image.size} bytes`);
  const area = await image.readAt(first, count * SECTOR, '/', 'the volume descriptors');
  let isoEnded = false;
  for (let i = 0; i < count; i++) {
    const sector = area.subarray(i * SECTOR, (i + 1) * SECTOR);
    const ident = descriptorId(sector);
    if (!ident) break;
    if (ident.id === 'CD001') {
      if (isoEnded) continue;
      try {
        if (ident.type === VD_TYPE.PRIMARY && !found.primary) found.primary = parseVolumeDescriptor(sector);
        else if (ident.type === VD_TYPE.SUPPLEMENTARY && !found.joliet) {
          const svd = parseVolumeDescriptor(sector);
          if (jolietLevel(svd.escapes) > 0) found.joliet = svd;
        } else if (ident.type === VD_TYPE.BOOT && !found.bootRecord) found.bootRecord = Buffer.from(sector);
        else if (ident.type === VD_TYPE.TERMINATOR) isoEnded = true;
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        // A damaged Joliet SVD is survivable (the primary tree still works); a damaged PVD is not.
        if (ident.type === VD_TYPE.PRIMARY) throw image.damaged('/', `primary volume descriptor: ${err.message}`);
      }
    } else if (ident.id === 'NSR02' || ident.id === 'NSR03') {
      found.udf = true;
    } else if (ident.id === 'TEA01') {
      break;
    } else if (i === 0 && ident.id !== 'BEA01') {
      break;
    }
  }
  return found;
}

/** How many bytes the boot image at `entry` spans, without walking the tree. */
async function bootImageSize(image: IsoImage, entry: CatalogEntry): Promise<number> {
  const pos = entry.loadRba * SECTOR;
  const room = Math.max(0, image.size - pos);
  const floppy = FLOPPY_BYTES[entry.emulation];
  if (floppy !== undefined) return Math.min(floppy, room);
  let size = entry.sectorCount * 512;
  if (room >= 512) {
    const head = await image.readAt(pos, 512, '/', 'a boot image');
    const fat = fatVolumeBytes(head);
    // EFI images are FAT file systems; their catalog sector count is often 0/1 or capped at 65535.
    if (fat !== null && fat > size) size = fat;
  }
  return Math.min(size, room);
}

async function readElTorito(image: IsoImage, record: Buffer, warnings: string[]): Promise<ElToritoEntry[]> {
  const block = bootCatalogBlock(record);
  if (block === null) {
    warnings.push(
      'El Torito boot catalog: the boot record volume descriptor does not say "EL TORITO SPECIFICATION"; no boot ' +
        'images read',
    );
    return [];
  }
  const pos = block * SECTOR;
  const len = Math.min(CATALOG_SECTORS * SECTOR, image.size - pos);
  if (len < 64) {
    warnings.push(`El Torito boot catalog: block ${block} lies beyond the end of the image`);
    return [];
  }
  let entries: CatalogEntry[];
  try {
    entries = parseBootCatalog(await image.readAt(pos, len, '/', 'the El Torito boot catalog'));
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    warnings.push(`El Torito boot catalog: ${err.message}`);
    return [];
  }
  const out: ElToritoEntry[] = [];
  for (const [i, e] of entries.entries()) {
    const platform = e.platform === 'bios' ? 'BIOS' : e.platform === 'efi' ? 'EFI' : `0x${e.platform.toString(16)}`;
    const emul = e.emulation === 'none' ? 'NoEmul' : e.emulation === 'hdd' ? 'HardDisk' : `${e.emulation}Floppy`;
    out.push({
      ...e,
      index: i + 1,
      imagePath: `/[BOOT]/${i + 1}-${platform}-${emul}.img`,
      imageSize: await bootImageSize(image, e),
    });
  }
  return out;
}

/** Read the root '.' record's SUSP entries to see whether Rock Ridge is there (SP, then ER or RR entries). */
async function probeRockRidge(image: IsoImage, pvd: VolumeDescriptor): Promise<{ skip: number } | null> {
  const reader = new Ecma119Reader(image, pvd.root, { blockSize: pvd.logicalBlockSize, names: 'iso9660', suspSkip: 0 });
  const rootPos = reader.root.dirKey;
  const sector = await image.readAt(
    rootPos,
    Math.min(SECTOR, pvd.root.dataLength, Math.max(0, image.size - rootPos)),
    '/',
    'the root directory',
  );
  let dot;
  try {
    dot = parseDirRecord(sector, 0);
  } catch (err) {
    if (err instanceof FormatError) throw image.damaged('/', `root directory: ${err.message}`);
    throw err;
  }
  const entries = await reader.suspEntries(dot, '/', 0);
  const sp = suspIndicator(entries);
  if (!sp) return null;
  return hasRockRidge(entries, extensionIds(entries)) ? sp : null;
}

export interface OpenIsoOptions {
  /** Directory entries kept in memory across all cached directories (default 50 000). */
  cacheEntries?: number;
  /** Directory limits (default MAX_DIR_BYTES, MAX_DIR_ENTRIES in ecma119-reader.ts). */
  maxDirBytes?: number;
  maxDirEntries?: number;
}

/** Open an ISO image file. Throws VfsError: EINVAL (not an ISO / UDF-only), ECORRUPT (damaged), ENOENT, EIO. */
export async function openIso(hostPath: string, opts: OpenIsoOptions = {}): Promise<IsoSource> {
  const image = await IsoImage.open(resolve(hostPath));
  try {
    const d = await readDescriptors(image);
    const pvd = d.primary;
    if (!pvd) {
      if (d.udf)
        throw new VfsError('EINVAL', image.location, 'UDF-only images (e.g. Windows ISOs) are not supported yet');
      throw new VfsError(
        'EINVAL',
        image.location,
        'not an ISO 9660 image (no volume descriptor at sector 16); check that this is a CD/DVD image',
      );
    }
    const volumeBytes = pvd.volumeSpaceSize * pvd.logicalBlockSize;
    if (volumeBytes > image.size) {
      throw image.damaged(
        '/',
        `the image is truncated: the volume is ${volumeBytes} bytes but the file has only ${image.size}`,
      );
    }
    const rr = await probeRockRidge(image, pvd);
    const names: NameSource = rr ? 'rockridge' : d.joliet ? 'joliet' : 'iso9660';
    const tree = names === 'joliet' ? d.joliet! : pvd;
    const reader = new Ecma119Reader(image, tree.root, {
      blockSize: tree.logicalBlockSize,
      names,
      suspSkip: rr?.skip ?? 0,
      ...(opts.maxDirBytes !== undefined ? { maxDirBytes: opts.maxDirBytes } : {}),
      ...(opts.maxDirEntries !== undefined ? { maxDirEntries: opts.maxDirEntries } : {}),
    });
    const warnings: string[] = [];
    const elTorito = d.bootRecord ? await readElTorito(image, d.bootRecord, warnings) : [];
    const fileSystems: FileSystemName[] = ['ISO 9660'];
    if (d.joliet) fileSystems.push('Joliet');
    if (rr) fileSystems.push('Rock Ridge');
    if (d.bootRecord && bootCatalogBlock(d.bootRecord) !== null) fileSystems.push('El Torito');
    if (d.udf) fileSystems.push('UDF');
    const info: IsoInfo = {
      label: pvd.volumeId || (d.joliet ? jolietText(d.joliet.rawVolumeId) : ''),
      size: image.size,
      fileSystems,
      elTorito,
      names,
      blockSize: pvd.logicalBlockSize,
      systemId: pvd.systemId,
      volumeSetId: pvd.volumeSetId,
      publisherId: pvd.publisherId,
      preparerId: pvd.preparerId,
      applicationId: pvd.applicationId,
      created: pvd.created,
      modified: pvd.modified,
      warnings,
    };
    const bootFiles = new Map<string, TreeNode>();
    for (const e of elTorito) {
      const name = e.imagePath.slice('/[BOOT]/'.length);
      const extents = e.imageSize > 0 ? [{ pos: e.loadRba * SECTOR, length: e.imageSize }] : [];
      bootFiles.set(e.imagePath.toLowerCase(), {
        name,
        type: 'file',
        size: e.imageSize,
        mode: 0o444,
        mtime: null,
        extents,
        dirKey: 0,
        dirLength: 0,
      });
    }
    return new IsoSource(image, reader, info, bootFiles, opts.cacheEntries);
  } catch (err) {
    await image.close();
    throw err;
  }
}

export interface OpenedSource {
  vfs: Vfs;
  kind: 'iso' | 'folder';
  info: SourceInfo;
}

/** Open what the user dropped: a folder (extracted/mounted ISO) or an ISO image file. */
export async function openSource(hostPath: string): Promise<OpenedSource> {
  const abs = resolve(hostPath);
  const st = await fsp.stat(abs).catch(() => {
    throw new VfsError('ENOENT', abs, 'no such file or folder');
  });
  if (st.isDirectory()) {
    const vfs = await FolderSource.open(abs);
    return { vfs, kind: 'folder', info: { label: basename(abs), size: 0, fileSystems: [], elTorito: [] } };
  }
  const vfs = await openIso(abs);
  return { vfs, kind: 'iso', info: vfs.info };
}
