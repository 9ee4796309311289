/**
 * applyMenu: the user's menu settings (labels, enabled, per-entry and global extra kernel arguments,
 * default entry) applied to the planned sources. Pure; exactly one enabled entry ends up default.
 */
import type { MenuSettings, SourceSummary } from '../contract';

export const DEFAULT_MENU: MenuSettings = { timeoutSec: 5, defaultEntryId: null, append: '', overrides: {} };

function joinArgs(...parts: Array<string | undefined>): string {
  return parts
    .map((p) => (p ?? '').trim())
    .filter((p) => p !== '')
    .join(' ');
}

/** Plans (or their summaries) in, summaries with overrides applied out. */
export function applyMenu(plans: ReadonlyArray<{ summary: SourceSummary } | SourceSummary>, menu: MenuSettings): SourceSummary[] {
  const out = plans.map((p) => ('summary' in p ? p.summary : p)).map((s) => ({
    ...s,
    entries: s.entries.map((e) => {
      const o = menu.overrides[e.id] ?? {};
      const takesArgs = e.kind === 'linux' && !/memtest/i.test(e.kernel ?? '');
      return {
        ...e,
        label: o.label?.trim() ? o.label.trim() : e.label,
        enabled: o.enabled ?? e.enabled,
        cmdline: takesArgs ? joinArgs(e.cmdline, o.append, menu.append) : e.cmdline,
        isDefault: false,
      };
    }),
  }));
  const all = out.flatMap((s) => s.entries);
  const chosen =
    all.find((e) => e.id === menu.defaultEntryId && e.enabled) ??
    all.find((e) => e.enabled && plans.some((p) => ('summary' in p ? p.summary : p).entries.some((o) => o.id === e.id && o.isDefault))) ??
    all.find((e) => e.enabled);
  if (chosen) chosen.isDefault = true;
  return out;
}
