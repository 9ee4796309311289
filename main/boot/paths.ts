/**
 * Where things live in the served tree (TFTP and HTTP serve the same tree), and how to turn those paths
 * into URLs. The session mounts sources at these paths (see layout.ts); recipes and the iPXE script
 * refer to them.
 */

export const BOOT_SCRIPT_PATH = '/boot.ipxe';
export const LOADERS_PATH = '/loaders';

/** Source ids become path components and iPXE/kernel arguments: keep them to a safe alphabet. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function checkSourceId(id: string): string {
  if (!SAFE_ID.test(id) || id.endsWith('.iso')) {
    throw new Error(
      `source id "${id}" is not usable in URLs: use 1-64 letters, digits, '.', '_' or '-' (not ending in .iso)`,
    );
  }
  return id;
}

/** The source's files: `/iso/<id>/...`. */
export function sourceTreePath(id: string): string {
  return `/iso/${checkSourceId(id)}`;
}

/** The raw ISO file as one file (casper `url=`, dracut `root=live:`, iPXE `sanboot`): `/iso/<id>.iso`. */
export function rawIsoPath(id: string): string {
  return `/iso/${checkSourceId(id)}.iso`;
}

export function loaderPath(name: string): string {
  return `${LOADERS_PATH}/${name}`;
}

/** Percent-encode each component of a '/'-separated path for a URL (RFC 3986 unreserved kept). */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((c) => encodeURIComponent(c).replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase()))
    .join('/');
}

export interface ServerAddress {
  ip: string;
  httpPort: number;
}

/** `ip` or `ip:port` (port 80 omitted, as classic configs write `http://${pxeserver}/`). */
export function hostPort(server: ServerAddress): string {
  return server.httpPort === 80 ? server.ip : `${server.ip}:${server.httpPort}`;
}

export function httpUrl(server: ServerAddress, path: string): string {
  return `http://${hostPort(server)}${encodePath(path)}`;
}
