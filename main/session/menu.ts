/**
 * The user's menu settings applied to the planned entries: pure. Overrides rename/disable entries and
 * add per-entry arguments; the global append goes to every entry; exactly one enabled entry is the
 * default (the chosen one if it is enabled, else the first enabled one).
 */
import type { BootEntry, MenuSettings, SourceSummary } from '../contract';

export const DEFAULT_MENU: MenuSettings = { timeoutSec: 10, defaultEntryId: null, append: '', overrides: {} };

const SEPARATORS = new Set(['--', '---']);

/**
 * Add user arguments in front of a `--`/`---` separator: casper and debian-installer hand everything
 * after it to the installed system, so boot-time arguments must stay before it.
 */
export function appendArgs(cmdline: string, extra: string): string {
  const add = extra.trim();
  if (!add) return cmdline;
  const tokens = cmdline.split(/\s+/).filter(Boolean);
  const sep = tokens.findIndex((t) => SEPARATORS.has(t));
  if (sep < 0) return [...tokens, add].join(' ');
  return [...tokens.slice(0, sep), add, ...tokens.slice(sep)].join(' ');
}

export function applyMenu(sources: SourceSummary[], menu: MenuSettings): SourceSummary[] {
  const all = sources.flatMap((s) => s.entries);
  const enabled = (e: BootEntry) => menu.overrides[e.id]?.enabled ?? e.enabled;
  const chosen = all.find((e) => e.id === menu.defaultEntryId && enabled(e));
  const fallback = chosen ?? all.find((e) => e.isDefault && enabled(e)) ?? all.find(enabled);
  return sources.map((s) => ({
    ...s,
    entries: s.entries.map((e) => {
      const o = menu.overrides[e.id] ?? {};
      const withEntryArgs = appendArgs(e.cmdline, o.append ?? '');
      return {
        ...e,
        label: o.label?.trim() || e.label,
        enabled: enabled(e),
        cmdline: e.kind === 'linux' ? appendArgs(withEntryArgs, menu.append) : withEntryArgs,
        isDefault: fallback !== undefined && e.id === fallback.id,
      };
    }),
  }));
}

/** Drop overrides and a default that point at entries which no longer exist (a source was removed). */
export function pruneMenu(menu: MenuSettings, sources: SourceSummary[]): MenuSettings {
  const ids = new Set(sources.flatMap((s) => s.entries.map((e) => e.id)));
  const overrides = Object.fromEntries(Object.entries(menu.overrides).filter(([id]) => ids.has(id)));
  return { ...menu, overrides, defaultEntryId: menu.defaultEntryId && ids.has(menu.defaultEntryId) ? menu.defaultEntryId : null };
}
