/**
 * layoutServedTree: put everything the clients fetch into the served tree (TFTP and HTTP share it):
 *   /loaders/...        the bundled iPXE/memdisk loaders (a folder, `loadersDir`)
 *   /iso/<id>/...       each source's files
 *   /iso/<id>.iso       each ISO as one file (casper url=, dracut root=live:, sanboot, memdisk)
 *   /boot.ipxe          the generated menu, rendered on every read (always the current menu); it first
 *                       chains to /boot.ipxe?pc=1&... with the PC's facts, answered by menuFor (not a file)
 *   /grub/grub.cfg ...  the same menu for GRUB (Secure Boot chain), at each path GRUB builds read
 *   /                   classic mode only: the ISO itself, plus a synthesized pxelinux.cfg/default
 */
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { MenuSettings, PcInfo } from '../contract';
import { FolderSource, type MountedTree, type Vfs } from '../vfs';
import type { ClassicPxelinux } from './classic';
import { HostFileSource } from './host-file';
import {
  GRUB_CONFIG_PATHS,
  needsIpxe,
  refusedNotePath,
  refusedNoteText,
  renderGrubConfig,
  restartIntoIpxePath,
  restartIntoIpxeText,
} from './grub-menu';
import { renderIpxeScript } from './ipxe-script';
import { loadersMissingMessage, noOwnPxelinuxMessage, twoClassicSourcesMessage } from './messages';
import { BOOT_SCRIPT_PATH, LOADERS_PATH, type ServerAddress } from './paths';
import type { SourcePlan } from './plan';

export interface ServedSource {
  id: string;
  vfs: Vfs;
  plan: SourcePlan;
  hostPath: string;
  /** Serve this source the classic way (its own PXELINUX at the tree root). At most one source. */
  classicPxelinux?: boolean;
}

export interface LayoutOptions {
  loadersDir: string;
  server: ServerAddress;
  /** Current menu settings; read each time a client fetches /boot.ipxe. */
  menu: () => MenuSettings;
}

export interface ServedLayout {
  bootScriptPath: string;
  /** Set when a source is served the classic way: give PxePolicy `classicPxelinuxLoader: classic.loader`
   *  and run HTTP on port `classic.httpPort`. */
  classic: ClassicPxelinux | null;
  /**
   * The menu for one PC, from the facts its iPXE sent with the menu request (pc-facts.ts). `pick`: the
   * entry this PC restarted into iPXE for (grub-menu.ts restartIntoIpxe), its default with a short timeout.
   */
  menuFor(pc: PcInfo, pick?: string | null): Buffer;
  /** Take everything back out of the tree. */
  remove(): void;
}

/** The menu's timeout for a PC that restarted into iPXE for an entry it already chose in GRUB. */
const RESTARTED_TIMEOUT_SEC = 3;

/** Loaders every client type needs; a missing one is a broken install, reported up front. */
export const REQUIRED_LOADERS = [
  'undionly.kpxe',
  'ipxe.efi',
  'snponly.efi',
  'memdisk',
  // the Secure Boot chain (secure-boot/policy.ts); the arm64 pair is optional
  'shimx64.efi',
  'grubx64.efi',
] as const;

/**
 * assets/loaders of a source checkout (dev runs, tests, the CLI); packaged apps pass resourcesPath. The
 * .deb's `bootdrop` CLI runs from inside app.asar, where the loaders are not: its launcher
 * (build/linux/bootdrop-cli.sh) names them in BOOTDROP_LOADERS_DIR.
 */
export function defaultLoadersDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BOOTDROP_LOADERS_DIR) return nodePath.resolve(env.BOOTDROP_LOADERS_DIR);
  const candidates = [
    nodePath.resolve(__dirname, '..', '..', 'assets', 'loaders'),
    nodePath.resolve(__dirname, '..', '..', '..', 'assets', 'loaders'),
  ];
  return candidates.find((c) => existsSync(nodePath.join(c, 'undionly.kpxe'))) ?? candidates[0]!;
}

