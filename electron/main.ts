/**
 * Desktop entry point (electron-vite builds it to out/main/index.js). Refuses to run as root, keeps a
 * single instance, then hands over to DesktopShell with one engine Session.
 */
import { app, dialog } from 'electron';
import { nodeValidationEnv } from '../main/webui';
import { createEngineServices, Session } from '../main/session';
import { APP_ID, resolveAppPaths } from './app-paths';
import { rootRefusal } from './root-guard';
import { DesktopShell } from './shell';
import { claimSingleInstance } from './single-instance';

/** The HTTP port iPXE fetches kernels from; Windows gets a firewall rule for exactly this one. */
const HTTP_PORT = 80;

function main(): void {
  const refusal = rootRefusal(process.platform, process.getuid?.());
  if (refusal) {
    process.stderr.write(refusal + '\n');
    dialog.showErrorBox('Bootdrop', refusal);
    app.exit(1);
    return;
  }
  // Windows shows notifications only for an app with an AppUserModelID, and groups the taskbar by it;
  // it must match electron-builder's appId (electron-builder.yml) so the Start menu shortcut agrees.
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  let shell: DesktopShell | null = null;
  if (!claimSingleInstance(app, () => shell?.showWindow())) return;

  void app
    .whenReady()
    .then(async () => {
      const paths = resolveAppPaths({
        isPackaged: app.isPackaged,
        resourcesPath: process.resourcesPath,
        appPath: app.getAppPath(),
        mainDir: __dirname,
        devServerUrl: process.env.ELECTRON_RENDERER_URL,
      });
      // Read by main/native/load.ts when the engine first needs sendfile / the TFTP pump.
      process.env.BOOTDROP_NATIVE_DIR ??= paths.nativeDir;
      const engine = new Session(
        // The window's words in messages: its controls, never `bootdrop serve` flags.
        { loadersDir: paths.loadersDir, httpPort: HTTP_PORT, mode: 'auto', audience: 'window' },
        createEngineServices(),
      );
      shell = new DesktopShell({
        engine,
        env: nodeValidationEnv(engine),
        paths: { ...paths, userData: app.getPath('userData') },
      });
      await shell.start();
    })
    .catch((err: unknown) => {
      dialog.showErrorBox('Bootdrop could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
      app.exit(1);
    });
}

main();
