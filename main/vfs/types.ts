import type { Readable } from 'node:stream';

/** One entry of a boot source (ISO image, plain folder, or Bootdrop's generated files). */
export interface VfsStat {
  /** Canonical path inside the source: '/' separated, leading '/', real case. */
  path: string;
  name: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  /** POSIX mode bits when the source has them (Rock Ridge PX, host fs); 0o444/0o555 otherwise. */
  mode: number;
  mtime: Date | null;
  /** Symlink target as stored (Rock Ridge SL), for `type === 'symlink'` entries from readdir/lstat. */
  linkTarget?: string;
}

/** A run of file bytes stored verbatim in an open host file: `length` bytes at `position` of `fd`. */
export interface HostSpan {
  fd: number;
  position: number;
  length: number;
}

export interface VfsFile {
  readonly path: string;
  readonly size: number;
  /** Read up to `length` bytes at `position` into `buffer` at `offset`. Returns bytes read; 0 at EOF. */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /**
   * Where bytes [start, end) of this file sit in host files (ISO extents, a folder's file), in order,
   * or null when they do not (generated content) or the range is bad. Lets the native I/O helpers
   * sendfile/pread the bytes without copying them through JavaScript. The fds belong to the source and
   * may be closed once this file or its source closes: a helper that outlives the call must dup() them.
   */
  hostSpans?(start: number, end: number): HostSpan[] | null;
  close(): Promise<void>;
}

export interface ReadRange {
  start: number;
  /** Inclusive end, like fs.createReadStream. */
  end?: number;
}

/**
 * The virtual file system every server reads through. Lookups accept '\\' and '/' and fall back to a
 * case-insensitive match (PXE clients and Windows send odd cases). Symlinks resolve only inside the
 * source; a link that leaves it fails with code 'EOUTSIDE', never a host file.
 */
export interface Vfs {
  readonly kind: 'iso' | 'folder' | 'memory' | 'mount';
  /** Human name for errors: the ISO/folder host path. */
  readonly location: string;
  stat(path: string): Promise<VfsStat>;
  /** Like stat, but does not follow a final symlink. */
  lstat(path: string): Promise<VfsStat>;
  readdir(path: string): Promise<VfsStat[]>;
  open(path: string): Promise<VfsFile>;
  createReadStream(path: string, range?: ReadRange): Promise<Readable>;
  close(): Promise<void>;
}

export type VfsErrorCode =
  | 'ENOENT' // no such file
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ELOOP' // symlink loop / too deep
  | 'EOUTSIDE' // path or symlink escapes the source
  | 'EINVAL' // bad path (NUL, ...)
  | 'ECORRUPT' // the image is damaged here
  | 'ETOOBIG'
  | 'EIO'; // host read failed (file deleted, disk unplugged)

export class VfsError extends Error {
  constructor(
    readonly code: VfsErrorCode,
    readonly path: string,
    message: string,
    readonly source?: string,
  ) {
    super(source ? `${source}: ${path}: ${message}` : `${path}: ${message}`);
    this.name = 'VfsError';
  }
}

export function isVfsError(err: unknown, code?: VfsErrorCode): err is VfsError {
  return err instanceof VfsError && (code === undefined || err.code === code);
}
