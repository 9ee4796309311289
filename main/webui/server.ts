/**
 * `bootdrop serve --ui`: the renderer in a browser, on 127.0.0.1 only, behind a random token. Static
 * files come from the built UI folder; the engine is reached through the WebSocket bridge at
 * WIRE_PATH. Never imports electron.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { BootdropApi } from '../contract';
import type { ValidationEnv } from '../contract/validate';
import { WIRE_CLOSE, WIRE_PATH, WIRE_TOKEN_PARAM } from '../contract/wire';
import { checkRequest, cookieName, hostAllowed, originAllowed, parseCookies, tokenMatches } from './access';
import { WireBridge } from './bridge';
import { resolveStaticFile } from './static-files';
import { nodeValidationEnv } from './validation-env';

export interface WebUiOptions {
  api: BootdropApi;
  /** 0 (default) = any free port. */
  port?: number;
  /** Loopback only, by design: the token is the only lock, so the UI is never put on the network. */
  host?: '127.0.0.1';
  /** The browser build of the renderer (dist/ui). */
  uiDir: string;
  /** Defaults to checking paths on disk and interfaces through the api. */
  env?: ValidationEnv;
}

/** The browser build is missing (a checkout where `npm ci` / `npm run build:ui` has not run). */
class UiNotBuiltError extends Error {
  readonly code = 'ENOUI';
  readonly remedy: string;
  constructor(indexHtml: string) {
    super(`the browser UI is not built: ${indexHtml} is missing`);
    this.name = 'UiNotBuiltError';
    this.remedy = 'build it with "npm run build:ui" in the Bootdrop checkout (npm ci does this too)';
  }
}

export interface WebUi {
  /** Open this in a browser: http://127.0.0.1:<port>/?token=<token> */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MAX_FRAME_BYTES = 1024 * 1024;

function contentSecurityPolicy(port: number): string {
  return [
    `default-src 'self'`,
    `script-src 'self'`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data:`,
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text + '\n');
}

function rejectUpgrade(socket: Socket, status: 403 | 404, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nContent-Type: text/plain\r\nConnection: ` +
      `close\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

export async function startWebUi(opts: WebUiOptions): Promise<WebUi> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`the web UI only listens on 127.0.0.1 (asked for ${String(host)})`);
  try {
    await access(join(opts.uiDir, 'index.html'));
  } catch {
    throw new UiNotBuiltError(join(opts.uiDir, 'index.html'));
  }
  const token = randomBytes(24).toString('base64url');
  const env = opts.env ?? nodeValidationEnv(opts.api);
  const bridge = new WireBridge({ api: opts.api, env });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let port = 0;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void serveStatic(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return refuse(res, 405, 'only GET and HEAD');
    }
    const verdict = checkRequest(
      {
        host: req.headers.host,
        origin: req.headers.origin,
        cookie: req.headers.cookie,
        queryToken: url.searchParams.get(WIRE_TOKEN_PARAM),
      },
      { token, port },
    );
    if (!verdict.ok)
      return refuse(res, 403, `Forbidden (${verdict.why}). Open the address printed by "bootdrop serve --ui".`);
    if (url.pathname === WIRE_PATH) return refuse(res, 426, 'WebSocket endpoint');
    const file = await resolveStaticFile(opts.uiDir, url.pathname);
    if (!file) return refuse(res, 404, 'not found');
    const headers: Record<string, string | string[]> = {
      'Content-Type': file.contentType,
      'Content-Length': String(file.size),
      'Content-Security-Policy': contentSecurityPolicy(port),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      // The page address carries the token: never leak it in a Referer.
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': file.contentType.startsWith('text/html') ? 'no-store' : 'private, max-age=3600',
    };
    // Assets referenced by the page carry no token: a cookie (HttpOnly, this site only) lets them in.
    if (verdict.via === 'query')
      headers['Set-Cookie'] = `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== WIRE_PATH) return rejectUpgrade(socket, 404, 'not found');
    // Other web pages (any Origin but ours) and non-browser clients without Origin never get in.
    if (!hostAllowed(req.headers.host, port) || !originAllowed(req.headers.origin, port)) {
      return rejectUpgrade(socket, 403, 'forbidden: wrong Host or Origin');
    }
    const authorized =
      tokenMatches(url.searchParams.get(WIRE_TOKEN_PARAM), token) ||
      tokenMatches(parseCookies(req.headers.cookie).get(cookieName(port)), token);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Our own page with a stale token (Bootdrop restarted): tell it in the protocol's words so it
      // stops retrying and asks for the new address. No message from it is ever read.
      if (!authorized) return ws.close(WIRE_CLOSE.unauthorized, 'missing or wrong token');
      bridge.attach(ws);
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void => {
      bridge.close();
      const why =
        err.code === 'EADDRINUSE' ? 'the port is in use (choose another one, or 0 for any free port)' : err.message;
      reject(
        Object.assign(new Error(`the web UI cannot listen on ${host}:${opts.port ?? 0}: ${why}`), { code: err.code }),
      );
    };
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/?${WIRE_TOKEN_PARAM}=${token}`,
    token,
    port,
    close() {
      closing ??= (async () => {
        bridge.close();
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
