/**
 * Where a client is in its boot, derived from what it fetched: pure functions, no I/O.
 * dhcp → loader → menu → kernel → initrd → rootfs → done. Stages only move forward within one boot;
 * a fresh DHCP exchange after the client got somewhere means it rebooted, and starts over.
 */
import type { ClientStage } from '../contract';

export type FileRole = 'loader' | 'menu' | 'kernel' | 'initrd' | 'rootfs';

const ORDER: Record<ClientStage, number> = {
  dhcp: 0,
  loader: 1,
  menu: 2,
  kernel: 3,
  initrd: 4,
  rootfs: 5,
  done: 6,
  failed: 7,
};

/** Served paths the plan knows the role of (kernel/initrd of each entry), lower-cased, leading '/'. */
export type KnownRoles = ReadonlyMap<string, FileRole>;

const LOADER = /\.(kpxe|pxe|0|efi|c32|lkrn|com)$|(^|\/)memdisk$/;
const MENU = /\.(ipxe|cfg|conf|menu)$|(^|\/)pxelinux\.cfg\/|(^|\/)(boot|menu)\.ipxe$/;
const ROOTFS =
  /\.(squashfs|sfs|iso|img\.xz|erofs)$|airootfs|filesystem\.|(^|\/)(live|rootfs)\.(img|squashfs)$|squashfs\.img$/;
const KERNEL = /(^|\/)(vmlinu[xz][^/]*|bzimage[^/]*|linux(64)?|kernel[^/]*|vmlinuz\.efi)$/;
const INITRD = /(^|\/)(initrd[^/]*|initramfs[^/]*|[^/]*\.img|[^/]*\.(gz|lz|xz|zst|cpio))$/;

/** What a fetched file is, from the plan first and its name second (null: not boot-relevant). */
export function roleOfFile(file: string, known: KnownRoles = new Map()): FileRole | null {
  const p = ('/' + file.replace(/\\/g, '/').replace(/^\/+/, '')).toLowerCase().split('?')[0]!;
  const hit = known.get(p);
  if (hit) return hit;
  if (MENU.test(p)) return 'menu';
  if (LOADER.test(p)) return 'loader';
  if (KERNEL.test(p)) return 'kernel';
  if (ROOTFS.test(p)) return 'rootfs';
  if (INITRD.test(p)) return 'initrd';
  return null;
}

/**
 * Stage after a transfer of `role` ended (or progressed) with `outcome`. Never moves backwards. Only a
 * whole root file system counts as booted: one HTTP range of it (sanboot's 64 KiB reads, a probe)
 * is progress, not the end.
 */
export function stageAfterTransfer(
  current: ClientStage,
  role: FileRole | null,
  outcome: 'active' | 'done' | 'failed' | 'aborted',
  partial = false,
): ClientStage {
  if (role === null || current === 'failed') return current;
  // A loader probe the firmware aborts (EDK2 asks for the size first) is not a failure.
  if (outcome === 'failed' && role !== 'loader') return 'failed';
  if (outcome === 'failed' || outcome === 'aborted') return current;
  const next: ClientStage = role === 'rootfs' && outcome === 'done' && !partial ? 'done' : role;
  return ORDER[next] > ORDER[current] ? next : current;
}

/** Stage after a DHCP exchange: a client that had got past DHCP is booting again. */
export function stageAfterDhcp(current: ClientStage, lastSeen: number, now: number, quietMs = 30_000): ClientStage {
  if (current === 'dhcp') return 'dhcp';
  // iPXE and the kernel's udhcpc ask again mid-boot; only a client that went quiet has rebooted.
  if (current === 'done' || current === 'failed' || now - lastSeen > quietMs) return 'dhcp';
  return current;
}
