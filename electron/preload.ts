/**
 * The sandboxed preload: exposes exactly one object, `window.bootdrop`, with a domain method per
 * contract request (generated from REQUEST_NAMES), `onEvent`, `pathForFile` and the shell-only
 * extension. The renderer never sees ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { REQUEST_NAMES, type BootdropApi, type EngineEvent, type RequestName } from '../main/contract';
import type { ShellCapabilities } from '../main/contract/shell';
import {
  EVENT_CHANNEL,
  REQUEST_CHANNELS,
  SHELL_CHANNELS,
  type FixPortsResult,
  type IpcResult,
  type OpenDialogRequest,
  type OpenDialogResult,
} from './channels';

/** What the renderer gets as `window.bootdrop` in the desktop app. */
export type DesktopBridge = BootdropApi & {
  /** Host path of a dropped file (File.path is gone since Electron 32). */
  pathForFile(file: File): string;
  /** Desktop-only actions, absent in the browser UI. */
  shell: Required<ShellCapabilities>;
};

/**
 * The main process answers with an envelope so the error's code and remedy survive IPC. contextBridge
 * copies only an Error's message (custom properties are dropped), so the error travels to the page as
 * JSON in the message; the renderer's toProblem() reads it back.
 */
async function invoke<T>(channel: string, req?: unknown): Promise<T> {
  const result = (await ipcRenderer.invoke(channel, req)) as IpcResult<T>;
  if (result.ok) return result.value;
  throw new Error(JSON.stringify(result.error));
}

export function buildBridge(): DesktopBridge {
  const methods = Object.fromEntries(
    REQUEST_NAMES.map((name: RequestName) => [name, (req?: unknown) => invoke(REQUEST_CHANNELS[name], req)]),
  ) as unknown as Omit<BootdropApi, 'onEvent'>;
  return {
    ...methods,
    onEvent(listener: (event: EngineEvent) => void): () => void {
      const handler = (_e: IpcRendererEvent, event: EngineEvent): void => listener(event);
      ipcRenderer.on(EVENT_CHANNEL, handler);
      return () => {
        ipcRenderer.removeListener(EVENT_CHANNEL, handler);
      };
    },
    pathForFile: (file: File) => webUtils.getPathForFile(file),
    shell: {
      fixPrivilegedPorts: () => invoke<FixPortsResult>(SHELL_CHANNELS.fixPrivilegedPorts),
      openDialog: (req: OpenDialogRequest) => invoke<OpenDialogResult>(SHELL_CHANNELS.openDialog, req),
    },
  };
}

contextBridge.exposeInMainWorld('bootdrop', buildBridge());
