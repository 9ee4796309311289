/**
 * applyMenu: the user's menu settings (labels, enabled, per-entry and global extra kernel arguments,
 * default entry) applied to the planned sources. Pure; exactly one enabled entry ends up default.
 */
import type { MenuSettings, SourceSummary } from '../contract';
import { editCmdline, splitCmdline } from './cmdline';

export const DEFAULT_MENU: MenuSettings = {
  timeoutSec: 5,
  defaultEntryId: null,
  append: '',
  overrides: {},
  biosMenu: 'bootdrop',
};

/**
 * The entry's command line plus per-entry and global extra arguments, inserted in front of a `--`/`---`
 * separator (the kernel hands what follows it to init / the installed system, not to itself); a user
 * argument with the same key replaces the ISO's.
 */
function withExtraArgs(cmdline: string, ...extra: Array<string | undefined>): string {
  const add = extra.flatMap((p) => splitCmdline(p ?? ''));
  return editCmdline(splitCmdline(cmdline), { add }).join(' ');
}

/** Plans (or their summaries) in, summaries with overrides applied out. */
export function applyMenu(
  plans: ReadonlyArray<{ summary: SourceSummary } | SourceSummary>,
  menu: MenuSettings,
): SourceSummary[] {
  const out = plans
    .map((p) => ('summary' in p ? p.summary : p))
    .map((s) => ({
      ...s,
      entries: s.entries.map((e) => {
        const o = menu.overrides[e.id] ?? {};
        // memtest86+ reads its own options (console=ttyS0,115200, nosmp…; app/config.c) from the command
        // line on BIOS and from the EFI load options on UEFI, and any chained EFI program gets its load
        // options the same way: they take the per-entry extra arguments only, not the global Linux ones.
        const memtest =
          (s.family === 'memtest' || /memtest/i.test(e.kernel ?? '')) && (e.kind === 'linux' || e.kind === 'chain');
        const takesArgs = e.kind === 'linux' && !memtest;
        return {
          ...e,
          label: o.label?.trim() ? o.label.trim() : e.label,
          enabled: o.enabled ?? e.enabled,
          cmdline: takesArgs
            ? withExtraArgs(e.cmdline, o.append, menu.append)
            : memtest || e.kind === 'chain'
              ? withExtraArgs(e.cmdline, o.append)
              : e.cmdline,
          isDefault: false,
        };
      }),
    }));
  const all = out.flatMap((s) => s.entries);
  const chosen =
    all.find((e) => e.id === menu.defaultEntryId && e.enabled) ??
    all.find(
      (e) =>
        e.enabled &&
        plans.some((p) => ('summary' in p ? p.summary : p).entries.some((o) => o.id === e.id && o.isDefault)),
    ) ??
    all.find((e) => e.enabled);
  if (chosen) chosen.isDefault = true;
  return out;
}
