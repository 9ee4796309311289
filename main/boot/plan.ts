/**
 * planSource: look at a boot source (ISO or folder) and decide what the network menu offers for it:
 * the OS family (recipe table), the ISO's own menu entries with network-fetch arguments, plain recipe
 * entries when the ISO has no usable menu, memtest, and the generic El Torito fallback.
 *
 * Command lines hold `<server>` (SERVER_TOKEN) for the HTTP server's `ip:port`, filled in by
 * renderIpxeScript / fillServer at serve time; everything else is final.
 */
import type { BootEntry, EntryKind, OsFamily, SourceSummary } from '../contract';
import type { Vfs } from '../vfs';
import { detectClassicPxelinux, type ClassicPxelinux } from './classic';
import { editCmdline, fillTemplate, SERVER_TOKEN, splitCmdline } from './cmdline';
import { planElTorito } from './eltorito-boot';
import { importIsoMenu } from './menu-import';
import { GENERIC_BOOT_WARNING } from './messages';
import { encodePath, rawIsoPath, sourceTreePath } from './paths';
import { SourceProbe } from './probe';
import { MEMDISK_MAX_BYTES, MEMTEST, RECIPES, type Detection, type Recipe } from './recipes';

/** What the ISO reader reports about an image (main/iso's SourceInfo fits this shape). */
export interface SourceInfoLike {
  label: string;
  size: number;
  fileSystems: string[];
  /** El Torito boot catalogue entries (any shape); empty/null when the image is not bootable as a CD. */
  elTorito?: unknown;
  /** What opening the source found damaged (e.g. the El Torito catalog); shown with the plan's warnings. */
  warnings?: string[];
}

export interface PlanOptions {
  sourceId: string;
  hostPath: string;
}

export interface SourcePlan {
  summary: SourceSummary;
  /** Served-tree path of the source's files (`/iso/<id>`). */
  treePath: string;
  /** Served-tree path of the raw image (`/iso/<id>.iso`), null for folders (nothing to serve whole). */
  rawIsoPath: string | null;
  /** The ISO ships its own PXELINUX menu: the classic hand setup can be reproduced (see classic.ts). */
  classicPxelinux: ClassicPxelinux | null;
  /** Menu files read from the image, and ISO entries left out (with why). */
  menuFiles: string[];
  skipped: string[];
  /** Files served under treePath that are not in the source (BOOTX64.EFI read out of a FAT image). */
  extraFiles?: Array<{ path: string; data: Buffer }>;
}

function hasElTorito(x: unknown): boolean {
  if (Array.isArray(x)) return x.length > 0;
  if (x && typeof x === 'object') {
    const entries = (x as { entries?: unknown }).entries;
    return Array.isArray(entries) ? entries.length > 0 : true;
  }
  return false;
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'entry'
  );
}

interface Draft {
  label: string;
  kind: EntryKind;
  kernel?: string;
  initrd: string[];
  cmdline: string;
  isDefault: boolean;
  origin: BootEntry['origin'];
  firmware: BootEntry['firmware'];
  enabled?: boolean;
  minRamMiB?: number;
}

function memtestDraft(label: string, kernel: string, origin: BootEntry['origin']): Draft {
  const efi = /\.efi$/i.test(kernel);
  return {
    label,
    kind: efi ? 'chain' : 'linux',
    kernel,
    initrd: [],
    cmdline: '',
    isDefault: false,
    origin,
    firmware: efi ? ['uefi'] : ['bios'],
  };
}

