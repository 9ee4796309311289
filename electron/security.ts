/**
 * Electron security checklist, applied in one place: what counts as our own page, the CSP header, no
 * permissions, no navigation, no new windows, no <webview>, no remote content.
 */
import type { App, Session, WebContents } from 'electron';
import { dirname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where the renderer comes from: the built file, or electron-vite's dev server (`npm run dev`). */
export type AppEntry = { kind: 'file'; indexHtml: string } | { kind: 'dev'; url: string };

/** Is `url` our own renderer page (any hash/query), and nothing else? */
export function isAppUrl(url: string, entry: AppEntry): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (entry.kind === 'file') {
    const own = pathToFileURL(entry.indexHtml);
    return u.protocol === 'file:' && u.host === own.host && u.pathname === own.pathname;
  }
  return u.origin === new URL(entry.url).origin;
}

export function contentSecurityPolicy(entry: AppEntry): string {
  // The dev server needs its HMR socket; the built app talks to nothing but IPC.
  const connect = entry.kind === 'dev' ? `'self' ${new URL(entry.url).origin.replace(/^http/, 'ws')}` : `'self'`;
  return [
    `default-src 'self'`,
    `script-src 'self'`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data:`,
    `connect-src ${connect}`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/** Requests the renderer's session may make: files of its own folder (or the dev server), devtools, inline data. */
export function isAllowedRequest(url: string, entry: AppEntry): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'devtools:' || u.protocol === 'blob:') return true;
  if (entry.kind === 'dev') {
    const dev = new URL(entry.url);
    return u.host === dev.host && (u.protocol === dev.protocol || u.protocol === dev.protocol.replace(/^http/, 'ws'));
  }
  if (u.protocol !== 'file:') return false;
  // Only the renderer's own folder: a compromised page must not read the rest of the disk.
  try {
    return fileURLToPath(u).startsWith(dirname(entry.indexHtml) + sep);
  } catch {
    return false;
  }
}

export function hardenSession(session: Session, entry: AppEntry): void {
  const csp = contentSecurityPolicy(entry);
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // No remote content, ever: the page is local and the engine is reached over IPC only.
  session.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !isAllowedRequest(details.url, entry) }),
  );
}

function guardContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Applies the navigation guards to every webContents the app ever creates (belt and braces). */
export function guardAllWebContents(app: Pick<App, 'on'>): void {
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
}

export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  spellcheck: false,
} as const;
