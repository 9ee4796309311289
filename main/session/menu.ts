/** Menu settings bookkeeping that belongs to the session (applying them is main/boot's applyMenu). */
import type { MenuSettings, SourceSummary } from '../contract';

/** Drop overrides and a default that point at entries which no longer exist (a source was removed). */
export function pruneMenu(menu: MenuSettings, sources: SourceSummary[]): MenuSettings {
  const ids = new Set(sources.flatMap((s) => s.entries.map((e) => e.id)));
  const overrides = Object.fromEntries(Object.entries(menu.overrides).filter(([id]) => ids.has(id)));
  return {
    ...menu,
    overrides,
    defaultEntryId: menu.defaultEntryId && ids.has(menu.defaultEntryId) ? menu.defaultEntryId : null,
  };
}
