/**
 * Import an ISO's own boot menus (ISOLINUX/SYSLINUX for BIOS, GRUB for UEFI) through the Vfs, bounded,
 * and resolve every kernel/initrd to a file that really exists in the image. Entries that cannot be
 * resolved are dropped with a note; duplicates between the two menus (most ISOs list the same entries
 * twice) are merged.
 */
import { readGrubMenu } from './grub';
import { SourceProbe } from './probe';
import { candidateDirs, readSyslinuxMenu, resolveSyslinuxPath, type SyslinuxEntry } from './syslinux';

/** Where ISOs keep their BIOS menu, most specific first (the first one found is read). */
const SYSLINUX_ROOTS = [
  '/isolinux/isolinux.cfg', // Debian, Ubuntu ≤ 22.04, Fedora ≤ 36, Clonezilla
  '/boot/isolinux/isolinux.cfg',
  '/boot/syslinux/syslinux.cfg', // archiso ≥ 2021, Alpine
  '/syslinux/syslinux.cfg', // Clonezilla/GParted USB layouts
  '/isolinux.cfg',
  '/syslinux.cfg',
  '/arch/boot/syslinux/archiso.cfg', // archiso < 2021
  '/boot/x86_64/loader/isolinux.cfg', // openSUSE
] as const;

/** Where ISOs keep their UEFI GRUB menu. */
const GRUB_ROOTS = [
  '/boot/grub/grub.cfg', // Ubuntu, Debian live, Alpine, Mint, archiso (UEFI GRUB builds)
  '/boot/grub2/grub.cfg',
  '/EFI/BOOT/grub.cfg', // Fedora/RHEL family, openSUSE
  '/EFI/fedora/grub.cfg',
  '/EFI/redhat/grub.cfg',
  '/EFI/rocky/grub.cfg',
  '/EFI/almalinux/grub.cfg',
  '/EFI/centos/grub.cfg',
] as const;

interface ImportedEntry {
  title: string;
  kernel: string; // real path in the source
  initrd: string[];
  args: string[];
  isDefault: boolean;
  from: 'syslinux' | 'grub';
  config: string;
}

export interface ImportedMenu {
  entries: ImportedEntry[];
  files: string[];
  /** Entries listed by the ISO that Bootdrop could not use, with why. */
  skipped: string[];
  warnings: string[];
}

function loader(probe: SourceProbe) {
  return (path: string) => probe.text(path);
}

async function resolveSyslinux(probe: SourceProbe, p: string, e: SyslinuxEntry): Promise<string | null> {
  for (const dir of candidateDirs(e.workDir, e.configDir)) {
    const hit = await probe.file(resolveSyslinuxPath(p, dir));
    if (hit) return hit;
  }
  return null;
}

export async function importIsoMenu(probe: SourceProbe): Promise<ImportedMenu> {
  const out: ImportedMenu = { entries: [], files: [], skipped: [], warnings: [] };
  const add = (e: ImportedEntry) => {
    const key = (x: ImportedEntry) => `${x.kernel}|${x.initrd.join(',')}|${x.args.join(' ')}`.toLowerCase();
    const dup = out.entries.find((o) => key(o) === key(e));
    if (dup) dup.isDefault ||= e.isDefault;
    else out.entries.push(e);
  };

  const sysRoot = await probe.first(SYSLINUX_ROOTS);
  if (sysRoot) {
    // archiso's syslinux.cfg links its PXE-only menus (NBD/NFS/HTTP via ${pxeserver}); those belong to
    // the classic mode (classic.ts), not to the CD menu we re-create.
    const menu = await readSyslinuxMenu(sysRoot, loader(probe), {
      skipConfig: (p) => /pxe/i.test(p.slice(p.lastIndexOf('/') + 1)),
    });
    out.files.push(...menu.files);
    out.warnings.push(...menu.warnings);
    for (const e of menu.entries) {
      if (e.kind !== 'linux' || e.kernel === '') {
        if (e.kind === 'com32' || e.kind === 'pxe') out.skipped.push(`"${e.title}" (${e.kernel}: a SYSLINUX module)`);
        continue;
      }
      const kernel = await resolveSyslinux(probe, e.kernel, e);
      if (!kernel) {
        out.skipped.push(`"${e.title}" (kernel ${e.kernel} not found)`);
        continue;
      }
      const initrd: string[] = [];
      let missing: string | null = null;
      for (const i of e.initrd) {
        const hit = await resolveSyslinux(probe, i, e);
        if (hit) initrd.push(hit);
        else missing = i;
      }
      if (missing) {
        out.skipped.push(`"${e.title}" (initrd ${missing} not found)`);
        continue;
      }
      add({
        title: e.title,
        kernel,
        initrd,
        args: e.args,
        isDefault: e.isDefault,
        from: 'syslinux',
        config: e.configFile,
      });
    }
  }

  const grubRoot = await probe.first(GRUB_ROOTS);
  if (grubRoot) {
    const menu = await readGrubMenu(grubRoot, loader(probe));
    out.files.push(...menu.files);
    out.warnings.push(...menu.warnings);
    const hadDefault = out.entries.some((e) => e.isDefault);
    for (const e of menu.entries) {
      const kernel = await probe.file(e.kernel);
      if (!kernel) {
        out.skipped.push(`"${e.title}" (kernel ${e.kernel} not found)`);
        continue;
      }
      const initrd: string[] = [];
      let missing: string | null = null;
      for (const i of e.initrd) {
        const hit = await probe.file(i);
        if (hit) initrd.push(hit);
        else missing = i;
      }
      if (missing) {
        out.skipped.push(`"${e.title}" (initrd ${missing} not found)`);
        continue;
      }
      const title = [...e.submenu, e.title].join(' › ');
      add({
        title,
        kernel,
        initrd,
        args: e.args,
        isDefault: e.isDefault && !hadDefault,
        from: 'grub',
        config: e.configFile,
      });
    }
  }
  return out;
}