export async function layoutServedTree(
  tree: MountedTree,
  sources: readonly ServedSource[],
  opts: LayoutOptions,
): Promise<ServedLayout> {
  const missing = REQUIRED_LOADERS.filter((f) => !existsSync(nodePath.join(opts.loadersDir, f)));
  if (missing.length > 0) {
    throw new Error(loadersMissingMessage(opts.loadersDir, missing));
  }
  const classicSources = sources.filter((s) => s.classicPxelinux);
  if (classicSources.length > 1) throw new Error(twoClassicSourcesMessage(classicSources.map((s) => s.id)));
  const classicSource = classicSources[0];
  if (classicSource && !classicSource.plan.classicPxelinux) throw new Error(noOwnPxelinuxMessage(classicSource.id));

  const mounted: string[] = [];
  const files: string[] = [];
  const loaders = await FolderSource.open(opts.loadersDir);
  tree.mount(LOADERS_PATH, loaders);
  mounted.push(LOADERS_PATH);
  for (const s of sources) {
    tree.mount(s.plan.treePath, s.vfs);
    mounted.push(s.plan.treePath);
    // Files the plan read out of the image (BOOTX64.EFI inside an El Torito FAT image): generated files
    // shadow the mount, so they sit at their planned path inside the source's tree.
    for (const f of s.plan.extraFiles ?? []) {
      tree.setFile(`${s.plan.treePath}${f.path}`, f.data);
      files.push(`${s.plan.treePath}${f.path}`);
    }
    if (s.plan.rawIsoPath) {
      tree.mount(s.plan.rawIsoPath, new HostFileSource(s.hostPath, nodePath.basename(s.hostPath)));
      mounted.push(s.plan.rawIsoPath);
    }
  }
  const plans = sources.map((s) => s.plan);
  tree.setFile(BOOT_SCRIPT_PATH, () => Buffer.from(renderIpxeScript(plans, opts.menu(), opts.server, 'ask')));
  files.push(BOOT_SCRIPT_PATH);
  // The same menu for the Secure Boot chain's GRUB, at every path GRUB builds ask for (grub-menu.ts).
  const grubCfg = () => Buffer.from(renderGrubConfig(plans, opts.menu(), opts.server));
  for (const p of GRUB_CONFIG_PATHS) {
    tree.setFile(p, grubCfg);
    files.push(p);
  }
  for (const e of plans.flatMap((p) => p.summary.entries)) {
    if (needsIpxe(e)) {
      tree.setFile(restartIntoIpxePath(e.id), Buffer.from(restartIntoIpxeText(e)));
      files.push(restartIntoIpxePath(e.id));
    }
    if (!e.secureBoot || e.secureBoot.bootable) continue;
    tree.setFile(refusedNotePath(e.id), Buffer.from(refusedNoteText(e)));
    files.push(refusedNotePath(e.id));
  }

  const classic = classicSource?.plan.classicPxelinux ?? null;
  if (classicSource && classic) {
    tree.mount('/', classicSource.vfs);
    mounted.push('/');
    if (classic.defaultFile && classic.defaultText) {
      tree.setFile(classic.defaultFile, Buffer.from(classic.defaultText));
      files.push(classic.defaultFile);
    }
  }
  return {
    bootScriptPath: BOOT_SCRIPT_PATH,
    classic,
    menuFor: (pc, pick) => {
      const menu = opts.menu();
      const chosen = pick ? { ...menu, defaultEntryId: pick, timeoutSec: RESTARTED_TIMEOUT_SEC } : menu;
      return Buffer.from(renderIpxeScript(plans, chosen, opts.server, pc));
    },
    remove() {
      for (const m of mounted) tree.unmount(m);
      for (const f of files) tree.removeFile(f);
      void loaders.close();
    },
  };
}
