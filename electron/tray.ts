/**
 * Draws a TrayModel with Electron's Tray and Menu. All decisions live in tray-model.ts.
 */
import type { Menu as MenuType, MenuItemConstructorOptions, NativeImage, Tray as TrayType } from 'electron';
import { join } from 'node:path';
import type { TrayAction, TrayIconName, TrayItem, TrayModel } from './tray-model';

export interface TrayDeps {
  Tray: new (image: NativeImage | string) => TrayType;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): MenuType };
  nativeImage: { createFromPath(path: string): NativeImage };
  /** Folder with idle.png, serving.png, transferring.png (+ @2x, + the <state>Template.png variants). */
  iconDir: string;
  /** macOS: black-and-alpha template images, which the menu bar tints for light and dark mode. */
  template?: boolean;
  onAction(action: TrayAction, checked?: boolean): void;
}

function menuTemplate(items: TrayItem[], onAction: TrayDeps['onAction']): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'checkbox':
        return {
          type: 'checkbox',
          label: item.label,
          checked: item.checked,
          enabled: item.enabled,
          click: (mi) => onAction(item.action, mi.checked),
        };
      case 'action':
        return { label: item.label, click: () => onAction(item.action) };
    }
  });
}

export class StatusTray {
  private tray: TrayType | null = null;
  private icon: TrayIconName | null = null;
  private readonly images = new Map<TrayIconName, NativeImage>();

  constructor(private readonly deps: TrayDeps) {}

  private image(name: TrayIconName): NativeImage {
    let img = this.images.get(name);
    if (!img) {
      // nativeImage picks up name@2x.png next to it on HiDPI screens.
      const file = this.deps.template ? `${name}Template.png` : `${name}.png`;
      img = this.deps.nativeImage.createFromPath(join(this.deps.iconDir, file));
      if (this.deps.template) img.setTemplateImage(true);
      this.images.set(name, img);
    }
    return img;
  }

  show(model: TrayModel): void {
    if (!this.tray) {
      this.tray = new this.deps.Tray(this.image(model.icon));
      this.icon = model.icon;
    } else if (this.icon !== model.icon) {
      this.tray.setImage(this.image(model.icon));
      this.icon = model.icon;
    }
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(this.deps.Menu.buildFromTemplate(menuTemplate(model.items, this.deps.onAction)));
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = null;
  }
}
