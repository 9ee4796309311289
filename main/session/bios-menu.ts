/**
 * Which menu BIOS PCs actually get, from the user's choice (MenuSettings.biosMenu) and the sources
 * being served. Pure. The choice is a preference, not a precondition: when it cannot be honoured
 * (the Arch ISO was removed) serving goes on with Bootdrop's menu and the user is told why.
 */
import type { BiosMenu, SourceSummary } from '../contract';
import { NO_ISO_PXE_MENU_WARNING, uefiOnlyWarning } from './errors';

export interface BiosMenuInEffect {
  /** The source served the classic way (its lpxelinux.0 at the tree root), or null: Bootdrop's menu. */
  classicSourceId: string | null;
  /** What the user should hear about this choice (logged as warnings). */
  warnings: string[];
}

export function biosMenuInEffect(wanted: BiosMenu | undefined, sources: readonly SourceSummary[]): BiosMenuInEffect {
  if (wanted !== 'iso') return { classicSourceId: null, warnings: [] };
  const own = sources.filter((s) => s.ownPxeMenu === true);
  const first = own[0];
  if (!first) {
    return {
      classicSourceId: null,
      warnings: [NO_ISO_PXE_MENU_WARNING],
    };
  }
  const warnings: string[] = [];
  // The classic way owns the tree root and the BIOS boot file: one ISO's menu, and only its entries.
  if (own.length > 1)
    warnings.push(
      `BIOS PCs get the PXELINUX menu of ${first.osName} (${first.id}), the first ISO that has one; ${own
        .slice(1)
        .map((s) => s.id)
        .join(', ')} too, but only one can be served that way`,
    );
  const others = sources.filter((s) => s !== first);
  if (others.length > 0)
    warnings.push(
      uefiOnlyWarning(
        first.osName,
        others.map((s) => s.osName),
      ),
    );
  return { classicSourceId: first.id, warnings };
}

/** One line for the log when the choice takes effect (while serving: from the PCs' next boot). */
export function describeBiosMenu(effect: BiosMenuInEffect, sources: readonly SourceSummary[]): string {
  const s = sources.find((x) => x.id === effect.classicSourceId);
  return s
    ? `BIOS PCs get ${s.osName}'s own PXELINUX menu (${s.id}); UEFI PCs get Bootdrop's menu`
    : "BIOS and UEFI PCs get Bootdrop's menu";
}
