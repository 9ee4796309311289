/*
 * The long sentences the boot planner gives a person — in the app's warnings, in errors, and on the PC's
 * screen — so the code that decides stays short. Texts the PC shows are plain ASCII where GRUB or iPXE
 * print them.
 */

/** Warning on a source whose OS no recipe knows (plan.ts). */
export const GENERIC_BOOT_WARNING =
  'generic boot — may not reach the desktop: Bootdrop does not know this OS, so it boots what the ISO declares ' +
  'bootable (its El Torito images), the whole ISO as a virtual CD, or the kernels its own menu lists, as they ' +
  'are; each entry says which';

/** iPXE prints nothing while it boots a SAN disk: said before sanboot starts (ipxe-script.ts). */
export const SANBOOT_NOTICE =
  'Starting the whole ISO as a virtual CD (sanboot). A blank screen that stays means this ISO cannot start from ' +
  'the network.';

/** GRUB's entry for a PC of another CPU (grub-menu.ts); `cpuName` as a person says it ("x86-64"). */
export function wrongCpuNote(cpuName: string): string {
  return `This entry is built for ${cpuName} PCs and this PC has another CPU: serve an ISO for this PC's architecture.`;
}

/** An iPXE-only entry in an ARM64 (or other non-x86-64) PC's GRUB menu. */
export const NO_IPXE_FOR_THIS_CPU =
  'This entry needs iPXE, and Bootdrop has iPXE for x86-64 PCs only: ' +
  'boot an entry that starts a kernel instead, or serve an ISO for this PC.';

/** GRUB could not fetch the restart-into-iPXE note (grub-menu.ts restartIntoIpxe). */
export function restartNoteMissing(label: string, notePath: string): string {
  return (
    `"${label}" needs iPXE, and the server did not answer ${notePath} ` +
    '(not Bootdrop, or an older one), so this PC cannot restart into iPXE from here.'
  );
}

export function loadersMissingMessage(dir: string, missing: readonly string[]): string {
  return (
    `boot loaders missing in ${dir}: ${missing.join(', ')} — reinstall Bootdrop, or run ` +
    'scripts/refresh-loaders.sh in a checkout'
  );
}

export function twoClassicSourcesMessage(ids: readonly string[]): string {
  return `only one source can be served the classic PXELINUX way (it owns the tree root); got ${ids.join(', ')}`;
}

export function noOwnPxelinuxMessage(sourceId: string): string {
  return (
    `source ${sourceId} has no PXELINUX of its own (lpxelinux.0 + PXE menu); it cannot be served the ` + 'classic way'
  );
}

/**
 * Secure Boot verdict on a kernel signed for the ISO's own shim, not Debian's (secure-boot/verdict.ts).
 * `why` is the verdict's reason up to "Debian's shim does not trust it".
 */
export function isoOwnChainReason(why: string, isoShimCa: string, grubNetwork: boolean): string {
  return (
    `${why}: Debian's shim does not trust it; the ISO's own shim (${isoShimCa}) does, and its GRUB ` +
    `${grubNetwork ? 'is a network build' : 'cannot boot from the network (no tftp/efinet)'}; ` +
    "Bootdrop does not serve the ISO's own chain yet: turn Secure Boot off for this entry"
  );
}
