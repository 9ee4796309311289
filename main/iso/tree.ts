/**
 * The seam between a file-system format and IsoSource: a reader turns directories into TreeNodes
 * whose file data are byte extents of the image. ECMA-119 (+ Joliet / Rock Ridge) is one reader; a
 * future UDF reader (Windows ISOs) implements the same interface and IsoSource serves it unchanged.
 */

/** A run of file data: absolute byte position in the image and length. */
export interface Extent {
  pos: number;
  length: number;
}

export interface TreeNode {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  /** File size in bytes (sum of extents); 0 for directories and symlinks. */
  size: number;
  /** POSIX permission bits (0o7777). */
  mode: number;
  mtime: Date | null;
  linkTarget?: string;
  /** File data, in order (several for multi-extent files > 4 GiB). Empty for directories. */
  extents: Extent[];
  /**
   * Directories: identity of the directory's data (its byte position in the image). Used for caching
   * and for spotting a damaged tree whose directory points back at an ancestor.
   */
  dirKey: number;
  /** Directories: byte length of the directory data, or -1 when the reader must discover it. */
  dirLength: number;
  /** Why this file cannot be read (damaged extent, unsupported layout); reported on open. */
  problem?: string;
}

export interface FsReader {
  /** The root directory. */
  readonly root: TreeNode;
  /** Children of `dir` (never '.'/'..'); `path` is the directory's path, for error messages. */
  listDir(dir: TreeNode, path: string): Promise<TreeNode[]>;
}
