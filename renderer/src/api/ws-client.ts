/**
 * BootdropApi over the browser bridge's WebSocket (protocol: main/contract/wire.ts).
 *
 * One socket at a time. After open the client says hello and waits for the server's hello before
 * it reports `open`; a different contract version is fatal (the page must be reloaded). Lost
 * connections are retried with capped exponential backoff; requests in flight when the socket drops
 * are rejected (the engine may or may not have acted: the snapshot after reconnect tells).
 */
import {
  CONTRACT_VERSION,
  type BootdropApi,
  type EngineEvent,
  type RequestName,
  type RequestOf,
  type ResponseOf,
} from '../../../main/contract/index';
import {
  WIRE_CLOSE,
  helloMessage,
  parseServerMessage,
  type RequestMessage,
  type ServerMessage,
} from '../../../main/contract/wire';
import type { ConnectionInfo, EngineConnection } from './connection';
import { ApiError } from './errors';

// Handler properties compared bivariantly (like methods), so DOM, happy-dom and undici WebSockets all fit.
type Listener<E> = { bivarianceHack(ev: E): void }['bivarianceHack'];

/** The part of the WebSocket API this client uses (the browser's, or happy-dom's in tests). */
interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Listener<unknown> | null;
  onmessage: Listener<{ data: unknown }> | null;
  onclose: Listener<{ code: number; reason: string }> | null;
  onerror: Listener<unknown> | null;
}
type SocketFactory = (url: string) => SocketLike;

export interface WsClientOptions {
  url: string;
  /** Defaults to the global WebSocket. */
  createSocket?: SocketFactory;
  /** First retry delay; doubles per failed attempt up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A server that accepts the socket but never says hello is treated as down. */
  helloTimeoutMs?: number;
}

interface Pending {
  name: RequestName;
  resolve(value: unknown): void;
  reject(error: ApiError): void;
}

const OPEN = 1;

