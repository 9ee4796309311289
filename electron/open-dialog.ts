/**
 * The system's own open dialog for "Open…" in the desktop app: ISO files (several at once) or one
 * folder. The renderer adds whatever comes back through the usual addSource request.
 */
import type { OpenDialogOptions } from 'electron';
import type { OpenDialogKind } from '../main/contract/shell';

export function openDialogOptions(kind: OpenDialogKind): OpenDialogOptions {
  if (kind === 'folder') {
    return {
      title: 'Open a folder with a bootable system',
      buttonLabel: 'Open folder',
      properties: ['openDirectory'],
    };
  }
  return {
    title: 'Open ISO images',
    buttonLabel: 'Open',
    properties: ['openFile', 'multiSelections'],
    // GTK matches patterns case-sensitively, and many ISOs from Windows tools are named *.ISO.
    filters: [
      { name: 'Disk images (ISO)', extensions: ['iso', 'ISO'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
}
