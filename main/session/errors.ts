import type { ServeError } from '../contract';

/**
 * Whose words a message uses: 'terminal' (`bootdrop serve`, and its browser UI, which runs beside that
 * terminal) may name command-line flags; 'window' (the desktop app) names the window's controls instead.
 */
export type Audience = 'terminal' | 'window';

/** An engine failure with a remedy attached, thrown by the session for the UI/CLI to show as-is. */
export class SessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly remedy: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

/** Any failure during start, as the contract's ServeError: what, where, what to do. */
export function toServeError(err: unknown, where: string): ServeError {
  const e = err as { code?: unknown; message?: unknown; remedy?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : 'EFAIL';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.remedy === 'string') return { code, message, remedy: e.remedy };
  const remedies: Record<string, string> = {
    EADDRINUSE: 'stop the program using that port (sudo ss -lnp), or choose another port/interface',
    EACCES: 'run with the privileges needed for ports below 1024 (root, or net.ipv4.ip_unprivileged_port_start)',
    EADDRNOTAVAIL: 'the interface lost its address: check the cable/network, refresh interfaces, then start again',
    ENOENT: 'check that the ISO or folder still exists',
  };
  return {
    code,
    message: `${where}: ${message}`,
    remedy: remedies[code] ?? 'see the log (Export log) for details, then start again',
  };
}

/*
 * What a person reads about the BIOS menu choice and the classic PXELINUX way: the long sentences live
 * here, beside the remedies above, so the code that decides stays short.
 */

export const NO_ISO_PXE_MENU_WARNING =
  "BIOS PCs get Bootdrop's menu: the ISO's own PXELINUX menu was chosen, but none of the sources ships one " +
  '(lpxelinux.0 with a PXE menu) — add an ISO that does (Arch Linux and archiso derivatives), ' +
  "or choose Bootdrop's menu";

export function uefiOnlyWarning(shown: string, others: readonly string[]): string {
  const verb = others.length === 1 ? 'is' : 'are';
  return (
    `BIOS PCs see only ${shown}'s own menu; ${others.join(', ')} ${verb} offered to UEFI PCs only — ` +
    "choose Bootdrop's menu to offer every ISO to BIOS PCs too"
  );
}

export function ownPxeMenuNotice(isoName: string, audience: Audience = 'terminal'): string {
  return (
    `${isoName} ships its own PXELINUX menu: ` +
    `BIOS PCs can be given it instead of Bootdrop's (the "BIOS PCs get" choice${audience === 'terminal' ? ', or --classic' : ''})`
  );
}

/** The desktop app serves HTTP on port 80 and has no port setting: there the only remedy is the menu choice. */
export function classicPortWarning(menuPort: number, httpPort: number, audience: Audience = 'terminal'): string {
  return (
    `the ISO's own PXELINUX menu fetches http://<server>/ on port ${menuPort}, but HTTP runs on port ${httpPort}: ` +
    `BIOS PCs will not find the ISO's files — ` +
    (audience === 'terminal'
      ? `serve with --http-port ${menuPort}, or choose Bootdrop's menu for BIOS PCs`
      : "choose Bootdrop's menu for BIOS PCs")
  );
}

/** Start with no source: the window has its own ways to add one. */
export function noSourceError(audience: Audience): SessionError {
  return new SessionError(
    'ENOSOURCE',
    'nothing to serve: no ISO or folder added',
    audience === 'terminal'
      ? 'add an ISO (drop it on the window, or pass it to "bootdrop serve")'
      : 'add an ISO: drop it on the window, or press Open…',
  );
}

/** The session only asks for a source whose plan said ownPxeMenu; this guards the seam. */
export function noClassicPxelinuxError(sourceId: string): SessionError {
  return new SessionError(
    'ENOCLASSIC',
    `classic PXELINUX mode: source "${sourceId}" does not ship its own PXELINUX (lpxelinux.0 with a PXE menu)`,
    "serve an ISO that has one (Arch Linux and archiso derivatives), or choose Bootdrop's menu for BIOS PCs",
  );
}

/*
 * Why a path may not be published (publish-policy.ts decides; `shown` is the path as the user gave it).
 */

