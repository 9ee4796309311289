/**
 * ISOLINUX/SYSLINUX/PXELINUX configuration files: a pure line parser (text → statements) and an
 * evaluator that follows INCLUDE / MENU INCLUDE / CONFIG through a loader callback and collects the
 * boot entries the CD menu shows. The evaluator never touches the file system itself; the caller bounds
 * what the loader may read.
 */
import { splitCmdline, takeInitrdArgs } from './cmdline';

export interface SyslinuxStmt {
  /** Upper-cased keyword; two-word menu keywords are joined: 'MENU LABEL', 'MENU INCLUDE'. */
  keyword: string;
  arg: string;
  line: number;
}

/** Keywords that take a second word (`MENU LABEL`, `TEXT HELP`). */
const TWO_WORD = new Set(['MENU', 'TEXT']);

export function parseSyslinuxConfig(text: string): SyslinuxStmt[] {
  const out: SyslinuxStmt[] = [];
  const lines = text.split(/\r?\n/);
  let inText = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (inText) {
      if (/^endtext\b/i.test(raw)) inText = false;
      continue;
    }
    if (raw === '' || raw.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(raw)!;
    let keyword = m[1]!.toUpperCase();
    let arg = m[2]!;
    if (TWO_WORD.has(keyword)) {
      const m2 = /^(\S+)\s*(.*)$/.exec(arg);
      if (m2) {
        keyword = `${keyword} ${m2[1]!.toUpperCase()}`;
        arg = m2[2]!;
      }
    }
    if (keyword === 'TEXT HELP') {
      inText = true;
      continue;
    }
    out.push({ keyword, arg: arg.trim(), line: i + 1 });
  }
  return out;
}

type SyslinuxEntryKind = 'linux' | 'com32' | 'pxe' | 'localboot';

export interface SyslinuxEntry {
  /** LABEL name. */
  name: string;
  /** MENU LABEL (hotkey markers removed), else the LABEL name. */
  title: string;
  kind: SyslinuxEntryKind;
  /** Kernel exactly as written. */
  kernel: string;
  /** INITRD plus `initrd=` from APPEND, as written. */
  initrd: string[];
  /** APPEND without `initrd=`. */
  args: string[];
  isDefault: boolean;
  hidden: boolean;
  /** Syslinux's working directory and the directory of the file that defined the entry. */
  workDir: string;
  configDir: string;
  configFile: string;
}

export interface SyslinuxMenu {
  entries: SyslinuxEntry[];
  files: string[];
  warnings: string[];
}

export interface SyslinuxLoadOptions {
  /** Maximum INCLUDE/CONFIG nesting (syslinux itself allows 16). */
  maxDepth?: number;
  /** Maximum distinct files read. */
  maxFiles?: number;
  /** Syslinux's working directory; default: the root config's directory (ISOLINUX sits next to it). */
  workDir?: string;
  /** Submenu configs (`LABEL x` + `CONFIG file`) not to follow, e.g. archiso's PXE-only menus. */
  skipConfig?: (path: string) => boolean;
}

/** Reads a config file by absolute path; null when it does not exist. */
export type ConfigLoader = (path: string) => Promise<string | null>;

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Resolve a path as syslinux does: `::/x` and `::x` are absolute on the TFTP server/volume, `/x` is
 * absolute, anything else is relative to the working directory.
 */
