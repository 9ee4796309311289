/**
 * Which of the machine's mounted file systems to offer in the Open dialog: USB sticks, other disks,
 * DVDs and network shares a person mounted — not the system's own (/, /boot, pseudo file systems) nor
 * the home folder, where the dialog already starts. Pure: node-disk-info's rows in, mount points out.
 */

/** One row of node-disk-info (df -P on Linux and macOS: sizes in 1 KiB blocks; wmic on Windows: bytes). */
export interface DiskRow {
  filesystem: string;
  blocks: number;
  available: number;
  mounted: string;
}

export interface OfferedMount {
  /** The mount point (Windows: "D:\\"). */
  path: string;
  /** What to call it: the folder the desktop named after the volume label, or the drive letter. */
  name: string;
  size: number | null;
  free: number | null;
}

/** System places on Linux; /run/media/<user>/ (Fedora, Arch: udisks) is where USB sticks appear. */
const LINUX_SYSTEM = /^\/(boot|efi|home|usr|var|opt|srv|nix|snap|proc|sys|dev|etc|root)(\/|$)/;

function offeredOn(row: DiskRow, platform: NodeJS.Platform): boolean {
  const { filesystem: fs, mounted: m } = row;
  if (platform === 'win32') return /^[A-Za-z]:$/.test(m);
  // A block device, or a network share (server:/export, //server/share); not tmpfs, overlay, proc...
  const real = fs.startsWith('/dev/') || /^[^/\s]+:\//.test(fs) || fs.startsWith('//');
  if (!real || m === '/') return false;
  if (platform === 'darwin') return m.startsWith('/Volumes/');
  if (m.startsWith('/run/')) return m.startsWith('/run/media/');
  return !LINUX_SYSTEM.test(m);
}

export function offeredMounts(rows: readonly DiskRow[], platform: NodeJS.Platform = process.platform): OfferedMount[] {
  const seen = new Set<string>();
  const out: OfferedMount[] = [];
  for (const row of rows) {
    if (!row.mounted || seen.has(row.mounted) || !offeredOn(row, platform)) continue;
    seen.add(row.mounted);
    const win = platform === 'win32';
    const path = win ? `${row.mounted.toUpperCase()}\\` : row.mounted;
    const name = win ? row.mounted.toUpperCase() : (row.mounted.split('/').filter(Boolean).at(-1) ?? row.mounted);
    const unit = win ? 1 : 1024;
    out.push({
      path,
      name,
      size: row.blocks > 0 ? row.blocks * unit : null,
      free: row.blocks > 0 ? row.available * unit : null,
    });
  }
  return out;
}
