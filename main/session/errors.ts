import type { ServeError } from '../contract';

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