export function systemFolderRefusal(shown: string, system: string): string {
  return (
    `${shown} is in the system folder ${system}: Bootdrop never publishes system folders or files in them; ` +
    `choose an ISO file or a folder extracted from one elsewhere`
  );
}

export function notAnIsoRefusal(shown: string): string {
  return (
    `${shown} is not an .iso file: only ISO images and folders that look like installation media can be ` + 'published'
  );
}

export function containerFolderRefusal(shown: string): string {
  return (
    `${shown} holds other folders (the root, /home, /mnt …): choose the folder of one installation medium ` +
    'inside it'
  );
}

export function homeFolderRefusal(shown: string): string {
  return `${shown} is a home folder: choose the folder of one installation medium inside it`;
}

export function homeMarkerRefusal(shown: string, marker: string): string {
  return (
    `${shown} holds ${marker}, so it looks like a home folder, not an installation medium; ` +
    `choose the medium's own folder`
  );
}

export function notAMediumRefusal(shown: string): string {
  return (
    `${shown} does not look like an installation medium (nothing like isolinux/, EFI/, boot/, casper/, live/ ` +
    `or a kernel at its top); choose the folder an ISO was extracted to, or the ISO file itself`
  );
}

/*
 * What a UEFI PC's fetches say about Secure Boot (secure-boot-watch.ts decides when). `ownDhcp`: Bootdrop
 * hands out the addresses, so no router stands between the PC and Bootdrop.
 */

export function secureBootRefusedEntryNotice(entry: string): string {
  return (
    `Secure Boot is on and refused "${entry}" (the PC shows why): turn Secure Boot off in its firmware settings ` +
    `to boot that entry, or choose an entry marked as signed`
  );
}

export function restartIntoIpxeNotice(label: string): string {
  return (
    `restarting into iPXE for "${label}": only iPXE can boot it and GRUB cannot start iPXE, so the PC restarts ` +
    `and its firmware starts iPXE directly, with that entry as the menu's default`
  );
}

export function restartedIpxeNeverRanNotice(label: string): string {
  return (
    `this PC restarted into iPXE for "${label}", but iPXE never fetched its menu: its next attempt gets the ` +
    `Secure Boot chain (GRUB) again. To start "${label}", boot this PC beside a router (proxy mode)`
  );
}

export function restartedIntoIpxeNote(label: string): string {
  return `restarted into iPXE for "${label}": its menu starts that entry in a few seconds`;
}

export function grubNeverAskedNotice(ownDhcp: boolean): string {
  if (ownDhcp)
    return (
      'GRUB (Secure Boot chain) started but never asked Bootdrop for its menu: check that nothing else on ' +
      'this cable answers DHCP'
    );
  return (
    "GRUB (Secure Boot chain) never asked Bootdrop for its menu: beside a router, Debian's signed GRUB " +
    "ignores Bootdrop's proxyDHCP reply and asks the router instead. Connect this PC by cable directly to " +
    'this computer (Bootdrop then hands out the address), or turn Secure Boot off in its firmware settings'
  );
}

export function ipxeNeverRanNotice(ownDhcp: boolean, via: 'tftp' | 'http' = 'tftp'): string {
  // Only PXE requests are switched to the signed chain: HTTP Boot firmware has none to get.
  if (via === 'http')
    return (
      'this PC downloaded iPXE by UEFI HTTP Boot but never ran it: Secure Boot probably refused it, and HTTP Boot ' +
      'has no signed chain. Turn Secure Boot off in its firmware settings, or ' +
      (ownDhcp ? '' : 'connect it by cable directly to this computer and ') +
      'boot it by PXE, which gets the signed chain (Debian shim → GRUB)'
    );
  const refused = 'this PC fetched iPXE but never ran it: Secure Boot probably refused it.';
  if (ownDhcp) return `${refused} Its next network boot gets the signed chain (Debian shim → GRUB)`;
  return (
    `${refused} Its next attempt gets the signed chain (Debian shim → GRUB), which beside a router cannot ` +
    'reach Bootdrop: connect this PC by cable directly to this computer, or turn Secure Boot off in its ' +
    'firmware settings'
  );
}
