/**
 * Is there somewhere for a tray icon to appear? Windows and macOS always have one. On Linux, Electron's
 * tray is a StatusNotifierItem, which shows only when a StatusNotifierWatcher owns its D-Bus name: KDE,
 * XFCE, Cinnamon and Ubuntu's GNOME (AppIndicator extension) have one, stock GNOME (Fedora, Debian) does
 * not. Without it, hiding the window to the tray would leave no way back, so the shell minimises instead.
 */
import { execFile } from 'node:child_process';

export const WATCHER = 'org.kde.StatusNotifierWatcher';

/** Asks the session bus whether the watcher's name has an owner: true, false, or null (could not ask). */
export type WatcherProbe = () => Promise<boolean | null>;

/** Does `name` have an owner on the session bus of `env`? null when the bus cannot be asked. */
export function nameHasOwner(name: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean | null> {
  return new Promise((resolve) => {
    const args = [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      `string:${name}`,
    ];
    execFile('dbus-send', args, { timeout: 3000, env }, (err, stdout) => {
      if (err) return resolve(null);
      // The reply's last line is "   boolean true" or "   boolean false".
      const m = /boolean (true|false)/.exec(stdout);
      resolve(m ? m[1] === 'true' : null);
    });
  });
}

const probeWatcher: WatcherProbe = () => nameHasOwner(WATCHER);

/**
 * When the bus cannot be asked (no dbus-send): a plain "GNOME" desktop has no tray; Ubuntu's reads
 * "ubuntu:GNOME" and ships the AppIndicator extension; every other desktop is assumed to have one.
 */
export function trayGuess(env: NodeJS.ProcessEnv): boolean {
  const desktops = (env.XDG_CURRENT_DESKTOP ?? '').split(':').map((d) => d.trim().toLowerCase());
  if (desktops.includes('gnome') && !desktops.includes('ubuntu') && !desktops.includes('unity')) return false;
  return true;
}

export async function hasTrayHost(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv = process.env,
  probe: WatcherProbe = probeWatcher,
): Promise<boolean> {
  if (platform !== 'linux') return true;
  // No session bus to ask (and dbus-send must not try to autolaunch one through X11).
  if (!env.DBUS_SESSION_BUS_ADDRESS && !env.XDG_RUNTIME_DIR) return trayGuess(env);
  return (await probe()) ?? trayGuess(env);
}
