/*
 * The long sentences `bootdrop serve` prints (usage problems, reload notices), so the code that parses
 * and applies options stays short.
 */

export const POOL_NEEDS_DHCP_MODE =
  '--pool hands out addresses, which proxy mode never does: add --mode dhcp (or auto), or leave --pool out to ' +
  'give relayed PCs the boot file only';

/** --classic without a source that ships its own PXELINUX menu. */
export const NO_CLASSIC_SOURCE = {
  code: 'ENOCLASSIC',
  message: '--classic: none of the sources ships its own PXELINUX (lpxelinux.0 with a PXE menu)',
  remedy: 'serve an ISO that has one (Arch Linux and archiso derivatives), or drop --classic to use the Bootdrop menu',
} as const;

/** --classic with HTTP elsewhere than port 80, where the ISO's own menu fetches its files. */
export function classicPortProblem(httpPort: number): { code: string; message: string; remedy: string } {
  return {
    code: 'ECLASSICPORT',
    message:
      "--classic: the ISO's own PXELINUX menu fetches http://<server>/ on port 80, " +
      `but HTTP runs on port ${httpPort}`,
    remedy: 'serve with --http-port 80 (the default), or drop --classic',
  };
}

/** A settings file without sources: how to add some while the service runs (`pid` for kill -HUP). */
export function nothingToServeYet(configFile: string, pid: number): string {
  return (
    `Nothing to serve yet: add ISO paths to "sources" in ${configFile}, then reload ` +
    `(systemctl reload bootdrop, or kill -HUP ${pid}).`
  );
}

export function interfaceNullNotice(stillOn: string): string {
  return (
    'interfaceName is now null (the recommended interface): that applies when the service restarts; ' +
    `still on ${stillOn}`
  );
}

export function relayPoolsChangedNotice(before: readonly string[], next: readonly string[]): string {
  return (
    `relayPools changed (${before.join(', ') || 'none'} → ${next.join(', ') || 'none'}): ` +
    'that applies when the service restarts (systemctl restart bootdrop)'
  );
}