export async function planSource(vfs: Vfs, info: SourceInfoLike, opts: PlanOptions): Promise<SourcePlan> {
  const id = opts.sourceId;
  const tree = sourceTreePath(id);
  const kind: SourceSummary['kind'] = vfs.kind === 'iso' ? 'iso' : 'folder';
  const probe = new SourceProbe(vfs);
  const warnings: string[] = [...(info.warnings ?? [])];
  const label = info.label.trim() || (opts.hostPath.split(/[\\/]/).pop() ?? id);

  let recipe: Recipe | null = null;
  let det: Detection | null = null;
  for (const r of RECIPES) {
    det = await r.detect(probe, label);
    if (det) {
      recipe = r;
      break;
    }
  }
  const imported = await importIsoMenu(probe);
  const skipped = [...imported.skipped];
  const drafts: Draft[] = [];
  const urlVars = {
    src: `http://${SERVER_TOKEN}${encodePath(tree)}`,
    iso: `http://${SERVER_TOKEN}${encodePath(rawIsoPath(id))}`,
    // KiB of a RAM disk that holds the whole ISO (kiwi-live's /dev/ram0), rounded up to whole MiB plus one.
    ramdiskKiB: String((Math.ceil(info.size / 1048576) + 1) * 1024),
  };
  let extraFiles: Array<{ path: string; data: Buffer }> = [];
  let family: OsFamily = recipe?.family ?? 'generic';
  let osName = det?.osName ?? '';

  if (recipe && det) {
    const template = kind === 'iso' ? recipe.netArgs.iso : recipe.netArgs.folder;
    const usable = template !== null;
    if (!usable)
      warnings.push(
        (kind === 'iso' ? recipe.isoProblem : recipe.folderProblem) ??
          `${recipe.family} cannot boot from ${kind === 'iso' ? 'this ISO' : 'a folder'} over the network`,
      );
    warnings.push(...(det.warnings ?? []));
    const note = (l: string) => (det!.entryNote ? `${l} (${det!.entryNote})` : l);
    const dirRe = typeof recipe.kernelDir === 'function' ? recipe.kernelDir(det.vars) : recipe.kernelDir;
    const netArgs = (vars: Record<string, string> = {}) => {
      const all = { ...det!.vars, ...vars, ...urlVars };
      // twice: a detection variable may itself hold a template (anaconda's `{repo}` = `inst.repo={src}/`)
      return splitCmdline(fillTemplate(fillTemplate(template ?? '', all), all));
    };
    const ram = (): number | undefined => {
      if (!recipe!.minRam) return undefined;
      if ('fixedMiB' in recipe!.minRam) return recipe!.minRam.fixedMiB;
      return Math.ceil(info.size / 1048576) + recipe!.minRam.imagePlusMiB;
    };
    const linux = (
      d: {
        label: string;
        kernel: string;
        initrd: string[];
        args: string[];
        isDefault: boolean;
        vars?: Record<string, string>;
      },
      origin: BootEntry['origin'],
    ): Draft => {
      const draft: Draft = {
        label: note(d.label),
        kind: 'linux',
        kernel: d.kernel,
        initrd: d.initrd,
        cmdline: editCmdline(d.args, { drop: recipe!.dropArgs, add: netArgs(d.vars) }).join(' '),
        isDefault: d.isDefault,
        origin,
        firmware: ['bios', 'uefi'],
        enabled: usable,
      };
      const r = ram();
      if (r !== undefined) draft.minRamMiB = r;
      return draft;
    };
    for (const e of imported.entries) {
      if (MEMTEST.pattern.test(e.kernel)) drafts.push(memtestDraft(e.title, e.kernel, 'iso-menu'));
      else if (dirRe.test(e.kernel)) {
        // alpine: the modloop flavour follows the kernel the entry boots
        const flavor = /vmlinuz-([^/]+)$/.exec(e.kernel)?.[1];
        drafts.push(
          linux(
            { ...e, label: e.title, ...(recipe.family === 'alpine' && flavor ? { vars: { flavor } } : {}) },
            'iso-menu',
          ),
        );
      } else
        skipped.push(`"${e.title}" (${e.kernel} is not a ${recipe.family} kernel Bootdrop can boot over the network)`);
    }
    if (!drafts.some((d) => d.kind === 'linux' && d.origin === 'iso-menu')) {
      for (const b of det.boot) drafts.push(linux({ ...b, args: [], isDefault: false }, 'recipe'));
    }
    if (drafts.length === 0) warnings.push(`recognised ${recipe.family} but found no kernel/initrd to boot`);
    const r = ram();
    if (r !== undefined && usable)
      warnings.push(`clients need at least ${r} MiB of RAM: ${recipe.ramReason ?? 'the OS runs from RAM'}`);
  } else {
    // memtest86+ images, else the generic fallback. The 6.x/7.x release ISO (volume MT86PLUS_64, its
    // build/x86_64/Makefile) has /boot/floppy.img — the Linux-boot-protocol mt86plus padded to 1.44 MB,
    // behind a floppy-emulation El Torito entry — and the same program as EFI/BOOT/bootx64.efi.
    const release = MEMTEST.releaseLabel.test(label) || /memtest/i.test(label);
    const bios = (await probe.first(MEMTEST.bios)) ?? (release ? await probe.file(MEMTEST.releaseBios) : null);
    const efi =
      (await probe.first(MEMTEST.efi)) ?? (bios || release ? await probe.file('/EFI/BOOT/BOOTX64.EFI') : null);
    for (const e of imported.entries)
      if (MEMTEST.pattern.test(e.kernel)) drafts.push(memtestDraft(e.title, e.kernel, 'iso-menu'));
    if (bios || efi) {
      family = 'memtest';
      osName = 'memtest86+';
      if (bios && !drafts.some((d) => d.kernel === bios))
        drafts.push(memtestDraft('memtest86+ (BIOS)', bios, 'recipe'));
      if (efi && !drafts.some((d) => d.kernel === efi)) drafts.push(memtestDraft('memtest86+ (UEFI)', efi, 'recipe'));
    }
  }

  if (family === 'generic') {
    osName = `Unknown (generic boot)`;
    if (kind === 'iso' && hasElTorito(info.elTorito)) {
      // What the ISO declares bootable first (its El Torito images), then the whole ISO as a virtual CD.
      const et = await planElTorito(vfs, probe, info.elTorito, label);
      extraFiles = et.files;
      warnings.push(...et.warnings);
      for (const b of et.boots) {
        const d: Draft = {
          label: b.label,
          kind: b.kind,
          kernel: b.file,
          initrd: [],
          cmdline: b.cmdline,
          isDefault: false,
          origin: 'generic',
          firmware: b.firmware,
        };
        if (b.minRamMiB !== undefined) d.minRamMiB = b.minRamMiB;
        drafts.push(d);
      }
      const cdFirmware: Array<'bios' | 'uefi'> = [
        ...(et.biosNoEmulation ? (['bios'] as const) : []),
        ...(et.efi ? (['uefi'] as const) : []),
      ];
      if (cdFirmware.length > 0)
        drafts.push({
          label: `${label} (whole ISO as a virtual CD, sanboot)`,
          kind: 'sanboot',
          initrd: [],
          cmdline: '',
          isDefault: false,
          origin: 'generic',
          firmware: cdFirmware,
        });
      if (et.biosNoEmulation && info.size <= MEMDISK_MAX_BYTES) {
        drafts.push({
          label: `${label} (whole ISO in RAM, memdisk)`,
          kind: 'memdisk',
          initrd: [],
          cmdline: 'iso raw',
          isDefault: false,
          origin: 'generic',
          firmware: ['bios'],
          minRamMiB: Math.ceil(info.size / 1048576) + 64,
        });
      }
    }
    // The ISO's own kernels, as its menu boots them: self-contained ones (iPXE, rescue kernels whose
    // initrd holds everything) work; ones that look for the CD will not.
    for (const e of imported.entries) {
      if (MEMTEST.pattern.test(e.kernel)) continue;
      drafts.push({
        label: `${e.title} (its kernel, as its menu boots it)`,
        kind: 'linux',
        kernel: e.kernel,
        initrd: e.initrd,
        cmdline: e.args.join(' '),
        isDefault: false,
        origin: 'generic',
        firmware: ['bios', 'uefi'],
      });
    }
    if (drafts.some((d) => d.origin === 'generic')) warnings.push(GENERIC_BOOT_WARNING);
    else if (kind === 'iso')
      warnings.push('no El Torito boot record and no known OS: this image is not bootable, nothing to offer');
    else if (drafts.length === 0)
      warnings.push('no known OS in this folder: serve the .iso file instead so Bootdrop can boot it as a virtual CD');
  }

  // Entries that differ only in CD-only arguments become identical once edited: keep the first.
  for (let i = drafts.length - 1; i > 0; i--) {
    const d = drafts[i]!;
    // Same files, or same title (Fedora ships one kernel twice: isolinux/ and images/pxeboot/), same args.
    const same = drafts.findIndex(
      (o) =>
        o.kind === d.kind &&
        o.cmdline === d.cmdline &&
        ((o.kernel === d.kernel && o.initrd.join() === d.initrd.join()) || o.label === d.label),
    );
    const first = drafts[same];
    if (same < i && first) {
      first.isDefault ||= d.isDefault;
      drafts.splice(i, 1);
    }
  }
  if (!drafts.some((d) => d.isDefault)) {
    // Known families: their first Linux entry (not memtest); unknown ones: the virtual CD first.
    const first =
      (family === 'generic'
        ? undefined
        : drafts.find((d) => d.enabled !== false && d.kind === 'linux' && !MEMTEST.pattern.test(d.kernel ?? ''))) ??
      drafts.find((d) => d.enabled !== false);
    if (first) first.isDefault = true;
  }
  const seenIds = new Set<string>();
  const entries: BootEntry[] = drafts.map((d) => {
    let s = slug(d.label);
    for (let n = 2; seenIds.has(s); n++) s = `${slug(d.label)}-${n}`;
    seenIds.add(s);
    const e: BootEntry = {
      id: `${id}:${s}`,
      sourceId: id,
      label: d.label,
      kind: d.kind,
      initrd: d.initrd,
      cmdline: d.cmdline,
      enabled: d.enabled ?? true,
      isDefault: d.isDefault,
      origin: d.origin,
      firmware: d.firmware,
    };
    if (d.kernel !== undefined) e.kernel = d.kernel;
    if (d.minRamMiB !== undefined) e.minRamMiB = d.minRamMiB;
    return e;
  });
  if (skipped.length > 0) {
    const entries = `${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'}`;
    warnings.push(`left out ${entries} of the ISO's own menu: ${skipped.join('; ')}`);
  }
  warnings.push(...imported.warnings, ...probe.warnings);

  const classicPxelinux = kind === 'iso' || kind === 'folder' ? await detectClassicPxelinux(probe) : null;
  return {
    summary: {
      id,
      path: opts.hostPath,
      kind,
      label,
      size: info.size,
      family,
      osName,
      fileSystems: info.fileSystems,
      entries,
      warnings,
      ownPxeMenu: classicPxelinux !== null,
    },
    treePath: tree,
    rawIsoPath: kind === 'iso' ? rawIsoPath(id) : null,
    classicPxelinux,
    menuFiles: imported.files,
    skipped,
    ...(extraFiles.length > 0 ? { extraFiles } : {}),
  };
}
