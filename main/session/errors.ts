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