export function resolveSyslinuxPath(p: string, dir: string): string {
  let path = p.replace(/\\/g, '/');
  if (path.startsWith('::')) path = '/' + path.slice(2).replace(/^\/+/, '');
  if (!path.startsWith('/')) path = (dir === '/' ? '' : dir) + '/' + path;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

function kindOfKernel(kernel: string, keyword: string): SyslinuxEntryKind {
  if (keyword === 'LINUX') return 'linux';
  const lower = kernel.toLowerCase();
  if (/\.(c32|e32|e64)$/.test(lower)) return 'com32';
  if (/\.0$/.test(lower)) return 'pxe';
  return 'linux';
}

/** Strip syslinux hotkey carets and surrounding quotes from a MENU LABEL. */
function cleanTitle(s: string): string {
  return s
    .replace(/\^/g, '')
    .replace(/^"(.*)"$/, '$1')
    .trim();
}

const KERNEL_KEYWORDS = new Set(['KERNEL', 'LINUX', 'BOOT', 'BSS', 'PXE', 'FDIMAGE', 'COMBOOT', 'COM32']);

/**
 * Directories to try for a relative path: the working directory first, then the including file's
 * folder and its parents (archiso < 2021 wrote `boot/x86_64/vmlinuz` relative to /arch/, which ISOLINUX
 * only knew through an `APPEND /arch/` in another file).
 */
export function candidateDirs(workDir: string, configDir: string): string[] {
  const out = [workDir];
  for (let d = configDir; ; d = dirOf(d)) {
    if (!out.includes(d)) out.push(d);
    if (d === '/') break;
  }
  return out;
}

/** Collect the boot entries of a syslinux menu starting at `rootFile`, following includes. */
export async function readSyslinuxMenu(
  rootFile: string,
  load: ConfigLoader,
  opts: SyslinuxLoadOptions = {},
): Promise<SyslinuxMenu> {
  const maxDepth = opts.maxDepth ?? 8;
  const maxFiles = opts.maxFiles ?? 32;
  const menu: SyslinuxMenu = { entries: [], files: [], warnings: [] };
  let defaultName: string | null = null;
  let menuDefault: SyslinuxEntry | null = null;
  const seen = new Set<string>();

  /** Load the first candidate that exists; returns its path and text. */
  const loadFirst = async (paths: string[]): Promise<{ path: string; text: string } | null> => {
    for (const p of paths) {
      if (seen.has(p.toLowerCase())) return null; // include loops
      const text = await load(p);
      if (text !== null) return { path: p, text };
    }
    return null;
  };

  const walk = async (candidates: string[], workDir: string | null, depth: number): Promise<void> => {
    const shown = candidates[0]!;
    if (depth > maxDepth) {
      menu.warnings.push(`${shown}: includes nested deeper than ${maxDepth}, not followed`);
      return;
    }
    if (seen.size >= maxFiles) {
      menu.warnings.push(`${shown}: more than ${maxFiles} menu files, not read`);
      return;
    }
    const hit = await loadFirst(candidates);
    if (!hit) return;
    const file = hit.path;
    seen.add(file.toLowerCase());
    menu.files.push(file);
    const configDir = dirOf(file);
    const work = workDir ?? configDir;
    const rel = (arg: string) => candidateDirs(work, configDir).map((d) => resolveSyslinuxPath(arg, d));
    let cur: SyslinuxEntry | null = null;
    /** A `LABEL x` + `CONFIG file` submenu link, followed when the label ends (its APPEND may name the dir). */
    let submenu: { cfg: string; dir: string | null } | null = null;
    const finish = async () => {
      const link = submenu;
      submenu = null;
      if (link) {
        const targets = rel(link.cfg);
        if (!opts.skipConfig?.(targets[0]!))
          await walk(targets, link.dir ? resolveSyslinuxPath(link.dir, work) : null, depth + 1);
      } else if (cur) menu.entries.push(cur);
      cur = null;
    };
    for (const st of parseSyslinuxConfig(hit.text)) {
      const k = st.keyword;
      if (k === 'LABEL') {
        await finish();
        cur = {
          name: st.arg,
          title: st.arg,
          kind: 'linux',
          kernel: '',
          initrd: [],
          args: [],
          isDefault: false,
          hidden: false,
          workDir: work,
          configDir,
          configFile: file,
        };
      } else if (k === 'INCLUDE' || k === 'MENU INCLUDE') {
        await finish();
        await walk(rel(st.arg.split(/\s+/)[0]!), work, depth + 1);
      } else if (k === 'CONFIG') {
        // `CONFIG file [dir]`: inside a LABEL a submenu link; at top level it replaces this menu.
        const [cfg, dir] = st.arg.split(/\s+/);
        if (!cfg) continue;
        if (cur) {
          submenu = { cfg, dir: dir ?? null };
          continue;
        }
        await walk(rel(cfg), dir ? resolveSyslinuxPath(dir, work) : null, depth + 1);
        return;
      } else if (k === 'DEFAULT') {
        if (!/\.(c32|e32|e64)$/i.test(st.arg)) defaultName = st.arg.split(/\s+/)[0] ?? null;
      } else if (k === 'ONTIMEOUT') {
        defaultName ??= st.arg.split(/\s+/)[0] ?? null;
      } else if (!cur) {
        continue;
      } else if (submenu) {
        // legacy form: `LABEL x / CONFIG file / APPEND /workdir/`
        if (k === 'APPEND' && st.arg.startsWith('/')) (submenu as { dir: string | null }).dir = st.arg.split(/\s+/)[0]!;
      } else if (k === 'MENU LABEL') {
        cur.title = cleanTitle(st.arg);
      } else if (k === 'MENU DEFAULT') {
        menuDefault = cur;
      } else if (k === 'MENU HIDE') {
        cur.hidden = true;
      } else if (KERNEL_KEYWORDS.has(k)) {
        cur.kernel = st.arg.split(/\s+/)[0] ?? '';
        cur.kind = kindOfKernel(cur.kernel, k);
        const extra = st.arg.split(/\s+/).slice(1); // KERNEL may carry arguments too
        if (extra.length > 0 && extra[0] !== '') cur.args.push(...extra);
      } else if (k === 'INITRD') {
        cur.initrd.push(
          ...st.arg
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        );
      } else if (k === 'APPEND') {
        if (st.arg === '-') continue;
        const { initrd, rest } = takeInitrdArgs(splitCmdline(st.arg));
        cur.initrd.push(...initrd);
        cur.args.push(...rest);
      } else if (k === 'LOCALBOOT') {
        cur.kind = 'localboot';
      }
    }
    await finish();
  };

  await walk([rootFile], opts.workDir ?? null, 0);
  const chosen: SyslinuxEntry | null =
    menuDefault ??
    (defaultName === null
      ? null
      : (menu.entries.find((e) => e.name.toLowerCase() === defaultName!.toLowerCase()) ?? null));
  if (chosen) chosen.isDefault = true;
  return menu;
}
