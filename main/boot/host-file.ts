/**
 * A single host file as a Vfs whose root *is* the file, so MountedTree can mount a raw ISO at
 * `/iso/<id>.iso` (MountedTree.setFile only holds in-memory Buffers; ISOs are gigabytes).
 */
import { promises as fsp, createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { splitPath, VfsError, type ReadRange, type Vfs, type VfsFile, type VfsStat } from '../vfs';
import { errorMessage } from '../errors';

export class HostFileSource implements Vfs {
  readonly kind = 'memory' as const;

  constructor(
    readonly location: string,
    private readonly name: string,
  ) {}

  private check(path: string): void {
    if (splitPath(path).length > 0)
      throw new VfsError('ENOTDIR', path, 'not a directory (this source is a single file)', this.location);
  }

  async stat(path: string): Promise<VfsStat> {
    this.check(path);
    let st;
    try {
      st = await fsp.stat(this.location);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new VfsError(
        code === 'ENOENT' ? 'ENOENT' : 'EIO',
        '/',
        `host file unavailable: ${errorMessage(err)}`,
        this.location,
      );
    }
    return { path: '/', name: this.name, type: 'file', size: st.size, mode: 0o444, mtime: st.mtime };
  }

  lstat(path: string): Promise<VfsStat> {
    return this.stat(path);
  }

  async readdir(path: string): Promise<VfsStat[]> {
    throw new VfsError('ENOTDIR', path, 'not a directory', this.location);
  }

  async open(path: string): Promise<VfsFile> {
    const st = await this.stat(path);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.location, 'r');
    } catch (err) {
      throw new VfsError('EIO', '/', `host read failed: ${errorMessage(err)}`, this.location);
    }
    const location = this.location;
    return {
      path: '/',
      size: st.size,
      async read(buffer, offset, length, position) {
        try {
          return (await handle.read(buffer, offset, length, position)).bytesRead;
        } catch (err) {
          throw new VfsError('EIO', '/', `host read failed: ${errorMessage(err)}`, location);
        }
      },
      close: () => handle.close(),
    };
  }

  async createReadStream(path: string, range?: ReadRange): Promise<Readable> {
    await this.stat(path);
    return createReadStream(this.location, { start: range?.start ?? 0, end: range?.end, highWaterMark: 256 * 1024 });
  }

  async close(): Promise<void> {}
}
