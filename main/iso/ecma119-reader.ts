/**
 * Reads ECMA-119 directories through an IsoImage and presents them as TreeNodes, with names from
 * Rock Ridge, Joliet or plain ISO 9660 (whichever tree the opener chose). Handles multi-extent files,
 * SUSP continuation areas and Rock Ridge deep-directory relocation (CL/RE).
 */
import { FLAG, FormatError, directoryRecords, isDotRecord, parseDirRecord, plainName, type DirRecord } from './ecma119';
import type { IsoImage } from './image';
import { jolietName } from './joliet';
import { S_IFLNK, S_IFMT, interpretRockRidge, type RockRidgeInfo } from './rockridge';
import { parseSuspArea, type ContinuationArea, type SuspEntry } from './susp';
import type { Extent, FsReader, TreeNode } from './tree';
import { errorMessage } from '../errors';
import { VfsError } from '../vfs';

export type NameSource = 'rockridge' | 'joliet' | 'iso9660';

/**
 * Directory limits: a hostile ISO can hold one directory of 64 MiB (1.7 million records), which took
 * 21 s and 1.35 GB to list. Real installation media stay far below (Fedora's and Debian's biggest
 * package folders hold a few thousand entries, under 2 MiB), so beyond these a directory is refused
 * with ETOOBIG instead of read. Exported for the tests and SECURITY.md.
 */
export const MAX_DIR_BYTES = 16 * 1024 * 1024;
export const MAX_DIR_ENTRIES = 50_000;
/** Records handled between yields to the event loop, so listing a big directory never stalls DHCP/TFTP/HTTP. */
export const RECORDS_PER_SLICE = 1024;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** SUSP continuation chains: bounded so a CE pointing at itself cannot loop. */
const MAX_CE_HOPS = 16;
const MAX_SUSP_BYTES = 64 * 1024;

export interface Ecma119Options {
  blockSize: number;
  names: NameSource;
  /** Bytes to skip at the start of each system use area (SP's LEN_SKP). */
  suspSkip: number;
  /** Directory limits (default MAX_DIR_BYTES, MAX_DIR_ENTRIES). */
  maxDirBytes?: number;
  maxDirEntries?: number;
}

const NO_ROCK_RIDGE: RockRidgeInfo = Object.freeze({ relocated: false });

export class Ecma119Reader implements FsReader {
  readonly root: TreeNode;

  constructor(
    private readonly image: IsoImage,
    rootRecord: DirRecord,
    private readonly opts: Ecma119Options,
  ) {
    this.root = {
      name: '',
      type: 'dir',
      size: 0,
      mode: 0o555,
      mtime: rootRecord.recorded,
      extents: [],
      dirKey: (rootRecord.extent + rootRecord.extAttrLength) * opts.blockSize,
      dirLength: rootRecord.dataLength,
    };
  }

  /** SUSP entries of a record, following CE continuation areas. */
  async suspEntries(rec: DirRecord, path: string, skip = this.opts.suspSkip): Promise<SuspEntry[]> {
    const first = parseSuspArea(rec.systemUse.subarray(skip));
    return first.next ? this.continueSusp(rec, first.entries, first.next, path) : first.entries;
  }

  /** Follow CE continuation areas (rare: long names or symlinks), reading each from the image. */
  private async continueSusp(
    rec: DirRecord,
    entries: SuspEntry[],
    next: ContinuationArea | null,
    path: string,
  ): Promise<SuspEntry[]> {
    let hops = 0;
    let total = rec.systemUse.length;
    while (next) {
      if (++hops > MAX_CE_HOPS) throw this.image.damaged(path, 'Rock Ridge continuation areas form a loop');
      total += next.length;
      if (total > MAX_SUSP_BYTES)
        throw this.image.damaged(path, `Rock Ridge data is implausibly large (${total} bytes)`);
      const area = await this.image.readAt(
        next.block * this.opts.blockSize + next.offset,
        next.length,
        path,
        'a Rock Ridge continuation area',
      );
      const more = parseSuspArea(area);
      entries = entries.concat(more.entries);
      next = more.next;
    }
    return entries;
  }

  /** Read a directory's data, learning its length from its own '.' record when unknown (CL targets). */
  private async readDirData(dir: TreeNode, path: string): Promise<Buffer> {
    let length = dir.dirLength;
    if (length < 0) {
      const first = await this.image.readAt(
        dir.dirKey,
        Math.min(2048, this.image.size - dir.dirKey),
        path,
        'a relocated directory',
      );
      try {
        length = parseDirRecord(first, 0).dataLength;
      } catch (err) {
        throw this.image.damaged(path, `relocated directory: ${errorMessage(err)}`);
      }
    }
    if (length === 0) throw this.image.damaged(path, 'directory has zero length');
    const maxBytes = this.opts.maxDirBytes ?? MAX_DIR_BYTES;
    if (length > maxBytes) throw this.tooBig(path, `directory claims ${length} bytes (the limit is ${maxBytes})`);
    return this.image.readAt(dir.dirKey, length, path, 'directory data');
  }

