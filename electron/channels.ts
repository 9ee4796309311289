/**
 * IPC channel names, derived from the contract so the two ends cannot drift: one channel per
 * request (`bootdrop:<requestName>`), one for engine events, and the shell's own extension requests
 * (things only the desktop app can do, not part of the shared contract).
 * Pure: imported by both the main process (electron/ipc.ts) and the sandboxed preload.
 */
import { REQUEST_NAMES, type RequestName } from '../main/contract';
import type { FixPortsResult, OpenDialogRequest, OpenDialogResult } from '../main/contract/shell';
import type { WireError } from '../main/contract/wire';

export type { FixPortsResult, OpenDialogRequest, OpenDialogResult } from '../main/contract/shell';

export const REQUEST_CHANNELS = Object.fromEntries(REQUEST_NAMES.map((name) => [name, `bootdrop:${name}`])) as {
  readonly [K in RequestName]: `bootdrop:${K}`;
};

export const EVENT_CHANNEL = 'bootdrop:event';

/** Desktop-only requests: the optional shell capabilities of main/contract/shell.ts. */
interface ShellRequests {
  fixPrivilegedPorts: { req: void; res: FixPortsResult };
  openDialog: { req: OpenDialogRequest; res: OpenDialogResult };
}
export type ShellRequestName = keyof ShellRequests;
export const SHELL_REQUEST_NAMES: readonly ShellRequestName[] = ['fixPrivilegedPorts', 'openDialog'];
export const SHELL_CHANNELS = {
  fixPrivilegedPorts: 'bootdrop-shell:fixPrivilegedPorts',
  openDialog: 'bootdrop-shell:openDialog',
} as const satisfies Record<ShellRequestName, string>;

/**
 * How an error crosses IPC: Electron only keeps `message` of a thrown Error (prefixed with
 * "Error invoking remote method …"), so handlers return this envelope (the same error shape as the
 * browser bridge: code, message, remedy) and the preload rethrows it.
 */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: WireError };
