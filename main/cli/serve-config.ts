/**
 * `bootdrop serve --config <file>`: the settings file (the desktop app's format) with the command
 * line's options on top, applied to a Session at start and again on every SIGHUP. A reload changes only
 * what differs: ISOs are added or removed (transfers from the others keep going), a menu edit is
 * re-laid out in place, and only an interface or mode change restarts the servers. A file that cannot
 * be read, parsed or served leaves the running configuration untouched.
 */
import * as path from 'node:path';
import { DEFAULT_MENU } from '../boot';
import { readSettingsFile, type BootdropSettings } from '../config';
import type { BiosMenu, MenuSettings, ServeMode, SourceSummary } from '../contract';
import { errorMessage } from '../errors';
import { interfaceNullNotice, relayPoolsChangedNotice } from './messages';
import type { Session } from '../session';

/** Options given on the command line; each one that is set wins over the file. */
export interface CommandLineOverrides {
  /** ISOs given as arguments: served as well as the file's. */
  paths: string[];
  interfaceName: string | null;
  mode: ServeMode | null;
  append: string | null;
  timeoutSec: number | null;
  /** --default: an entry id or an ISO, resolved once the sources are open. */
  defaultEntry: string | null;
  classic: boolean;
}

export interface DesiredConfig {
  sources: string[];
  interfaceName: string | null;
  mode: ServeMode;
  menu: MenuSettings & { biosMenu: BiosMenu };
  /** The file's relayPools (`--pool` on the command line replaces them). */
  relayPools: string[];
}

/** Pure: what to serve, from the file and the command line. */
export function desiredConfig(file: BootdropSettings, cli: CommandLineOverrides): DesiredConfig {
  const base = file.menu ?? DEFAULT_MENU;
  const menu = {
    ...base,
    overrides: { ...base.overrides },
    biosMenu: cli.classic ? 'iso' : (base.biosMenu ?? 'bootdrop'),
    ...(cli.append !== null ? { append: cli.append } : {}),
    ...(cli.timeoutSec !== null ? { timeoutSec: cli.timeoutSec } : {}),
  } satisfies MenuSettings & { biosMenu: BiosMenu };
  return {
    sources: [...new Set([...file.sources, ...cli.paths].map((p) => path.resolve(p)))],
    interfaceName: cli.interfaceName ?? file.interfaceName,
    mode: cli.mode ?? file.mode,
    menu,
    relayPools: file.relayPools ?? [],
  };
}

const quote = (s: string) => JSON.stringify(s);

/** Pure: a menu change in words, e.g. ['timeout 5 → 3 s', 'default entry none → arch:linux']. */
export function describeMenuChange(before: MenuSettings, after: MenuSettings): string[] {
  const out: string[] = [];
  if (before.timeoutSec !== after.timeoutSec) out.push(`timeout ${before.timeoutSec} → ${after.timeoutSec} s`);
  if (before.defaultEntryId !== after.defaultEntryId)
    out.push(`default entry ${before.defaultEntryId ?? 'none'} → ${after.defaultEntryId ?? 'none'}`);
  if (before.append !== after.append) out.push(`kernel arguments ${quote(before.append)} → ${quote(after.append)}`);
  if ((before.biosMenu ?? 'bootdrop') !== (after.biosMenu ?? 'bootdrop'))
    out.push(`BIOS menu ${before.biosMenu ?? 'bootdrop'} → ${after.biosMenu ?? 'bootdrop'}`);
  const ids = new Set([...Object.keys(before.overrides), ...Object.keys(after.overrides)]);
  const edited = [...ids].filter((id) => JSON.stringify(before.overrides[id]) !== JSON.stringify(after.overrides[id]));
  if (edited.length > 0) out.push(`entry edits changed for ${edited.join(', ')}`);
  return out;
}

const named = (s: SourceSummary) => `${s.osName} (${path.basename(s.path)})`;

/** What a reload did, one phrase per change, for the log line. */
export interface ReloadReport {
  ok: boolean;
  changes: string[];
}

export class ConfiguredServe {
  private applied: DesiredConfig | null = null;

  constructor(
    private readonly session: Session,
    readonly file: string,
    private readonly cli: CommandLineOverrides,
    /** --default (an id or an ISO) → an entry id; throws when there is no such entry. */
    private readonly resolveDefault: (wanted: string) => string,
  ) {}

  /** The config the session was created with (mode, interface, menu basics), read before it exists. */
  static async read(file: string, cli: CommandLineOverrides): Promise<DesiredConfig> {
    return desiredConfig(await readSettingsFile(file), cli);
  }

  private say(level: 'info' | 'warn' | 'error', message: string): void {
    this.session.log(level, 'config', message);
  }

