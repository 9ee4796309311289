/**
 * Optional shell capabilities: things only the desktop app can do, offered beside the engine's contract
 * (never part of BootdropApi). The renderer uses one when its connection has it and falls back when not —
 * the browser UI (`bootdrop serve --ui`) keeps its in-page picker, for example. Plain data, validated at
 * the IPC boundary like every contract request.
 */
import { InvalidRequestError } from './validate';

export interface FixPortsResult {
  ok: boolean;
  /** What happened, for the UI: "ports below 1024 are now allowed" or why not. */
  message: string;
}

/** 'isos': the system's file dialog for ISO files (several at once); 'folder': one folder. */
export type OpenDialogKind = 'isos' | 'folder';
const OPEN_DIALOG_KINDS: readonly OpenDialogKind[] = ['isos', 'folder'];

export interface OpenDialogRequest {
  kind: OpenDialogKind;
}

export interface OpenDialogResult {
  /** Host paths the user chose; empty when the dialog was cancelled. */
  paths: string[];
}

export interface ShellCapabilities {
  /** Let Bootdrop bind ports below 1024 (Linux, the remedy for EACCES). */
  fixPrivilegedPorts?(): Promise<FixPortsResult>;
  /** The system's open dialog; the renderer adds what comes back as sources. */
  openDialog?(req: OpenDialogRequest): Promise<OpenDialogResult>;
}

export function validateOpenDialog(payload: unknown): OpenDialogRequest {
  const kind = (payload as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !(OPEN_DIALOG_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidRequestError(
      `openDialog.kind: expected one of ${OPEN_DIALOG_KINDS.join(', ')}, got ${JSON.stringify(kind) ?? 'nothing'}`,
    );
  }
  return { kind: kind as OpenDialogKind };
}