export function connectWebSocket(options: WsClientOptions): EngineConnection {
  const createSocket: SocketFactory = options.createSocket ?? ((url) => new WebSocket(url));
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 8000;
  const helloTimeout = options.helloTimeoutMs ?? 5000;

  let info: ConnectionInfo = { status: 'connecting', problem: null, retryAt: null };
  const infoListeners = new Set<(info: ConnectionInfo) => void>();
  const eventListeners = new Set<(event: EngineEvent) => void>();
  const pending = new Map<number, Pending>();
  let socket: SocketLike | null = null;
  let nextId = 1;
  let failures = 0;
  let closedByUser = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let helloTimer: ReturnType<typeof setTimeout> | null = null;

  function setInfo(next: ConnectionInfo): void {
    info = next;
    for (const l of infoListeners) l(info);
  }

  function rejectAll(reason: string): void {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(
        new ApiError({
          code: 'EDISCONNECTED',
          message: `Lost the connection to Bootdrop while waiting for "${p.name}" (${reason}).`,
          remedy:
            'Check that Bootdrop is still running; this page reconnects by itself. The screen shows what the engine did.',
        }),
      );
    }
  }

  function clearTimers(): void {
    if (retryTimer) clearTimeout(retryTimer);
    if (helloTimer) clearTimeout(helloTimer);
    retryTimer = helloTimer = null;
  }

  function fatal(status: 'incompatible' | 'unauthorized', message: string, remedy: string): void {
    closedByUser = true; // no retries: only a reload or a fresh link can fix this
    clearTimers();
    const s = socket;
    socket = null;
    if (s) {
      detach(s);
      s.close();
    }
    rejectAll(message);
    setInfo({
      status,
      problem: { code: status === 'incompatible' ? 'EVERSION' : 'EAUTH', message, remedy },
      retryAt: null,
    });
  }

  function versionMismatch(serverVersion: number): void {
    fatal(
      'incompatible',
      `This page speaks Bootdrop protocol version ${CONTRACT_VERSION} but the running Bootdrop speaks ${Number.isFinite(serverVersion) ? `version ${serverVersion}` : 'a different version'}.`,
      'Reload the page so it matches the running Bootdrop (or restart Bootdrop if it was just updated).',
    );
  }

  function unauthorized(): void {
    fatal(
      'unauthorized',
      'Bootdrop refused this page: the access token in the address is missing or no longer valid.',
      'Open the address printed by `bootdrop serve --ui` again (it changes every time Bootdrop starts).',
    );
  }

  function detach(s: SocketLike): void {
    s.onopen = s.onmessage = s.onerror = null;
    s.onclose = null;
  }

  function scheduleRetry(reason: string): void {
    if (closedByUser) return;
    const delay = Math.min(maxDelay, minDelay * 2 ** failures);
    failures++;
    const retryAt = Date.now() + delay;
    setInfo({
      status: 'reconnecting',
      problem: {
        code: 'EDISCONNECTED',
        message: `Not connected to Bootdrop (${reason}).`,
        remedy: 'Check that Bootdrop is still running; retrying automatically.',
      },
      retryAt,
    });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      open();
    }, delay);
  }

  function onMessage(message: ServerMessage): void {
    if (message.kind === 'hello') {
      if (message.v !== CONTRACT_VERSION) return versionMismatch(message.v);
      if (helloTimer) clearTimeout(helloTimer);
      helloTimer = null;
      failures = 0;
      setInfo({ status: 'open', problem: null, retryAt: null });
      return;
    }
    if (info.status !== 'open') return; // nothing counts before the version check
    if (message.kind === 'event') {
      for (const l of eventListeners) l(message.event);
      return;
    }
    const p = pending.get(message.id);
    if (!p) return; // answer to a request rejected by an earlier disconnect
    pending.delete(message.id);
    if (message.ok) p.resolve(message.res);
    else p.reject(new ApiError(message.error));
  }

  function open(): void {
    let s: SocketLike;
    try {
      s = createSocket(options.url);
    } catch (e) {
      scheduleRetry(e instanceof Error ? e.message : String(e));
      return;
    }
    socket = s;
    s.onopen = () => {
      s.send(JSON.stringify(helloMessage()));
      helloTimer = setTimeout(() => {
        helloTimer = null;
        s.close(WIRE_CLOSE.badMessage, 'no hello');
      }, helloTimeout);
    };
    s.onmessage = (ev) => {
      const parsed = parseServerMessage(ev.data);
      if (!parsed.ok) {
        console.warn(`bootdrop: ignoring a malformed message from the bridge: ${parsed.error}`);
        return;
      }
      onMessage(parsed.message);
    };
    s.onerror = () => {
      // A close event always follows; that is where retries happen.
    };
    s.onclose = (ev) => {
      detach(s);
      if (socket !== s) return;
      socket = null;
      if (helloTimer) clearTimeout(helloTimer);
      helloTimer = null;
      if (ev.code === WIRE_CLOSE.versionMismatch) return versionMismatch(parseVersion(ev.reason));
      if (ev.code === WIRE_CLOSE.unauthorized) return unauthorized();
      const reason =
        ev.code === 1006 || !ev.code
          ? 'connection closed'
          : `closed with code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''}`;
      rejectAll(reason);
      scheduleRetry(reason);
    };
  }

  function call<K extends RequestName>(name: K, req: RequestOf<K>): Promise<ResponseOf<K>> {
    const s = socket;
    if (!s || s.readyState !== OPEN || info.status !== 'open') {
      return Promise.reject(
        new ApiError({
          code: 'EDISCONNECTED',
          message: `Cannot send "${name}": not connected to Bootdrop.`,
          remedy: 'Wait for the connection to come back, then try again.',
        }),
      );
    }
    const id = nextId++;
    const message: RequestMessage = { kind: 'request', id, name };
    if (req !== undefined) message.req = req;
    return new Promise<ResponseOf<K>>((resolve, reject) => {
      pending.set(id, { name, resolve: resolve as (value: unknown) => void, reject });
      s.send(JSON.stringify(message));
    });
  }

  const api: BootdropApi = {
    snapshot: () => call('snapshot', undefined),
    refreshInterfaces: () => call('refreshInterfaces', undefined),
    addSource: (req) => call('addSource', req),
    removeSource: (req) => call('removeSource', req),
    setInterface: (req) => call('setInterface', req),
    setMode: (req) => call('setMode', req),
    setMenu: (req) => call('setMenu', req),
    start: () => call('start', undefined),
    stop: () => call('stop', undefined),
    recheckFirewall: () => call('recheckFirewall', undefined),
    browse: (req) => call('browse', req),
    exportLog: () => call('exportLog', undefined),
    volumes: () => call('volumes', undefined),
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
  };

  open();

  return {
    api,
    info: () => info,
    onInfo(listener) {
      infoListeners.add(listener);
      return () => infoListeners.delete(listener);
    },
    close() {
      closedByUser = true;
      clearTimers();
      const s = socket;
      socket = null;
      if (s) {
        detach(s);
        s.close(1000, 'page closed');
      }
      rejectAll('the page closed the connection');
    },
  };
}

/** The server may put its version in the close reason ("version 2"); otherwise it is unknown. */
function parseVersion(reason: string): number {
  const m = /(\d+)/.exec(reason);
  return m ? Number(m[1]) : NaN;
}