  /**
   * The first load, into a session created from `desired`: ISOs that cannot be opened are reported and
   * skipped (the rest is served; a later reload adds them once they are there).
   */
  async start(desired: DesiredConfig): Promise<void> {
    for (const p of desired.sources) {
      try {
        await this.session.setSources({ paths: [...this.servedPaths(), p] });
      } catch (err) {
        const e = err as { remedy?: string };
        this.say(
          'error',
          `${this.file}: ${errorMessage(err)} — serving the other ISOs${e.remedy ? `; ${e.remedy}` : ''}`,
        );
      }
    }
    await this.applyMenu(desired);
    this.applied = desired;
  }

  private servedPaths(): string[] {
    return this.session.effectiveSources().map((s) => s.path);
  }

  private async applyMenu(desired: DesiredConfig): Promise<void> {
    let menu: MenuSettings = desired.menu;
    if (this.cli.defaultEntry !== null) {
      try {
        menu = { ...menu, defaultEntryId: this.resolveDefault(this.cli.defaultEntry) };
      } catch (err) {
        this.say('warn', `${errorMessage(err)}; the file's default entry applies`);
      }
    }
    await this.session.setMenu({ menu });
  }

  /** Re-read the file and apply what changed. Never throws: problems are logged and the old config stays. */
  async reload(): Promise<ReloadReport> {
    const before = this.applied;
    let next: DesiredConfig;
    try {
      next = await ConfiguredServe.read(this.file, this.cli);
    } catch (err) {
      const remedy = (err as { remedy?: string }).remedy;
      this.say(
        'error',
        `reload failed: ${errorMessage(err)} — still serving the previous configuration` +
          (remedy ? `; what to do: ${remedy}, then reload again` : ''),
      );
      return { ok: false, changes: [] };
    }
    const changes: string[] = [];
    let sourcesChanged = false;
    try {
      const { added, removed } = await this.session.setSources({ paths: next.sources });
      for (const s of added) changes.push(`added ${named(s)}`);
      for (const s of removed) changes.push(`removed ${named(s)}`);
      sourcesChanged = added.length + removed.length > 0;
    } catch (err) {
      const remedy = (err as { remedy?: string }).remedy;
      this.say(
        'error',
        `reload failed: ${this.file}: ${errorMessage(err)} — still serving the previous configuration` +
          (remedy ? `; what to do: ${remedy}, then reload again` : ''),
      );
      return { ok: false, changes: [] };
    }
    changes.push(...(await this.applyNetwork(before, next)));
    const menuChanges = before ? describeMenuChange(before.menu, next.menu) : ['menu set'];
    if (menuChanges.length > 0 || sourcesChanged) await this.applyMenu(next);
    if (menuChanges.length > 0) changes.push(`menu: ${menuChanges.join(', ')}`);
    this.applied = next;
    const state = (await this.session.snapshot()).state;
    if (!state.serving && !state.starting && this.session.effectiveSources().length > 0) {
      const started = await this.session.start();
      changes.push(started.serving ? 'started serving' : 'could not start serving (see the error above)');
    }
    this.say('info', `reloaded ${this.file}: ${changes.length > 0 ? changes.join('; ') : 'nothing changed'}`);
    return { ok: true, changes };
  }

  /** Interface and mode: the only changes that restart the servers (in-flight transfers are cut). */
  private async applyNetwork(before: DesiredConfig | null, next: DesiredConfig): Promise<string[]> {
    const out: string[] = [];
    const modeChanged = before?.mode !== next.mode;
    let ifaceChanged = before?.interfaceName !== next.interfaceName && next.interfaceName !== null;
    if (before?.interfaceName && next.interfaceName === null) {
      ifaceChanged = false;
      this.say('warn', interfaceNullNotice(before.interfaceName));
    }
    if (before && before.relayPools.join() !== next.relayPools.join())
      this.say('warn', relayPoolsChangedNotice(before.relayPools, next.relayPools));
    if (!modeChanged && !ifaceChanged) return out;
    const wasServing = (await this.session.snapshot()).state.serving;
    if (wasServing) await this.session.stop();
    if (modeChanged) {
      await this.session.setMode({ mode: next.mode });
      out.push(`mode ${before?.mode ?? '?'} → ${next.mode}`);
    }
    if (ifaceChanged && next.interfaceName !== null) {
      await this.session.setInterface({ name: next.interfaceName });
      out.push(`interface ${before?.interfaceName ?? 'recommended'} → ${next.interfaceName}`);
    }
    if (wasServing) {
      const state = await this.session.start();
      out.push(state.serving ? 'servers restarted' : `servers stopped: ${state.error?.message ?? 'could not restart'}`);
    }
    return out;
  }
}
