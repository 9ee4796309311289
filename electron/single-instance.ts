/**
 * One Bootdrop per user session: two instances would fight over ports 67/69/4011. A second launch
 * focuses the first one's window and exits.
 */
import type { App } from 'electron';

/** true when this process is the one to run; false when it should quit (another one is running). */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>,
  focus: () => void,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => focus());
  return true;
}
