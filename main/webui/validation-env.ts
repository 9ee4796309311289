/**
 * The ValidationEnv for a Node host (the web bridge and the Electron main process): paths are checked
 * on disk, interface names against the engine's own list.
 */
import { stat } from 'node:fs/promises';
import type { BootdropApi } from '../contract';
import type { ValidationEnv } from '../contract/validate';

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
  };
}
