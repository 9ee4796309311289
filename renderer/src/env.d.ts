/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

/**
 * What the Electron preload puts on `window` (contextBridge). Absent in the browser build, where the
 * renderer talks to the engine through the WebSocket bridge instead.
 */
type PreloadBootdrop = import('../../main/contract/index').BootdropApi & {
  /** Host path of a dropped File (Electron's webUtils.getPathForFile; `File.path` is gone since Electron 32). */
  pathForFile?(file: File): string;
  /** Desktop-only actions (electron/preload.ts): the optional shell capabilities. */
  shell?: import('../../main/contract/shell').ShellCapabilities;
};

interface Window {
  bootdrop?: PreloadBootdrop;
}
