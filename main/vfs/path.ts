import { VfsError } from './types';

/**
 * Split a client-supplied path into clean components. Accepts '/' and '\\' (Windows and some PXE ROMs
 * send backslashes), drops empty and '.' parts, resolves '..' lexically and refuses to climb above the
 * root. NUL and other control characters are refused.
 */
export function splitPath(input: string): string[] {
  if (/[\u0000-\u001f]/.test(input)) throw new VfsError('EINVAL', input, 'path contains a control character');
  const out: string[] = [];
  for (const part of input.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new VfsError('EOUTSIDE', input, 'path climbs above the root');
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Pick a directory entry by name: exact match first, then case-insensitive. */
export function matchName<T extends { name: string }>(entries: Iterable<T>, name: string): T | undefined {
  let folded: T | undefined;
  const lower = name.toLowerCase();
  for (const e of entries) {
    if (e.name === name) return e;
    if (folded === undefined && e.name.toLowerCase() === lower) folded = e;
  }
  return folded;
}
