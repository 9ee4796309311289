/**
 * Bootdrop's own application menu, replacing Electron's default one (DevTools, electronjs.org links).
 * Pure: the shell turns the template into a Menu (Menu.buildFromTemplate) and hands it the actions.
 */
import type { MenuItemConstructorOptions } from 'electron';

export type AppMenuAction = 'open-isos' | 'open-folder' | 'show' | 'forget-ports';

export function appMenuTemplate(
  platform: NodeJS.Platform,
  onAction: (action: AppMenuAction) => void,
  /** Linux: a remembered port grant is in place, so File offers to undo it. */
  portsRemembered = false,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open ISO…', accelerator: 'CmdOrCtrl+O', click: () => onAction('open-isos') },
      { label: 'Open Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: () => onAction('open-folder') },
      // The Undo for "Remember" in the port dialog: only while that setting is in place.
      ...(portsRemembered
        ? [
            { type: 'separator' } as const,
            { label: 'Stop Allowing the Boot Ports…', click: () => onAction('forget-ports') },
          ]
        : []),
      // macOS quits from the app menu; elsewhere File > Quit is where people look.
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit', label: 'Quit Bootdrop' } as const]),
    ],
  };
  // Text fields need Edit's roles for copy and paste shortcuts on macOS (no menu, no Cmd+V).
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const window: MenuItemConstructorOptions = {
    label: '&Window',
    submenu: [
      { label: 'Show Bootdrop', click: () => onAction('show') },
      { role: 'minimize' },
      ...(mac ? [{ role: 'zoom' } as const, { type: 'separator' } as const, { role: 'front' } as const] : []),
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [{ role: 'about', label: 'About Bootdrop' }],
  };
  if (!mac) return [file, edit, view, window, help];
  const appMenu: MenuItemConstructorOptions = {
    label: 'Bootdrop',
    submenu: [
      { role: 'about', label: 'About Bootdrop' },
      { type: 'separator' },
      { role: 'hide', label: 'Hide Bootdrop' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit', label: 'Quit Bootdrop' },
    ],
  };
  return [appMenu, file, edit, view, window, help];
}
