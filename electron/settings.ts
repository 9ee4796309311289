/**
 * The desktop app's remembered choices (ISOs, interface, mode, menu edits — including which menu BIOS
 * PCs get, MenuSettings.biosMenu; files written before it existed load as Bootdrop's menu), in
 * `<userData>/settings.json`. Validated on load with the same rules as IPC payloads; a broken file is
 * set aside as `settings.broken-<timestamp>.json` (kept for the user, reported, never fatal) and the
 * app starts from defaults. Writes are atomic (temp file + rename) so a crash never leaves half a file.
 * The same file serves headless: `bootdrop serve --config <userData>/settings.json`.
 */
import { readFile, rename, writeFile, mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, SettingsError, validateSettings, type BootdropSettings } from '../main/config';
import { errorMessage } from '../main/errors';

// The shape and its validation live in main/config: `bootdrop serve --config` reads the same file.
export { DEFAULT_SETTINGS, SettingsError, validateSettings };
export type ShellSettings = BootdropSettings;

export interface LoadedSettings {
  settings: ShellSettings;
  /** Set when the file was unreadable or invalid and has been set aside: tell the user. */
  problem: string | null;
}

export class SettingsStore {
  readonly file: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = join(dir, 'settings.json');
  }

  async load(): Promise<LoadedSettings> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { settings: structuredClone(DEFAULT_SETTINGS), problem: null };
      return {
        settings: structuredClone(DEFAULT_SETTINGS),
        problem: `Could not read ${this.file}: ${errorMessage(err)}. Starting with default settings.`,
      };
    }
    try {
      return { settings: validateSettings(JSON.parse(text)), problem: null };
    } catch (err) {
      const why = err instanceof SyntaxError ? `not valid JSON (${err.message})` : errorMessage(err);
      const aside = await this.setAside();
      return {
        settings: structuredClone(DEFAULT_SETTINGS),
        problem: `Settings file ${this.file} is broken: ${why}. It was moved to ${aside} and Bootdrop started with default settings.`,
      };
    }
  }

  /** Atomic write; calls are serialized so the last save wins. */
  save(settings: ShellSettings): Promise<void> {
    let body: string;
    try {
      body = JSON.stringify(validateSettings(settings), null, 2) + '\n';
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const next = this.writing.then(async () => {
      await mkdir(this.dir, { recursive: true });
      const tmp = `${this.file}.tmp-${process.pid}`;
      try {
        await writeFile(tmp, body, { mode: 0o600 });
        await rename(tmp, this.file);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async setAside(): Promise<string> {
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    const aside = join(this.dir, `settings.broken-${stamp}.json`);
    await rename(this.file, aside);
    return aside;
  }
}