  /** A directory over the limits: refused by name, with the limit, not read. */
  private tooBig(path: string, what: string): VfsError {
    return new VfsError(
      'ETOOBIG',
      path,
      `${what}, more than Bootdrop reads; installation media have far smaller directories, so this image is not one ` +
        `Bootdrop can serve`,
      this.image.location,
    );
  }

  async listDir(dir: TreeNode, path: string): Promise<TreeNode[]> {
    const data = await this.readDirData(dir, path);
    const records: DirRecord[] = [];
    const maxEntries = this.opts.maxDirEntries ?? MAX_DIR_ENTRIES;
    let seen = 0;
    try {
      for (const rec of directoryRecords(data)) {
        if (++seen % RECORDS_PER_SLICE === 0) await nextTurn();
        if (isDotRecord(rec.name) || rec.flags & FLAG.ASSOCIATED) continue;
        if (records.length >= maxEntries) throw this.tooBig(path, `directory holds more than ${maxEntries} entries`);
        records.push(rec);
      }
    } catch (err) {
      if (err instanceof FormatError) throw this.image.damaged(path, `directory record: ${err.message}`);
      throw err;
    }
    const out: TreeNode[] = [];
    // Multi-extent files (> 4 GiB): consecutive records with the same name, all but the last flagged.
    for (let i = 0; i < records.length; i++) {
      if (i % RECORDS_PER_SLICE === RECORDS_PER_SLICE - 1) await nextTurn();
      const group = [records[i]!];
      while (
        group.at(-1)!.flags & FLAG.MULTI_EXTENT &&
        i + 1 < records.length &&
        records[i + 1]!.name.equals(group[0]!.name)
      ) {
        group.push(records[++i]!);
      }
      // Rock Ridge data is inline for most records: only CE continuations need an (awaited) read.
      const pending = this.rockRidge(group[0]!, path);
      const node = this.toNode(group, pending instanceof Promise ? await pending : pending, path);
      if (node) out.push(node);
    }
    return out;
  }

  /** A record's Rock Ridge facts: at once when its SUSP area is inline, a promise when CE areas must be read. */
  private rockRidge(rec: DirRecord, dirPath: string): RockRidgeInfo | Promise<RockRidgeInfo> {
    if (this.opts.names !== 'rockridge') return NO_ROCK_RIDGE;
    const first = parseSuspArea(rec.systemUse.subarray(this.opts.suspSkip));
    if (!first.next) return interpretRockRidge(first.entries);
    return this.continueSusp(rec, first.entries, first.next, dirPath).then(interpretRockRidge);
  }

  private toNode(group: DirRecord[], rr: RockRidgeInfo, dirPath: string): TreeNode | null {
    const rec = group[0]!;
    const bs = this.opts.blockSize;
    if (rr.relocated) return null; // shown at its real place through the CL placeholder
    const name = rr.name ?? (this.opts.names === 'joliet' ? jolietName(rec.name) : plainName(rec.name));
    if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name)) {
      throw this.image.damaged(dirPath, `directory holds an entry with an impossible name ${JSON.stringify(name)}`);
    }
    const node: TreeNode = {
      name,
      type: 'file',
      size: 0,
      mode: 0o444,
      mtime: rr.mtime ?? rec.recorded,
      extents: [],
      dirKey: 0,
      dirLength: 0,
    };
    if (rr.childLink !== undefined) {
      Object.assign(node, { type: 'dir', mode: 0o555, dirKey: rr.childLink * bs, dirLength: -1 });
    } else if (rec.flags & FLAG.DIRECTORY) {
      Object.assign(node, {
        type: 'dir',
        mode: 0o555,
        dirKey: (rec.extent + rec.extAttrLength) * bs,
        dirLength: rec.dataLength,
      });
    } else if (rr.symlink !== undefined || (rr.mode !== undefined && (rr.mode & S_IFMT) === S_IFLNK)) {
      Object.assign(node, { type: 'symlink', mode: 0o777, linkTarget: rr.symlink ?? '' });
    } else {
      const extents: Extent[] = group.map((r) => ({ pos: (r.extent + r.extAttrLength) * bs, length: r.dataLength }));
      node.extents = extents.filter((e) => e.length > 0);
      node.size = extents.reduce((n, e) => n + e.length, 0);
      if (group.some((r) => r.fileUnitSize !== 0 || r.interleaveGap !== 0))
        node.problem = 'interleaved files are not supported';
      const bad = node.extents.find((e) => !this.image.contains(e.pos, e.length));
      if (bad)
        node.problem =
          `file data (bytes ${bad.pos}–${bad.pos + bad.length}) lies beyond the end of the ` +
          `${this.image.size}-byte image`;
      if (group.at(-1)!.flags & FLAG.MULTI_EXTENT) node.problem = 'the last part of this multi-extent file is missing';
    }
    if (rr.mode !== undefined) node.mode = rr.mode & 0o7777;
    return node;
  }
}
