/**
 * Static files of the built renderer (dist/ui), confined to that folder: no `..`, no absolute
 * paths, no symlinks leading out, no dot-files, content types from a fixed table.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * URL pathname → relative path inside the UI folder, or null when it could point anywhere else.
 * Pure: decides on the string alone (the symlink check happens in resolveStaticFile).
 */
export function safeRelativePath(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..' || p.startsWith('.'))) return null;
  return parts.length === 0 ? 'index.html' : parts.join('/');
}

export interface StaticFile {
  path: string;
  size: number;
  contentType: string;
}

/** The file to serve for `pathname`, or null (→ 404). */
export async function resolveStaticFile(uiRoot: string, pathname: string): Promise<StaticFile | null> {
  const rel = safeRelativePath(pathname);
  if (rel === null) return null;
  try {
    const root = await realpath(uiRoot);
    const real = await realpath(join(root, rel));
    if (!real.startsWith(root + sep)) return null;
    const st = await stat(real);
    if (!st.isFile()) return null;
    return { path: real, size: st.size, contentType: contentTypeFor(real) };
  } catch {
    return null;
  }
}
