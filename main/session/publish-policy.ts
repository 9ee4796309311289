/**
 * What a UI may publish to the LAN and browse. `sudo bootdrop serve --ui` runs as root, so whoever has
 * the UI token could otherwise serve /etc or a home folder (its .ssh) to every machine on the cable.
 * A source must be an ISO file or a folder that looks like an installation medium, and never a system
 * folder. Pure (POSIX paths, already resolved through symlinks); the caller reads the disk.
 */
import * as path from 'node:path';
import {
  containerFolderRefusal,
  homeFolderRefusal,
  homeMarkerRefusal,
  notAMediumRefusal,
  notAnIsoRefusal,
  systemFolderRefusal,
} from './errors';

/** Never published, never browsed into: the OS, its configuration and secrets, pseudo file systems. */
const SYSTEM_FOLDERS = [
  '/etc',
  '/usr',
  '/var',
  '/proc',
  '/sys',
  '/dev',
  '/run',
  '/boot',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/root',
  '/snap',
  '/srv',
  '/opt',
  '/lost+found',
  // macOS
  '/System',
  '/Library',
  '/private',
] as const;

/** Folders of other people's folders: browsable, never published whole. */
const CONTAINERS = new Set(['/', '/home', '/tmp', '/mnt', '/media', '/Users', '/Volumes']);

/**
 * Top-level names that make a folder look like a boot medium: loader and menu folders (isolinux,
 * syslinux, EFI, boot), the live-system layouts Bootdrop's recipes read (casper, live, LiveOS, arch,
 * images/pxeboot, install.amd), or a kernel at the top (memtest, netboot trees).
 */
const BOOT_DIRS = new Set([
  'isolinux',
  'syslinux',
  'efi',
  'boot',
  'casper',
  'live',
  'liveos',
  'arch',
  'images',
  'install',
  'install.amd',
  'pxelinux.cfg',
  '.disk',
]);
const BOOT_FILE = /^(vmlinu[xz]|bzimage|linux(64)?|memtest|kernel|initrd|initramfs)|\.(efi|c32|kpxe|pxe|0)$/i;

/** Secrets a home folder holds at its top: a folder with these is somebody's home, not a medium. */
const HOME_MARKERS = new Set(['.ssh', '.gnupg', '.aws', '.kube', '.password-store']);

/** The system folder `p` is or lies in, or null. */
export function systemFolderOf(p: string): string | null {
  for (const s of SYSTEM_FOLDERS) if (p === s || p.startsWith(s + '/')) return s;
  return null;
}

/**
 * Why `real` (a resolved absolute path) may not be published, or null when it may. `topNames` are the
 * names at a folder's top (ignored for files); `asked` is the path as the UI sent it, for the message.
 */
export function publishRefusal(
  real: string,
  kind: 'file' | 'dir',
  topNames: readonly string[],
  asked = real,
): string | null {
  const shown = asked === real ? `"${real}"` : `"${asked}" (which is ${real})`;
  const system = systemFolderOf(real);
  if (system) return systemFolderRefusal(shown, system);
  if (kind === 'file') return /\.iso$/i.test(real) ? null : notAnIsoRefusal(shown);
  if (CONTAINERS.has(real)) return containerFolderRefusal(shown);
  if (path.posix.dirname(real) === '/home' || path.posix.dirname(real) === '/Users') return homeFolderRefusal(shown);
  const names = topNames.map((n) => n.toLowerCase());
  const secret = names.find((n) => HOME_MARKERS.has(n));
  if (secret) return homeMarkerRefusal(shown, secret);
  if (!names.some((n) => BOOT_DIRS.has(n) || BOOT_FILE.test(n))) return notAMediumRefusal(shown);
  return null;
}
