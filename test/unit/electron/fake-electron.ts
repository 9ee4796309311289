/**
 * Small hand-written stand-ins for the parts of `electron` the shell uses (the real module needs the
 * Electron binary). Tests install them with `vi.mock('electron', () => import('./fake-electron'))`
 * and inspect what the shell did through `fake`.
 */
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;

/** An Electron-style event: handlers may call preventDefault(). */
export function fakeEvent(): { defaultPrevented: boolean; preventDefault(): void } {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export class FakeSession {
  permissionRequest: Listener | null = null;
  permissionCheck: Listener | null = null;
  headersReceived: Listener | null = null;
  beforeRequest: Listener | null = null;
  setPermissionRequestHandler(fn: Listener): void {
    this.permissionRequest = fn;
  }
  setPermissionCheckHandler(fn: Listener): void {
    this.permissionCheck = fn;
  }
  webRequest = {
    onHeadersReceived: (fn: Listener) => {
      this.headersReceived = fn;
    },
    onBeforeRequest: (fn: Listener) => {
      this.beforeRequest = fn;
    },
  };
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly session = new FakeSession();
  destroyed = false;
  sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: Listener | null = null;
  url = '';
  setWindowOpenHandler(fn: Listener): void {
    this.windowOpenHandler = fn;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  get mainFrame(): { url: string } {
    return { url: this.url };
  }
}

export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  focused = false;
  destroyed = false;
  loaded: { file?: string; url?: string } = {};
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = { file };
    this.webContents.url = new URL(`file://${file}`).href;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { url };
    this.webContents.url = url;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  minimize(): void {
    this.minimized = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What the user's close button does: 'close' (preventable), then 'closed'. */
  close(): boolean {
    const e = fakeEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return false;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
    return true;
  }
}

class FakeApp extends EventEmitter {
  lock = true;
  quitCalls = 0;
  exitCode: number | null = null;
  isPackaged = false;
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  quit(): void {
    this.quitCalls++;
  }
  exit(code: number): void {
    this.exitCode = code;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  userData = '/tmp/bootdrop-fake-user-data';
  appPath = '/app';
  getPath(): string {
    return this.userData;
  }
  getAppPath(): string {
    return this.appPath;
  }
}
export const app = new FakeApp();

export const ipcMain = {
  handlers: new Map<string, Listener>(),
  handle(channel: string, fn: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, fn);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
};

export class Tray {
  static created: Tray[] = [];
  image: unknown;
  tooltip = '';
  menu: { template: Array<Record<string, unknown>> } | null = null;
  destroyed = false;
  constructor(image: unknown) {
    this.image = image;
    Tray.created.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(t: string): void {
    this.tooltip = t;
  }
  setContextMenu(menu: { template: Array<Record<string, unknown>> }): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export const Menu = {
  application: null as { template: Array<Record<string, unknown>> } | null,
  buildFromTemplate(template: Array<Record<string, unknown>>) {
    return { template };
  },
  setApplicationMenu(menu: { template: Array<Record<string, unknown>> } | null): void {
    this.application = menu;
  },
};

class FakeImage {
  template?: boolean;
  constructor(readonly path: string) {}
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
}

export const nativeImage = {
  createFromPath(path: string) {
    return new FakeImage(path);
  },
};

/** Keeps the ids it handed out; a test reads `active` to see whether suspension is held off. */
export const powerSaveBlocker = {
  nextId: 1,
  active: new Map<number, string>(),
  start(type: string): number {
    const id = this.nextId++;
    this.active.set(id, type);
    return id;
  },
  stop(id: number): boolean {
    return this.active.delete(id);
  },
  isStarted(id: number): boolean {
    return this.active.has(id);
  },
};

export class Notification extends EventEmitter {
  static shown: Notification[] = [];
  static isSupported(): boolean {
    return true;
  }
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    Notification.shown.push(this);
  }
}

export const dialog = {
  answer: 0,
  shown: [] as unknown[],
  /** What the next open dialogs return (null = the user cancels); what they were asked with. */
  openAnswer: null as string[] | null,
  opened: [] as Array<{ parent: unknown; options: Record<string, unknown> }>,
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    const options = args[args.length - 1] as Record<string, unknown>;
    this.opened.push({ parent: args.length > 1 ? args[0] : null, options });
    return this.openAnswer ? { canceled: false, filePaths: this.openAnswer } : { canceled: true, filePaths: [] };
  },
  async showMessageBox(...args: unknown[]): Promise<{ response: number }> {
    this.shown.push(args[args.length - 1]);
    return { response: this.answer };
  },
  showErrorBox(): void {},
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

export const ipcRenderer = Object.assign(new EventEmitter(), {
  invocations: [] as Array<{ channel: string; req: unknown }>,
  reply: (_channel: string, _req: unknown): unknown => ({ ok: true, value: null }),
  async invoke(channel: string, req: unknown): Promise<unknown> {
    ipcRenderer.invocations.push({ channel, req });
    return ipcRenderer.reply(channel, req);
  },
});

export const webUtils = {
  getPathForFile(file: { name: string }): string {
    return `/home/user/Downloads/${file.name}`;
  },
};

/** Forget everything between tests. */
export function resetFakes(): void {
  BrowserWindow.created = [];
  Tray.created = [];
  Notification.shown = [];
  app.removeAllListeners();
  app.lock = true;
  app.quitCalls = 0;
  app.exitCode = null;
  ipcMain.handlers.clear();
  dialog.answer = 0;
  dialog.shown = [];
  dialog.openAnswer = null;
  dialog.opened = [];
  Menu.application = null;
  powerSaveBlocker.active.clear();
  contextBridge.exposed.clear();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invocations = [];
}

export default {
  app,
  BrowserWindow,
  ipcMain,
  Tray,
  Menu,
  nativeImage,
  Notification,
  dialog,
  powerSaveBlocker,
  contextBridge,
  ipcRenderer,
  webUtils,
};
