import type { OpenDialogRequest } from '../../../main/contract/shell';
import type { ConnectionInfo, EngineConnection } from './connection';

/**
 * The Electron preload's `window.bootdrop`: IPC to the main process of the same app, so it is
 * always "open". The contract version is checked on the snapshot (EngineSnapshot.version).
 */
export function fromPreload(bootdrop: PreloadBootdrop): EngineConnection {
  const info: ConnectionInfo = { status: 'open', problem: null, retryAt: null };
  const { pathForFile } = bootdrop;
  const fixPorts = bootdrop.shell?.fixPrivilegedPorts;
  const openDialog = bootdrop.shell?.openDialog;
  return {
    api: bootdrop,
    info: () => info,
    onInfo: () => () => undefined,
    close: () => undefined,
    ...(typeof pathForFile === 'function' ? { pathForFile: (file: File) => pathForFile.call(bootdrop, file) } : {}),
    ...(typeof fixPorts === 'function' ? { fixPrivilegedPorts: () => fixPorts.call(bootdrop.shell) } : {}),
    ...(typeof openDialog === 'function'
      ? { openDialog: (req: OpenDialogRequest) => openDialog.call(bootdrop.shell, req) }
      : {}),
  };
}
