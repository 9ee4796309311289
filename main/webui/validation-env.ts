/**
 * The ValidationEnv for a Node host (the web bridge and the Electron main process): paths are checked
 * on disk, interface names against the engine's own list, sources against the publish policy
 * (main/session/publish-policy.ts).
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import type { BootdropApi } from '../contract';
import type { ValidationEnv } from '../contract/validate';
import { publishRefusal } from '../session';

export function nodeValidationEnv(api: Pick<BootdropApi, 'refreshInterfaces'>): ValidationEnv {
  return {
    async statPath(path) {
      try {
        const st = await stat(path);
        return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      } catch {
        return null;
      }
    },
    async interfaceNames() {
      return (await api.refreshInterfaces()).map((i) => i.name);
    },
    async publishRefusal(path) {
      // Judged by where it really is: a link to /etc is /etc.
      let real: string;
      try {
        real = await realpath(path);
      } catch {
        return null; // gone since statPath: opening it will say so
      }
      const st = await stat(real);
      if (!st.isDirectory()) return publishRefusal(real, 'file', [], path);
      const names = await readdir(real).catch(() => []);
      return publishRefusal(real, 'dir', names, path);
    },
  };
}
