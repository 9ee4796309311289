import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';
import { resolve } from 'node:path';

// The desktop build: main process (electron/main.ts, with the engine from main/ bundled in), the
// sandboxed preload (CommonJS, self-contained: a sandboxed preload can only require 'electron'), and
// the renderer (renderer/, the same Vue app the browser build serves). Everything lands in out/.
// Entries are named `index` so the outputs match package.json "main": out/main/index.js.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(__dirname, 'electron/main.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'electron/preload.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
