import type { BootdropApi } from '../../../main/contract/index';
import type { ConnectionInfo, EngineConnection } from './connection';

/**
 * The Electron preload's `window.bootdrop`: IPC to the main process of the same app, so it is
 * always "open". The contract version is checked on the snapshot (EngineSnapshot.version).
 */
export function fromPreload(bootdrop: BootdropApi & { pathForFile?(file: File): string }): EngineConnection {
  const info: ConnectionInfo = { status: 'open', problem: null, retryAt: null };
  const connection: EngineConnection = {
    api: bootdrop,
    info: () => info,
    onInfo: () => () => undefined,
    close: () => undefined,
  };
  if (typeof bootdrop.pathForFile === 'function') {
    const pathForFile = bootdrop.pathForFile.bind(bootdrop);
    return { ...connection, pathForFile };
  }
  return connection;
}
