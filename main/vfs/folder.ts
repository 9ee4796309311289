import { promises as fsp, createReadStream, type Stats } from 'node:fs';
import * as nodePath from 'node:path';
import type { Readable } from 'node:stream';
import { matchName, splitPath } from './path';
import { VfsError, type ReadRange, type Vfs, type VfsFile, type VfsStat } from './types';
import { errorMessage } from '../errors';

/**
 * A plain folder as a boot source: an extracted ISO, a mounted DVD or a loop-mounted ISO (the classic
 * setup). Confined to the folder: every resolved host path is checked with realpath, so a host symlink
 * that leaves the folder is refused ('EOUTSIDE'), never followed.
 */
export class FolderSource implements Vfs {
  readonly kind = 'folder' as const;
  private constructor(
    readonly location: string,
    private readonly realRoot: string,
  ) {}

  static async open(dir: string): Promise<FolderSource> {
    const abs = nodePath.resolve(dir);
    let st: Stats;
    try {
      st = await fsp.stat(abs);
    } catch {
      throw new VfsError('ENOENT', abs, 'folder does not exist');
    }
    if (!st.isDirectory()) throw new VfsError('ENOTDIR', abs, 'not a folder');
    return new FolderSource(abs, await fsp.realpath(abs));
  }

  /** Map a client path to a host path inside the folder, matching case-insensitively per component. */
  private async resolve(path: string, followLast: boolean): Promise<{ host: string; vpath: string }> {
    const parts = splitPath(path);
    let host = this.realRoot;
    const vparts: string[] = [];
    for (const [i, part] of parts.entries()) {
      let names: string[];
      try {
        names = await fsp.readdir(host);
      } catch (err) {
        throw this.hostError(err, '/' + vparts.join('/'));
      }
      const hit = matchName(
        names.map((name) => ({ name })),
        part,
      );
      if (!hit) throw new VfsError('ENOENT', '/' + [...vparts, part].join('/'), 'no such file', this.location);
      host = nodePath.join(host, hit.name);
      vparts.push(hit.name);
      if (i < parts.length - 1 || followLast) host = await this.confine(host, '/' + vparts.join('/'));
    }
    return { host, vpath: '/' + vparts.join('/') };
  }

  private async confine(host: string, vpath: string): Promise<string> {
    let real: string;
    try {
      real = await fsp.realpath(host);
    } catch (err) {
      throw this.hostError(err, vpath);
    }
    if (real !== this.realRoot && !real.startsWith(this.realRoot + nodePath.sep)) {
      throw new VfsError('EOUTSIDE', vpath, 'symlink points outside the served folder', this.location);
    }
    return real;
  }

  private hostError(err: unknown, vpath: string): VfsError {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new VfsError('ENOENT', vpath, 'no such file', this.location);
    if (code === 'ELOOP') return new VfsError('ELOOP', vpath, 'symlink loop', this.location);
    if (code === 'ENOTDIR') return new VfsError('ENOTDIR', vpath, 'not a directory', this.location);
    return new VfsError('EIO', vpath, `host read failed: ${errorMessage(err)}`, this.location);
  }

  private toStat(vpath: string, st: Stats, linkTarget?: string): VfsStat {
    const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
    const s: VfsStat = {
      path: vpath,
      name: vpath === '/' ? '' : nodePath.posix.basename(vpath),
      type,
      size: type === 'file' ? st.size : 0,
      mode: st.mode & 0o7777,
      mtime: st.mtime,
    };
    if (linkTarget !== undefined) s.linkTarget = linkTarget;
    return s;
  }

  async stat(path: string): Promise<VfsStat> {
    const { host, vpath } = await this.resolve(path, true);
    try {
      return this.toStat(vpath, await fsp.stat(host));
    } catch (err) {
      throw this.hostError(err, vpath);
    }
  }

  async lstat(path: string): Promise<VfsStat> {
    const { host, vpath } = await this.resolve(path, false);
    try {
      const st = await fsp.lstat(host);
      return this.toStat(vpath, st, st.isSymbolicLink() ? await fsp.readlink(host) : undefined);
    } catch (err) {
      throw this.hostError(err, vpath);
    }
  }

  async readdir(path: string): Promise<VfsStat[]> {
    const { host, vpath } = await this.resolve(path, true);
    let names: string[];
    try {
      names = await fsp.readdir(host);
    } catch (err) {
      throw this.hostError(err, vpath);
    }
    const out: VfsStat[] = [];
    for (const name of names.sort()) {
      const child = vpath === '/' ? `/${name}` : `${vpath}/${name}`;
      try {
        const st = await fsp.lstat(nodePath.join(host, name));
        out.push(
          this.toStat(child, st, st.isSymbolicLink() ? await fsp.readlink(nodePath.join(host, name)) : undefined),
        );
      } catch {
        // Vanished between readdir and lstat: skip, like `ls` does.
      }
    }
    return out;
  }

  async open(path: string): Promise<VfsFile> {
    const { host, vpath } = await this.resolve(path, true);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(host, 'r');
    } catch (err) {
      throw this.hostError(err, vpath);
    }
    const st = await handle.stat();
    if (st.isDirectory()) {
      await handle.close();
      throw new VfsError('EISDIR', vpath, 'is a directory', this.location);
    }
    const location = this.location;
    let closed = false;
    return {
      path: vpath,
      size: st.size,
      hostSpans(start, end) {
        const ok =
          !closed &&
          Number.isSafeInteger(start) &&
          Number.isSafeInteger(end) &&
          start >= 0 &&
          start <= end &&
          end <= st.size;
        return ok ? [{ fd: handle.fd, position: start, length: end - start }] : null;
      },
      async read(buffer, offset, length, position) {
        try {
          return (await handle.read(buffer, offset, length, position)).bytesRead;
        } catch (err) {
          throw new VfsError('EIO', vpath, `host read failed: ${errorMessage(err)}`, location);
        }
      },
      close: () => {
        closed = true;
        return handle.close();
      },
    };
  }

  async createReadStream(path: string, range?: ReadRange): Promise<Readable> {
    const { host, vpath } = await this.resolve(path, true);
    const st = await fsp.stat(host).catch((err: unknown) => {
      throw this.hostError(err, vpath);
    });
    if (st.isDirectory()) throw new VfsError('EISDIR', vpath, 'is a directory', this.location);
    return createReadStream(host, { start: range?.start ?? 0, end: range?.end, highWaterMark: 256 * 1024 });
  }

  async close(): Promise<void> {}
}
