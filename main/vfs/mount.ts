import { Readable } from 'node:stream';
import { baseName, splitPath } from './path';
import { VfsError, type ReadRange, type Vfs, type VfsFile, type VfsStat } from './types';

type Generated = Buffer | (() => Buffer);

interface Mount {
  parts: string[]; // lower-cased prefix components
  prefix: string;
  vfs: Vfs;
}

/**
 * What TFTP and HTTP actually serve: generated files held in memory (boot scripts, menus) plus other
 * sources mounted at prefixes (`/iso/<id>` → an ISO, `/loaders` → the bundled loaders). The longest
 * mount prefix wins; a generated file shadows a mount. Prefix matching is case-insensitive, like the
 * sources' own lookups.
 */
export class MountedTree implements Vfs {
  readonly kind = 'mount' as const;
  readonly location = 'bootdrop';
  private mounts: Mount[] = [];
  private files = new Map<string, { path: string; data: Generated }>();

  mount(prefix: string, vfs: Vfs): void {
    const parts = splitPath(prefix);
    this.unmount(prefix);
    this.mounts.push({ parts: parts.map((p) => p.toLowerCase()), prefix: '/' + parts.join('/'), vfs });
    this.mounts.sort((a, b) => b.parts.length - a.parts.length);
  }

  unmount(prefix: string): void {
    const key = '/' + splitPath(prefix).join('/').toLowerCase();
    this.mounts = this.mounts.filter((m) => m.prefix.toLowerCase() !== key);
  }

  /** Add or replace a generated file; a function is called on each read (always current content). */
  setFile(path: string, data: Generated): void {
    const clean = '/' + splitPath(path).join('/');
    this.files.set(clean.toLowerCase(), { path: clean, data });
  }

  removeFile(path: string): void {
    this.files.delete(('/' + splitPath(path).join('/')).toLowerCase());
  }

  private generated(parts: string[]): { path: string; data: Buffer } | undefined {
    const hit = this.files.get(('/' + parts.join('/')).toLowerCase());
    if (!hit) return undefined;
    return { path: hit.path, data: typeof hit.data === 'function' ? hit.data() : hit.data };
  }

  private route(parts: string[]): { mount: Mount; rest: string } | undefined {
    for (const m of this.mounts) {
      if (m.parts.length > parts.length) continue;
      if (m.parts.every((p, i) => parts[i]?.toLowerCase() === p)) {
        return { mount: m, rest: '/' + parts.slice(m.parts.length).join('/') };
      }
    }
    return undefined;
  }

  /** Directories implied by generated files and mount prefixes (so `/iso` lists its ISOs). */
  private syntheticChildren(parts: string[]): VfsStat[] {
    const depth = parts.length;
    const lower = parts.map((p) => p.toLowerCase());
    const out = new Map<string, VfsStat>();
    const consider = (full: string[], isLeafFile: boolean, size: number) => {
      const name = full[depth];
      if (name === undefined || !lower.every((p, i) => full[i]?.toLowerCase() === p)) return;
      const isFile = isLeafFile && full.length === depth + 1;
      if (!out.has(name.toLowerCase())) {
        out.set(name.toLowerCase(), {
          path: '/' + [...parts, name].join('/'),
          name,
          type: isFile ? 'file' : 'dir',
          size: isFile ? size : 0,
          mode: isFile ? 0o444 : 0o555,
          mtime: null,
        });
      }
    };
    for (const f of this.files.values()) {
      const data = typeof f.data === 'function' ? f.data() : f.data;
      consider(splitPath(f.path), true, data.length);
    }
    for (const m of this.mounts) consider(splitPath(m.prefix), false, 0);
    return [...out.values()];
  }

  private prefixed(mount: Mount, st: VfsStat): VfsStat {
    const path = mount.prefix === '/' ? st.path : st.path === '/' ? mount.prefix : mount.prefix + st.path;
    return { ...st, path, name: baseName(path) };
  }

