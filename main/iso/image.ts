/**
 * The ISO file on the host, read with positional reads only (no mounting, no root, any OS). Every read
 * is checked against the image size first, so a damaged extent can never make us read outside the
 * image or allocate more than the image holds.
 */
import { promises as fsp, readSync } from 'node:fs';
import { VfsError } from '../vfs';
import { errorMessage } from '../errors';

/** Advice appended to every "damaged image" error. */
export const DAMAGED_ADVICE = 'the image is damaged; re-download it and check its checksum';

/**
 * Reads up to this size are done synchronously. A promise read costs a thread-pool round trip (two
 * extra thread wake-ups), which dominates small reads from the page cache: iPXE `sanboot` issues
 * thousands of 64 KiB range requests, and `npm run bench` measured ~0.4× nginx's rate with async
 * reads, ~0.9–1.0× with this. Larger reads (HTTP bulk chunks, TFTP read-ahead) stay async, so a
 * cold-cache read blocks the event loop for at most one small disk read, as nginx's workers do.
 */
const SYNC_READ_MAX = 64 * 1024;

export class IsoImage {
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly handle: fsp.FileHandle,
    readonly size: number,
  ) {}

  static async open(hostPath: string): Promise<IsoImage> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(hostPath, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new VfsError('ENOENT', hostPath, 'no such file');
      if (code === 'EISDIR') throw new VfsError('EISDIR', hostPath, 'is a folder, not an ISO image');
      throw new VfsError('EIO', hostPath, `cannot open: ${errorMessage(err)}`);
    }
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new VfsError('EINVAL', hostPath, 'not a regular file');
    }
    return new IsoImage(hostPath, handle, st.size);
  }

  /** The image's host file descriptor, or null once closed (for native helpers, which dup() it). */
  get fd(): number | null {
    return this.closed ? null : this.handle.fd;
  }

  damaged(path: string, what: string): VfsError {
    return new VfsError('ECORRUPT', path, `${what}; ${DAMAGED_ADVICE}`, this.location);
  }

  /** Is [pos, pos+length) inside the image? */
  contains(pos: number, length: number): boolean {
    return (
      Number.isSafeInteger(pos) && Number.isSafeInteger(length) && pos >= 0 && length >= 0 && pos + length <= this.size
    );
  }

  /** Read exactly `length` bytes at `pos` into a new Buffer; `path`/`what` name the thing for errors. */
  async readAt(pos: number, length: number, path: string, what: string): Promise<Buffer> {
    if (!this.contains(pos, length)) {
      throw this.damaged(
        path,
        `${what} (bytes ${pos}–${pos + length}) lies beyond the end of the ${this.size}-byte image`,
      );
    }
    const buf = Buffer.allocUnsafe(length);
    await this.readInto(buf, 0, length, pos, path);
    return buf;
  }

  /** Fill buf[offset, offset+length) from image position `pos` (caller has bounds-checked). */
  async readInto(buf: Buffer, offset: number, length: number, pos: number, path: string): Promise<void> {
    if (this.closed) throw new VfsError('EIO', path, 'the ISO was closed', this.location);
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        const want = length - done;
        n =
          want <= SYNC_READ_MAX
            ? readSync(this.handle.fd, buf, offset + done, want, pos + done)
            : (await this.handle.read(buf, offset + done, want, pos + done)).bytesRead;
      } catch (err) {
        throw new VfsError('EIO', path, `reading the ISO failed: ${errorMessage(err)}`, this.location);
      }
      // The file shrank under us (being re-downloaded / truncated while served).
      if (n === 0) throw this.damaged(path, `the image ends early at byte ${pos + done}`);
      done += n;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
