/**
 * The one module that owns ipcMain. Every handler first checks that the call comes from our own
 * window (a trusted webContents id, and a frame showing our own page), then validates the payload
 * with the shared contract validators, and only then calls the engine. Answers travel as an
 * IpcResult envelope so error codes survive the trip (electron/preload.ts unwraps them).
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { REQUEST_NAMES, type BootdropApi, type EngineEvent } from '../main/contract';
import { dispatchRequest, type ValidationEnv } from '../main/contract/validate';
import { validateOpenDialog } from '../main/contract/shell';
import { errorToWire } from '../main/contract/wire';
import {
  EVENT_CHANNEL,
  REQUEST_CHANNELS,
  SHELL_CHANNELS,
  SHELL_REQUEST_NAMES,
  type FixPortsResult,
  type IpcResult,
  type OpenDialogRequest,
  type OpenDialogResult,
} from './channels';

/** Who may call us: webContents ids of our windows, and a predicate for "this URL is our page". */
export class TrustedSenders {
  private readonly ids = new Set<number>();
  constructor(private readonly isAppUrl: (url: string) => boolean) {}

  add(id: number): void {
    this.ids.add(id);
  }

  delete(id: number): void {
    this.ids.delete(id);
  }

  /** null when trusted, else why not (for the error message and the log). */
  check(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): string | null {
    if (!this.ids.has(event.sender.id)) return `webContents ${event.sender.id} is not a Bootdrop window`;
    const url = event.senderFrame?.url;
    if (!url) return 'the calling frame is gone';
    if (!this.isAppUrl(url)) return `the calling frame shows ${url}, not Bootdrop's own page`;
    return null;
  }
}

interface ShellActions {
  fixPrivilegedPorts(): Promise<FixPortsResult>;
  /** `sender` is the webContents that asked: the dialog is modal to its window. */
  openDialog(req: OpenDialogRequest, sender: number): Promise<OpenDialogResult>;
}

export interface IpcDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  api: BootdropApi;
  env: ValidationEnv;
  trusted: TrustedSenders;
  shell: ShellActions;
  /** Refused calls are logged here (they mean a bug or an attack). */
  warn(message: string): void;
}

interface EventTarget {
  id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export class IpcBridge {
  private readonly targets = new Map<number, EventTarget>();
  private readonly channels: string[] = [];

  constructor(private readonly deps: IpcDeps) {
    for (const name of REQUEST_NAMES) {
      this.handle(REQUEST_CHANNELS[name], (payload) => dispatchRequest(deps.api, name, payload, deps.env));
    }
    this.handle(SHELL_CHANNELS.fixPrivilegedPorts, () => deps.shell.fixPrivilegedPorts());
    this.handle(SHELL_CHANNELS.openDialog, (payload, sender) =>
      deps.shell.openDialog(validateOpenDialog(payload), sender),
    );
    // A shell request added to channels.ts without a handler here would hang the renderer: fail loudly.
    for (const name of SHELL_REQUEST_NAMES) {
      if (!this.channels.includes(SHELL_CHANNELS[name])) throw new Error(`no IPC handler for ${name}`);
    }
  }

  private handle(channel: string, run: (payload: unknown, sender: number) => Promise<unknown>): void {
    this.channels.push(channel);
    this.deps.ipcMain.handle(
      channel,
      async (event: IpcMainInvokeEvent, payload: unknown): Promise<IpcResult<unknown>> => {
        const refused = this.deps.trusted.check(event);
        if (refused !== null) {
          this.deps.warn(`IPC ${channel} refused: ${refused}`);
          return { ok: false, error: { code: 'EPERM', message: `${channel}: refused, ${refused}` } };
        }
        try {
          return { ok: true, value: await run(payload, event.sender.id) };
        } catch (err) {
          return { ok: false, error: errorToWire(err) };
        }
      },
    );
  }

  /** A window that receives engine events (its webContents is also trusted to call us). */
  addWindow(contents: EventTarget): void {
    this.targets.set(contents.id, contents);
    this.deps.trusted.add(contents.id);
  }

  removeWindow(id: number): void {
    this.targets.delete(id);
    this.deps.trusted.delete(id);
  }

  broadcast(event: EngineEvent): void {
    for (const [id, target] of this.targets) {
      if (target.isDestroyed()) {
        this.removeWindow(id);
        continue;
      }
      target.send(EVENT_CHANNEL, event);
    }
  }

  dispose(): void {
    for (const channel of this.channels) this.deps.ipcMain.removeHandler(channel);
    this.channels.length = 0;
  }
}