  async stat(path: string): Promise<VfsStat> {
    return this.statWith(path, (vfs, rest) => vfs.stat(rest));
  }

  async lstat(path: string): Promise<VfsStat> {
    return this.statWith(path, (vfs, rest) => vfs.lstat(rest));
  }

  private async statWith(path: string, fn: (vfs: Vfs, rest: string) => Promise<VfsStat>): Promise<VfsStat> {
    const parts = splitPath(path);
    const gen = this.generated(parts);
    if (gen)
      return {
        path: gen.path,
        name: baseName(gen.path),
        type: 'file',
        size: gen.data.length,
        mode: 0o444,
        mtime: null,
      };
    const r = this.route(parts);
    if (r) {
      try {
        return this.prefixed(r.mount, await fn(r.mount.vfs, r.rest));
      } catch (err) {
        if (!(err instanceof VfsError && err.code === 'ENOENT') || r.rest !== '/') throw err;
      }
    }
    if (
      parts.length === 0 ||
      this.syntheticChildren(parts.slice(0, -1)).some(
        (c) => c.name.toLowerCase() === parts.at(-1)!.toLowerCase() && c.type === 'dir',
      )
    ) {
      return { path: '/' + parts.join('/'), name: parts.at(-1) ?? '', type: 'dir', size: 0, mode: 0o555, mtime: null };
    }
    throw new VfsError('ENOENT', path, 'no such file', this.location);
  }

  async readdir(path: string): Promise<VfsStat[]> {
    const parts = splitPath(path);
    const merged = new Map<string, VfsStat>();
    const r = this.route(parts);
    let found = false;
    if (r) {
      try {
        for (const st of await r.mount.vfs.readdir(r.rest))
          merged.set(st.name.toLowerCase(), this.prefixed(r.mount, st));
        found = true;
      } catch (err) {
        if (!(err instanceof VfsError && err.code === 'ENOENT')) throw err;
      }
    }
    const synthetic = this.syntheticChildren(parts);
    for (const st of synthetic) merged.set(st.name.toLowerCase(), st);
    if (!found && synthetic.length === 0 && parts.length > 0)
      throw new VfsError('ENOENT', path, 'no such directory', this.location);
    return [...merged.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async open(path: string): Promise<VfsFile> {
    const parts = splitPath(path);
    const gen = this.generated(parts);
    if (gen) {
      const data = gen.data;
      return {
        path: gen.path,
        size: data.length,
        async read(buffer, offset, length, position) {
          if (position >= data.length) return 0;
          return data.copy(buffer, offset, position, Math.min(data.length, position + length));
        },
        async close() {},
      };
    }
    const r = this.route(parts);
    if (!r)
      throw new VfsError(
        parts.length === 0 ? 'EISDIR' : 'ENOENT',
        path,
        parts.length === 0 ? 'is a directory' : 'no such file',
        this.location,
      );
    const f = await r.mount.vfs.open(r.rest);
    const full = this.prefixed(r.mount, {
      path: f.path,
      name: '',
      type: 'file',
      size: f.size,
      mode: 0,
      mtime: null,
    }).path;
    const file: VfsFile = { path: full, size: f.size, read: f.read.bind(f), close: f.close.bind(f) };
    if (f.hostSpans) file.hostSpans = f.hostSpans.bind(f);
    return file;
  }

  async createReadStream(path: string, range?: ReadRange): Promise<Readable> {
    const parts = splitPath(path);
    const gen = this.generated(parts);
    if (gen) {
      const end = range?.end === undefined ? gen.data.length : range.end + 1;
      return Readable.from([gen.data.subarray(range?.start ?? 0, end)]);
    }
    const r = this.route(parts);
    if (!r) throw new VfsError('ENOENT', path, 'no such file', this.location);
    return r.mount.vfs.createReadStream(r.rest, range);
  }

  async close(): Promise<void> {
    // Mounted sources are owned by whoever mounted them.
  }
}
