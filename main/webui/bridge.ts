/**
 * The WebSocket side of the browser UI: each connection says hello (same contract version), then
 * sends requests that are validated exactly like Electron IPC (contract/validate.ts) before reaching
 * the engine; engine events fan out to every connected page. A bad frame closes only that
 * connection (WIRE_CLOSE.badMessage); nothing a page sends can take the server down.
 */
import type { RawData, WebSocket } from 'ws';
import { CONTRACT_VERSION, type BootdropApi, type EngineEvent } from '../contract';
import { dispatchRequest, type ValidationEnv } from '../contract/validate';
import { WIRE_CLOSE, errorToWire, helloMessage, parseClientMessage, type ServerMessage } from '../contract/wire';

export interface BridgeOptions {
  api: BootdropApi;
  env: ValidationEnv;
  /** A page that lets this much pile up unread is dropped rather than growing memory. */
  maxBufferedBytes?: number;
  /** Requests one page may have in flight at once. */
  maxInFlight?: number;
  /** How long a new connection has to say hello. */
  helloTimeoutMs?: number;
}

const OPEN = 1;

/** WebSocket close reasons are limited to 123 bytes. */
function reason(text: string): string {
  return Buffer.from(text).subarray(0, 120).toString();
}

export class WireBridge {
  private readonly pages = new Set<WebSocket>();
  private readonly unsubscribe: () => void;
  private readonly maxBuffered: number;
  private readonly maxInFlight: number;
  private readonly helloTimeoutMs: number;

  constructor(private readonly opts: BridgeOptions) {
    this.maxBuffered = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.maxInFlight = opts.maxInFlight ?? 64;
    this.helloTimeoutMs = opts.helloTimeoutMs ?? 10_000;
    this.unsubscribe = opts.api.onEvent((event) => this.broadcast(event));
  }

  get connected(): number {
    return this.pages.size;
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState !== OPEN) return;
    if (ws.bufferedAmount > this.maxBuffered) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  }

  broadcast(event: EngineEvent): void {
    for (const ws of this.pages) this.send(ws, { kind: 'event', event });
  }

  /** Take over an authorized, upgraded connection. */
  attach(ws: WebSocket): void {
    let greeted = false;
    let inFlight = 0;
    const helloTimer = setTimeout(() => ws.close(WIRE_CLOSE.badMessage, 'no hello'), this.helloTimeoutMs);
    const bad = (why: string): void => {
      clearTimeout(helloTimer);
      ws.close(WIRE_CLOSE.badMessage, reason(why));
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return bad('binary frames are not part of the protocol');
      const parsed = parseClientMessage(
        Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'),
      );
      if (!parsed.ok) return bad(parsed.error);
      const msg = parsed.message;
      if (!greeted) {
        if (msg.kind !== 'hello') return bad('the first message must be hello');
        clearTimeout(helloTimer);
        this.send(ws, helloMessage());
        if (msg.v !== CONTRACT_VERSION) {
          ws.close(WIRE_CLOSE.versionMismatch, `version ${CONTRACT_VERSION}`);
          return;
        }
        greeted = true;
        this.pages.add(ws);
        return;
      }
      if (msg.kind === 'hello') return; // harmless repeat
      if (inFlight >= this.maxInFlight) {
        this.send(ws, {
          kind: 'response',
          id: msg.id,
          ok: false,
          error: {
            code: 'EBUSY',
            message: `too many requests in flight (at most ${this.maxInFlight})`,
            remedy: 'wait for earlier requests to finish',
          },
        });
        return;
      }
      inFlight++;
      dispatchRequest(this.opts.api, msg.name, msg.req, this.opts.env)
        .then(
          (res) =>
            this.send(
              ws,
              res === undefined
                ? { kind: 'response', id: msg.id, ok: true }
                : { kind: 'response', id: msg.id, ok: true, res },
            ),
          (err: unknown) => this.send(ws, { kind: 'response', id: msg.id, ok: false, error: errorToWire(err) }),
        )
        .finally(() => {
          inFlight--;
        });
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      this.pages.delete(ws);
    });
    // Socket errors (resets, oversized frames) end this connection only.
    ws.on('error', () => this.pages.delete(ws));
  }

  close(): void {
    this.unsubscribe();
    for (const ws of this.pages) ws.close(1001, 'server shutting down');
    this.pages.clear();
  }
}
