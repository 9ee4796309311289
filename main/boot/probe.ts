/**
 * Bounded, error-tolerant look-ups into a boot source for detection: "does this file exist", "what is
 * in this folder", "read this small text file". A missing file is an answer (false / null / []), not an
 * error; a damaged image (ECORRUPT/EIO) is reported once as a warning and treated as missing.
 */
import { isVfsError, type Vfs } from '../vfs';
import { errorMessage } from '../errors';

/** Largest config/marker file read into memory (real menus are a few KiB). */
const MAX_TEXT_BYTES = 256 * 1024;

export class SourceProbe {
  readonly warnings: string[] = [];
  private statCache = new Map<string, Promise<{ path: string; type: string; size: number } | null>>();
  private dirCache = new Map<string, Promise<Array<{ name: string; type: string }>>>();

  constructor(readonly vfs: Vfs) {}

  private note(err: unknown): void {
    if (
      isVfsError(err, 'ENOENT') ||
      isVfsError(err, 'ENOTDIR') ||
      isVfsError(err, 'EINVAL') ||
      isVfsError(err, 'EOUTSIDE')
    )
      return;
    const msg = errorMessage(err);
    if (!this.warnings.includes(msg)) this.warnings.push(msg);
  }

  /** Stat following symlinks; null when missing. Paths come back in the source's real case. */
  stat(path: string): Promise<{ path: string; type: string; size: number } | null> {
    const key = path.toLowerCase();
    let hit = this.statCache.get(key);
    if (!hit) {
      hit = this.vfs.stat(path).then(
        (s) => ({ path: s.path, type: s.type, size: s.size }),
        (err: unknown) => {
          this.note(err);
          return null;
        },
      );
      this.statCache.set(key, hit);
    }
    return hit;
  }

  async file(path: string): Promise<string | null> {
    const s = await this.stat(path);
    return s && s.type === 'file' ? s.path : null;
  }

  async isDir(path: string): Promise<boolean> {
    return (await this.stat(path))?.type === 'dir';
  }

  list(dir: string): Promise<Array<{ name: string; type: string }>> {
    const key = dir.toLowerCase();
    let hit = this.dirCache.get(key);
    if (!hit) {
      hit = this.vfs.readdir(dir).then(
        (entries) => entries.map((e) => ({ name: e.name, type: e.type })),
        (err: unknown) => {
          this.note(err);
          return [];
        },
      );
      this.dirCache.set(key, hit);
    }
    return hit;
  }

  /**
   * Files matching a path whose last component may hold `*` wildcards (case-insensitive), sorted by
   * name. `/live/vmlinuz*` → ['/live/vmlinuz-6.1.0-9-amd64'].
   */
  async glob(pattern: string): Promise<string[]> {
    const i = pattern.lastIndexOf('/');
    const dir = i <= 0 ? '/' : pattern.slice(0, i);
    const base = pattern.slice(i + 1);
    if (!base.includes('*')) {
      const f = await this.file(pattern);
      return f ? [f] : [];
    }
    const dirStat = await this.stat(dir);
    if (!dirStat || dirStat.type !== 'dir') return [];
    const re = new RegExp(
      '^' +
        base
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
      'i',
    );
    const out: string[] = [];
    for (const e of await this.list(dirStat.path)) {
      if (re.test(e.name) && e.type !== 'dir') {
        const f = await this.file((dirStat.path === '/' ? '' : dirStat.path) + '/' + e.name);
        if (f) out.push(f);
      }
    }
    return out.sort();
  }

  /** First existing file among candidates (each may be a glob). */
  async first(candidates: readonly string[]): Promise<string | null> {
    for (const c of candidates) {
      const hits = await this.glob(c);
      if (hits.length > 0) return hits[0]!;
    }
    return null;
  }

  /** A small text file, or null when missing or larger than `max` bytes. */
  async text(path: string, max = MAX_TEXT_BYTES): Promise<string | null> {
    const s = await this.stat(path);
    if (!s || s.type !== 'file') return null;
    if (s.size > max) {
      this.warnings.push(`${path}: ${s.size} bytes is too large for a boot menu file (limit ${max}); not read`);
      return null;
    }
    try {
      const f = await this.vfs.open(s.path);
      try {
        const buf = Buffer.alloc(s.size);
        let got = 0;
        while (got < s.size) {
          const n = await f.read(buf, got, s.size - got, got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got).toString('utf8');
      } finally {
        await f.close();
      }
    } catch (err) {
      this.note(err);
      return null;
    }
  }
}
