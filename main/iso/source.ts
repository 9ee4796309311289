/**
 * IsoSource: an ISO image as a Vfs. Directories are read lazily on first use and kept in a bounded
 * LRU, so memory does not grow with the image; file reads map straight onto positional reads of the
 * image (one syscall per extent touched). Symlinks resolve inside the image only.
 */
import { Readable } from 'node:stream';
import { VfsError, splitPath, type HostSpan, type ReadRange, type Vfs, type VfsFile, type VfsStat } from '../vfs';
import type { IsoImage } from './image';
import type { FsReader, TreeNode } from './tree';
import type { IsoInfo } from './types';

/** Cached directory entries across all directories; the least recently used are dropped beyond it. */
const DEFAULT_CACHE_ENTRIES = 50_000;
const MAX_SYMLINK_HOPS = 40;
const MAX_DEPTH = 256;
/** Stream chunk: large enough that a 1 GiB squashfs streams in ~2000 reads. */
const STREAM_CHUNK = 512 * 1024;

/** A loaded directory: its entries plus name indexes, so lookups in a 10 000-entry folder stay O(1). */
interface DirListing {
  nodes: TreeNode[];
  exact: Map<string, TreeNode>;
  folded: Map<string, TreeNode>;
}

function index(nodes: TreeNode[]): DirListing {
  const exact = new Map<string, TreeNode>();
  const folded = new Map<string, TreeNode>();
  for (const n of nodes) {
    if (!exact.has(n.name)) exact.set(n.name, n);
    const lower = n.name.toLowerCase();
    if (!folded.has(lower)) folded.set(lower, n);
  }
  return { nodes, exact, folded };
}

/** Exact name first, then case-insensitive (same rule as vfs matchName). */
function lookup(dir: DirListing, name: string): TreeNode | undefined {
  return dir.exact.get(name) ?? dir.folded.get(name.toLowerCase());
}

interface Resolved {
  node: TreeNode;
  vpath: string;
}

export class IsoSource implements Vfs {
  readonly kind = 'iso' as const;
  readonly location: string;
  private cache = new Map<number, DirListing>();
  private cachedNodes = 0;
  private loading = new Map<number, Promise<DirListing>>();

  constructor(
    private readonly image: IsoImage,
    private readonly reader: FsReader,
    readonly info: IsoInfo,
    /** Virtual boot image files by lower-cased path (see ElToritoEntry.imagePath). */
    private readonly bootFiles: Map<string, TreeNode>,
    private readonly cacheBudget = DEFAULT_CACHE_ENTRIES,
  ) {
    this.location = image.location;
  }

  private async children(dir: TreeNode, path: string): Promise<DirListing> {
    const hit = this.cache.get(dir.dirKey);
    if (hit) {
      this.cache.delete(dir.dirKey);
      this.cache.set(dir.dirKey, hit);
      return hit;
    }
    // Concurrent first lookups in one directory share a single read.
    let pending = this.loading.get(dir.dirKey);
    if (!pending) {
      pending = this.reader
        .listDir(dir, path)
        .then((nodes) => this.remember(dir.dirKey, index(nodes)))
        .finally(() => this.loading.delete(dir.dirKey));
      this.loading.set(dir.dirKey, pending);
    }
    return pending;
  }

  private remember(key: number, listing: DirListing): DirListing {
    this.cache.set(key, listing);
    this.cachedNodes += listing.nodes.length;
    for (const [old, l] of this.cache) {
      if (this.cachedNodes <= this.cacheBudget || this.cache.size <= 1) break;
      this.cache.delete(old);
      this.cachedNodes -= l.nodes.length;
    }
    return listing;
  }

  private bootDir(): TreeNode {
    return { name: '[BOOT]', type: 'dir', size: 0, mode: 0o555, mtime: null, extents: [], dirKey: -1, dirLength: 0 };
  }

