/**
 * The server-side file picker for the browser UI (a web page has no host paths): directories, ISO
 * files and mounted volumes. Hidden entries and unreadable folders are left out, never an error.
 * System folders (publish-policy.ts) are neither listed nor opened: under `sudo bootdrop serve --ui`
 * the picker runs as root, and the token holder has no business reading /etc or /root.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowseEntry, BrowseResult } from '../contract';
import { errorMessage } from '../errors';
import { listVolumes } from '../volumes';
import { systemFolderOf } from './publish-policy';

/** Where the picker starts: the home folder, or under sudo (HOME=/root) the invoking user's, else /. */
async function startFolder(): Promise<string> {
  const home = os.homedir();
  if (!systemFolderOf(home)) return home;
  const user = process.env.SUDO_USER;
  if (user && /^[A-Za-z0-9._-]+$/.test(user)) {
    const st = await fsp.stat(`/home/${user}`).catch(() => null);
    if (st?.isDirectory()) return `/home/${user}`;
  }
  return '/';
}

/** Drives and volumes worth offering (USB sticks, other disks), listed off the event loop; none on failure. */
async function mountedVolumes(): Promise<BrowseEntry[]> {
  const { volumes } = await listVolumes();
  // The publish policy: system folders are neither listed nor opened.
  return volumes.filter((v) => !systemFolderOf(v.path)).map((v) => ({ name: v.name, path: v.path, kind: 'volume' }));
}

export async function browse(requested?: string): Promise<BrowseResult> {
  const dir = path.resolve(requested && requested.trim() ? requested : await startFolder());
  const real = await fsp.realpath(dir).catch(() => dir);
  const system = systemFolderOf(real);
  if (system)
    throw new Error(
      `cannot browse ${dir}: ${system} is a system folder, and Bootdrop does not show or publish system folders`,
    );
  let names: import('node:fs').Dirent[];
  try {
    names = await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'ENOTDIR'
          ? 'is not a folder'
          : code === 'EACCES'
            ? 'is not readable'
            : errorMessage(err);
    throw new Error(`cannot browse ${dir}: it ${why}`);
  }
  const entries: BrowseEntry[] = [];
  for (const d of names) {
    if (d.name.startsWith('.')) continue;
    const full = path.join(dir, d.name);
    if (systemFolderOf(full)) continue; // /etc, /usr … at the root: not offered
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    let size: number | undefined;
    if (d.isSymbolicLink() || isFile) {
      try {
        const st = await fsp.stat(full);
        isDir = st.isDirectory();
        isFile = st.isFile();
        size = st.size;
      } catch {
        continue; // dangling link
      }
    }
    if (isDir) entries.push({ name: d.name, path: full, kind: 'dir' });
    else if (isFile && /\.iso$/i.test(d.name))
      entries.push({ name: d.name, path: full, kind: 'iso', ...(size !== undefined ? { size } : {}) });
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
  const parent = path.dirname(dir) === dir ? null : path.dirname(dir);
  // Volumes are offered at the top of the home folder and the root, where a user starts looking.
  const volumes = dir === (await startFolder()) || parent === null ? await mountedVolumes() : [];
  return { path: dir, parent, entries: [...volumes, ...entries] };
}
