/**
 * Where things are, packaged or not. electron-vite puts main, preload and renderer side by side in
 * out/; electron-builder copies assets/loaders, build/tray and dist/native into the resources folder.
 */
import { join } from 'node:path';
import type { AppEntry } from './security';

/** electron-builder's appId (electron-builder.yml); Windows' AppUserModelID must be the same string. */
export const APP_ID = 'io.github.bootdrop.desktop';

export interface AppPathsInput {
  isPackaged: boolean;
  /** process.resourcesPath */
  resourcesPath: string;
  /** app.getAppPath(): the project root in development */
  appPath: string;
  /** Folder of the running main bundle (out/main). */
  mainDir: string;
  /** ELECTRON_RENDERER_URL, set by `electron-vite dev`. */
  devServerUrl?: string | undefined;
}

export interface AppPaths {
  preload: string;
  entry: AppEntry;
  loadersDir: string;
  trayIconDir: string;
  /** The native I/O helpers (*.node); the engine finds them through BOOTDROP_NATIVE_DIR. */
  nativeDir: string;
  appIcon?: string;
}

export function resolveAppPaths(o: AppPathsInput): AppPaths {
  const entry: AppEntry =
    !o.isPackaged && o.devServerUrl
      ? { kind: 'dev', url: o.devServerUrl }
      : { kind: 'file', indexHtml: join(o.mainDir, '..', 'renderer', 'index.html') };
  if (o.isPackaged) {
    return {
      preload: join(o.mainDir, '..', 'preload', 'index.js'),
      entry,
      loadersDir: join(o.resourcesPath, 'loaders'),
      trayIconDir: join(o.resourcesPath, 'tray'),
      nativeDir: join(o.resourcesPath, 'native'),
    };
  }
  return {
    preload: join(o.mainDir, '..', 'preload', 'index.js'),
    entry,
    loadersDir: join(o.appPath, 'assets', 'loaders'),
    trayIconDir: join(o.appPath, 'build', 'tray'),
    nativeDir: join(o.appPath, 'dist', 'native'),
    appIcon: join(o.appPath, 'build', 'icon.png'),
  };
}
