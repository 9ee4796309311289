/**
 * The main window: secure web preferences, our page only, and close-to-tray — while serving, closing
 * the window hides it (PCs may be mid-boot); quitting is for the tray / app menu, or when idle. Where no
 * tray icon can show (stock GNOME), it is minimised instead: the taskbar entry is the way back.
 */
import type { BrowserWindow as BrowserWindowType, BrowserWindowConstructorOptions } from 'electron';
import { SECURE_WEB_PREFERENCES, type AppEntry } from './security';

type BrowserWindowCtor = new (options: BrowserWindowConstructorOptions) => BrowserWindowType;

export interface MainWindowOptions {
  BrowserWindow: BrowserWindowCtor;
  preload: string;
  entry: AppEntry;
  icon?: string;
}

function mainWindowOptions(preload: string, icon?: string): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    title: 'Bootdrop',
    show: false, // shown on ready-to-show: no white flash
    ...(icon ? { icon } : {}),
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload },
  };
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindowType {
  const win = new opts.BrowserWindow(mainWindowOptions(opts.preload, opts.icon));
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void (opts.entry.kind === 'file' ? win.loadFile(opts.entry.indexHtml) : win.loadURL(opts.entry.url));
  return win;
}

export interface CloseToTrayPolicy {
  isServing(): boolean;
  isQuitting(): boolean;
  /** Whether a tray icon is there to bring the window back; without one the window only minimises. */
  hasTray(): boolean;
  /** Told once the window was hidden (or minimised) instead of closed, e.g. to explain it in a notification. */
  onHidden?(how: 'hidden' | 'minimized'): void;
}

export function attachCloseToTray(
  win: Pick<BrowserWindowType, 'on' | 'hide' | 'minimize'>,
  policy: CloseToTrayPolicy,
): void {
  win.on('close', (event) => {
    if (policy.isQuitting() || !policy.isServing()) return;
    event.preventDefault();
    const how = policy.hasTray() ? 'hidden' : 'minimized';
    if (how === 'hidden') win.hide();
    else win.minimize();
    policy.onHidden?.(how);
  });
}

/** Bring the window to the front (second instance, tray "Show window"). */
export function revealWindow(win: Pick<BrowserWindowType, 'isMinimized' | 'restore' | 'show' | 'focus'>): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