  /** Walk `path` from the root, following symlinks (all of them, or all but the last). */
  private async resolve(path: string, followLast: boolean): Promise<Resolved> {
    const start = splitPath(path);
    const boot = this.bootFiles.get(('/' + start.join('/')).toLowerCase());
    if (boot) return { node: boot, vpath: '/[BOOT]/' + boot.name };
    if (start.length === 1 && start[0]!.toLowerCase() === '[boot]' && this.bootFiles.size > 0)
      return { node: this.bootDir(), vpath: '/[BOOT]' };

    const stack: TreeNode[] = [this.reader.root];
    const names: string[] = [];
    const queue = [...start];
    let hops = 0;
    const here = () => '/' + names.join('/');
    while (queue.length > 0) {
      const part = queue.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (stack.length === 1)
          throw new VfsError('EOUTSIDE', path, 'a symlink climbs above the root of the image', this.location);
        stack.pop();
        names.pop();
        continue;
      }
      const dir = stack.at(-1)!;
      if (dir.type !== 'dir') throw new VfsError('ENOTDIR', here(), 'not a directory', this.location);
      const hit = lookup(await this.children(dir, here()), part);
      if (!hit)
        throw new VfsError('ENOENT', names.length ? `${here()}/${part}` : `/${part}`, 'no such file', this.location);
      if (hit.type === 'symlink' && (queue.length > 0 || followLast)) {
        if (++hops > MAX_SYMLINK_HOPS)
          throw new VfsError('ELOOP', path, 'too many symlinks (a symlink loop)', this.location);
        const target = hit.linkTarget ?? '';
        if (target === '') throw new VfsError('ENOENT', path, 'empty symlink target', this.location);
        if (target.startsWith('/')) {
          stack.length = 1;
          names.length = 0;
        }
        queue.unshift(...target.split('/'));
        continue;
      }
      if (hit.type === 'dir') {
        const ancestor = stack.findIndex((s) => s.type === 'dir' && s.dirKey === hit.dirKey);
        if (ancestor >= 0) {
          const at = '/' + names.slice(0, ancestor).join('/');
          throw this.image.damaged(
            `${here()}/${hit.name}`.replace('//', '/'),
            `this directory points back at ${at}, so the tree loops`,
          );
        }
        if (stack.length >= MAX_DEPTH)
          throw this.image.damaged(here(), `directories nest deeper than ${MAX_DEPTH} levels`);
      }
      stack.push(hit);
      names.push(hit.name);
    }
    return { node: stack.at(-1)!, vpath: here() };
  }

  private toStat(node: TreeNode, vpath: string): VfsStat {
    const st: VfsStat = {
      path: vpath,
      name: node.name,
      type: node.type,
      size: node.size,
      mode: node.mode,
      mtime: node.mtime,
    };
    if (node.linkTarget !== undefined) st.linkTarget = node.linkTarget;
    return st;
  }

  async stat(path: string): Promise<VfsStat> {
    const r = await this.resolve(path, true);
    return this.toStat(r.node, r.vpath);
  }

  async lstat(path: string): Promise<VfsStat> {
    const r = await this.resolve(path, false);
    return this.toStat(r.node, r.vpath);
  }

  async readdir(path: string): Promise<VfsStat[]> {
    const { node, vpath } = await this.resolve(path, true);
    if (node.type !== 'dir') throw new VfsError('ENOTDIR', vpath, 'not a directory', this.location);
    const kids = node.dirKey === -1 ? [...this.bootFiles.values()] : (await this.children(node, vpath)).nodes;
    const join = (name: string) => (vpath === '/' ? `/${name}` : `${vpath}/${name}`);
    return kids
      .map((k) => this.toStat(k, join(k.name)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async openNode(path: string): Promise<Resolved> {
    const r = await this.resolve(path, true);
    if (r.node.type === 'dir') throw new VfsError('EISDIR', r.vpath, 'is a directory', this.location);
    if (r.node.problem) throw this.image.damaged(r.vpath, r.node.problem);
    return r;
  }

  /** Copy file bytes [position, position+length) into buf; returns bytes copied (short only at EOF). */
  private async readNode(
    node: TreeNode,
    vpath: string,
    buf: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<number> {
    if (!Number.isSafeInteger(position) || position < 0)
      throw new VfsError('EINVAL', vpath, `bad read position ${position}`, this.location);
    if (position >= node.size || length <= 0) return 0;
    const want = Math.min(length, node.size - position, buf.length - offset);
    let done = 0;
    let extentStart = 0;
    for (const e of node.extents) {
      if (done >= want) break;
      const extentEnd = extentStart + e.length;
      const at = position + done;
      if (at < extentEnd) {
        const n = Math.min(extentEnd - at, want - done);
        await this.image.readInto(buf, offset + done, n, e.pos + (at - extentStart), vpath);
        done += n;
      }
      extentStart = extentEnd;
    }
    return done;
  }

  /** File bytes [start, end) as runs of the image file (one per extent touched), or null if out of range. */
  private spans(node: TreeNode, start: number, end: number): HostSpan[] | null {
    const fd = this.image.fd;
    if (
      fd === null ||
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      end > node.size ||
      start > end
    )
      return null;
    const out: HostSpan[] = [];
    let extentStart = 0;
    for (const e of node.extents) {
      const extentEnd = extentStart + e.length;
      const from = Math.max(start, extentStart);
      const to = Math.min(end, extentEnd);
      if (from < to) {
        const position = e.pos + (from - extentStart);
        if (!this.image.contains(position, to - from)) return null;
        out.push({ fd, position, length: to - from });
      }
      extentStart = extentEnd;
    }
    return out.reduce((n, s) => n + s.length, 0) === end - start ? out : null;
  }

  async open(path: string): Promise<VfsFile> {
    const { node, vpath } = await this.openNode(path);
    return {
      path: vpath,
      size: node.size,
      read: (buffer, offset, length, position) => this.readNode(node, vpath, buffer, offset, length, position),
      hostSpans: (start, end) => this.spans(node, start, end),
      close: async () => {},
    };
  }

  async createReadStream(path: string, range?: ReadRange): Promise<Readable> {
    const { node, vpath } = await this.openNode(path);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? node.size - 1, node.size - 1);
    if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(end)) {
      throw new VfsError('EINVAL', vpath, `bad byte range ${start}-${range?.end ?? ''}`, this.location);
    }
    let pos = start;
    const readNode = this.readNode.bind(this);
    return new Readable({
      highWaterMark: STREAM_CHUNK,
      read() {
        if (pos > end) {
          this.push(null);
          return;
        }
        const n = Math.min(STREAM_CHUNK, end + 1 - pos);
        const chunk = Buffer.allocUnsafe(n);
        readNode(node, vpath, chunk, 0, n, pos).then(
          (got) => {
            pos += n;
            this.push(got === n ? chunk : chunk.subarray(0, got));
          },
          (err: unknown) => this.destroy(err as Error),
        );
      },
    });
  }

  /** How much directory data is held in memory (bounded by the cache budget plus one directory). */
  cacheStats(): { directories: number; entries: number } {
    return { directories: this.cache.size, entries: this.cachedNodes };
  }

  async close(): Promise<void> {
    this.cache.clear();
    this.cachedNodes = 0;
    await this.image.close();
  }
}
