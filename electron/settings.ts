/**
 * The desktop app's remembered choices (ISOs, interface, mode, menu edits — including which menu BIOS
 * PCs get, MenuSettings.biosMenu; files written before it existed load as Bootdrop's menu), in
 * `<userData>/settings.json`. Validated on load with the same rules as IPC payloads; a broken file is
 * set aside as `settings.broken-<timestamp>.json` (kept for the user, reported, never fatal) and the
 * app starts from defaults. Writes are atomic (temp file + rename) so a crash never leaves half a file.
 */
import { readFile, rename, writeFile, mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { MenuSettings, ServeMode } from '../main/contract';
import { InvalidRequestError, LIMITS, isAbsoluteHostPath, validateMenu, validateMode } from '../main/contract/validate';
import { errorMessage } from '../main/errors';

export const SETTINGS_VERSION = 1;
const MAX_SOURCES = 64;

export interface ShellSettings {
  version: typeof SETTINGS_VERSION;
  /** Host paths of the ISOs/folders being served, in the order they were added. */
  sources: string[];
  interfaceName: string | null;
  mode: ServeMode;
  /** null until the user edits the menu: the engine's defaults apply. */
  menu: MenuSettings | null;
}

export const DEFAULT_SETTINGS: ShellSettings = {
  version: SETTINGS_VERSION,
  sources: [],
  interfaceName: null,
  mode: 'auto',
  menu: null,
};

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Pure: parsed JSON → settings, or a SettingsError saying which field is wrong. */
export function validateSettings(raw: unknown): ShellSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SettingsError('expected a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.version !== SETTINGS_VERSION)
    throw new SettingsError(`unsupported version ${JSON.stringify(o.version)} (expected ${SETTINGS_VERSION})`);
  const known = ['version', 'sources', 'interfaceName', 'mode', 'menu'];
  for (const key of Object.keys(o)) if (!known.includes(key)) throw new SettingsError(`unexpected field "${key}"`);
  if (!Array.isArray(o.sources) || o.sources.length > MAX_SOURCES)
    throw new SettingsError(`sources: expected a list of at most ${MAX_SOURCES} paths`);
  const sources = o.sources.map((p, i) => {
    if (typeof p !== 'string' || p.length === 0 || p.length > LIMITS.pathChars || !isAbsoluteHostPath(p)) {
      throw new SettingsError(`sources[${i}]: expected an absolute path, got ${JSON.stringify(p)}`);
    }
    return p;
  });
  const name = o.interfaceName;
  if (name !== null && (typeof name !== 'string' || name.length === 0 || name.length > LIMITS.interfaceChars)) {
    throw new SettingsError(`interfaceName: expected an interface name or null, got ${JSON.stringify(name)}`);
  }
  try {
    const mode = validateMode(o.mode, 'mode');
    const menu = o.menu === null ? null : validateMenu(o.menu, 'menu');
    return { version: SETTINGS_VERSION, sources: [...new Set(sources)], interfaceName: name, mode, menu };
  } catch (err) {
    if (err instanceof InvalidRequestError) throw new SettingsError(err.message);
    throw err;
  }
}

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
