/**
 * Boot-failure reports from Bootdrop's own iPXE menu: when an entry cannot start (`boot`/`chain`/
 * `sanboot` fail), the menu's failure path fetches `/bootdrop/boot-failed/<entry id>`, so the server log
 * says which PC could not start which entry the moment it happens, not only the PC's screen. Pure.
 */
export const BOOT_FAILED_PREFIX = '/bootdrop/boot-failed/';

/** The entry id of a failure report path, or null when `path` is not one (ids: `<source>:<slug>`). */
export function bootFailedEntry(path: string): string | null {
  if (!path.startsWith(BOOT_FAILED_PREFIX)) return null;
  const id = path.slice(BOOT_FAILED_PREFIX.length);
  return /^[A-Za-z0-9][A-Za-z0-9:._-]{0,150}$/.test(id) ? id : null;
}
