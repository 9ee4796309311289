/**
 * Content-Type by file extension. Only what boot clients and people poking with a browser meet;
 * everything else is a byte stream. iPXE ignores the type but shows it; text/plain lets a browser
 * display scripts and menus instead of downloading them.
 */
const TYPES: Record<string, string> = {
  ipxe: 'text/plain; charset=utf-8',
  cfg: 'text/plain; charset=utf-8',
  conf: 'text/plain; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  lst: 'text/plain; charset=utf-8',
  menu: 'text/plain; charset=utf-8',
  sh: 'text/plain; charset=utf-8',
  md5: 'text/plain; charset=utf-8',
  sha1: 'text/plain; charset=utf-8',
  sha256: 'text/plain; charset=utf-8',
  sha512: 'text/plain; charset=utf-8',
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  iso: 'application/x-iso9660-image',
  img: 'application/octet-stream',
  // EDK2 HttpBootDxe (UEFI HTTP boot) recognises application/efi; for other types it goes by extension.
  efi: 'application/efi',
  gz: 'application/gzip',
  xz: 'application/x-xz',
  zst: 'application/zstd',
};

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export function contentTypeFor(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  return TYPES[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
