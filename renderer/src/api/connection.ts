import type { BootdropApi } from '../../../main/contract/index';
import type { OpenDialogRequest, OpenDialogResult } from '../../../main/contract/shell';
import type { Problem } from './errors';

/**
 * - connecting: first attempt; reconnecting: lost, retrying with backoff; open: usable.
 * - incompatible / unauthorized: retrying cannot help (reload or open a fresh link); no retries.
 */
type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'incompatible' | 'unauthorized';

export interface ConnectionInfo {
  status: ConnectionStatus;
  /** Why the connection is not open (null while open or on the first attempt). */
  problem: Problem | null;
  /** When the next reconnect attempt happens (epoch ms), while reconnecting. */
  retryAt: number | null;
}

/** How the renderer reaches the engine: the API plus the state of the link carrying it. */
export interface EngineConnection {
  readonly api: BootdropApi;
  /** Host path of a dropped File, when the shell can tell (Electron); undefined in a browser. */
  readonly pathForFile?: (file: File) => string;
  /** Desktop only: let Bootdrop bind ports below 1024 (the remedy for EACCES on Linux). */
  readonly fixPrivilegedPorts?: () => Promise<{ ok: boolean; message: string }>;
  /** Desktop only: the system's open dialog (the browser UI uses its in-page picker instead). */
  readonly openDialog?: (req: OpenDialogRequest) => Promise<OpenDialogResult>;
  info(): ConnectionInfo;
  onInfo(listener: (info: ConnectionInfo) => void): () => void;
  close(): void;
}
