/**
 * The renderer's WebSocket client against a real `ws` WebSocketServer on 127.0.0.1, speaking the
 * wire protocol of main/contract/wire.ts. The client uses the environment's WebSocket (happy-dom's).
 */
import type { AddressInfo } from 'node:net';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { CONTRACT_VERSION, type EngineEvent } from '../../main/contract/index';
import { WIRE_CLOSE, errorToWire, parseClientMessage, type RequestMessage } from '../../main/contract/wire';
import {
  bridgeUrl,
  connectWebSocket,
  type ApiError,
  type ConnectionInfo,
  type EngineConnection,
} from '../../renderer/src/api/index';
import { useEngineStore } from '../../renderer/src/stores/engine';
import { attachEngine } from '../../renderer/src/stores/sync';
import { snapshot, source } from './fixtures';

type Handler = (m: RequestMessage, socket: ServerSocket) => unknown;

/** A scriptable bridge: answers hello with `version`, requests with `handle` (a throw → error response). */
class Bridge {
  wss!: WebSocketServer;
  port = 0;
  version = CONTRACT_VERSION;
  requests: RequestMessage[] = [];
  hellos = 0;
  connections = 0;
  handle: Handler = () => null;
  /** Requests left unanswered (to test what a disconnect does to them). */
  silent = new Set<string>();
  token = 'secret';

  async start(port = 0): Promise<void> {
    this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port,
      path: '/api',
      verifyClient: (info: { req: { url?: string } }) =>
        new URL(info.req.url ?? '', 'http://x').searchParams.get('token') === this.token,
    });
    await new Promise<void>((resolve) => this.wss.once('listening', resolve));
    this.port = (this.wss.address() as AddressInfo).port;
    this.wss.on('connection', (socket) => {
      this.connections++;
      socket.on('message', async (data) => {
        const parsed = parseClientMessage(data);
        if (!parsed.ok) return socket.close(WIRE_CLOSE.badMessage, parsed.error);
        const m = parsed.message;
        if (m.kind === 'hello') {
          this.hellos++;
          socket.send(JSON.stringify({ kind: 'hello', v: this.version }));
          return;
        }
        this.requests.push(m);
        if (this.silent.has(m.name)) return;
        try {
          const res = await this.handle(m, socket);
          socket.send(JSON.stringify({ kind: 'response', id: m.id, ok: true, res }));
        } catch (e) {
          socket.send(JSON.stringify({ kind: 'response', id: m.id, ok: false, error: errorToWire(e) }));
        }
      });
    });
  }

  url(): string {
    return `ws://127.0.0.1:${this.port}/api?token=${this.token}`;
  }

  broadcast(event: EngineEvent): void {
    for (const c of this.wss.clients) c.send(JSON.stringify({ kind: 'event', event }));
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function bridge(): Promise<Bridge> {
  const b = new Bridge();
  await b.start();
  cleanups.push(() => b.stop());
  return b;
}

function client(url: string, opts: { minDelayMs?: number; maxDelayMs?: number } = {}): EngineConnection {
  const c = connectWebSocket({
    url,
    minDelayMs: opts.minDelayMs ?? 20,
    maxDelayMs: opts.maxDelayMs ?? 100,
    helloTimeoutMs: 2000,
  });
  cleanups.push(() => c.close());
  return c;
}

/** Resolve when the connection reaches `status` (bounded). */
function until(c: EngineConnection, status: ConnectionInfo['status'], ms = 5000): Promise<ConnectionInfo> {
  return new Promise((resolve, reject) => {
    if (c.info().status === status) return resolve(c.info());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`connection stayed ${c.info().status}, expected ${status}`));
    }, ms);
    const off = c.onInfo((info) => {
      if (info.status !== status) return;
      clearTimeout(timer);
      off();
      resolve(info);
    });
  });
}

function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - start > ms) return reject(new Error('condition not reached in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('WebSocket client', () => {
  it('says hello, then answers requests and passes events on', async () => {
    const b = await bridge();
    b.handle = (m) => {
      if (m.name === 'snapshot') return snapshot();
      if (m.name === 'addSource') return source('ubuntu', { path: (m.req as { path: string }).path });
      return null;
    };
    const c = client(b.url());
    expect(c.info().status).toBe('connecting');
    await until(c, 'open');
    expect(b.hellos).toBe(1);

    const snap = await c.api.snapshot();
    expect(snap.version).toBe(CONTRACT_VERSION);
    const added = await c.api.addSource({ path: '/isos/ubuntu.iso' });
    expect(added.path).toBe('/isos/ubuntu.iso');
    expect(b.requests.map((r) => [r.name, r.req])).toEqual([
      ['snapshot', undefined],
      ['addSource', { path: '/isos/ubuntu.iso' }],
    ]);
    // A void request answers with whatever the bridge sent (null here).
    await expect(c.api.removeSource({ id: 'x' })).resolves.toBeNull();

    const events: EngineEvent[] = [];
    const off = c.api.onEvent((e) => events.push(e));
    b.broadcast({ type: 'sources', sources: [] });
    b.broadcast({ type: 'log', entry: { time: 1, level: 'info', scope: 'dhcp', message: 'hi' } });
    await waitFor(() => events.length === 2);
    expect(events.map((e) => e.type)).toEqual(['sources', 'log']);
    off();
    b.broadcast({ type: 'sources', sources: [] });
    await c.api.removeSource({ id: 'y' }); // a round trip later, the unsubscribed listener saw nothing
    expect(events).toHaveLength(2);
  });

  it('rejects with the server error, code and remedy', async () => {
    const b = await bridge();
    b.handle = () => {
      throw Object.assign(new Error('UDP port 67 is in use'), { code: 'EADDRINUSE', remedy: 'Stop dnsmasq.' });
    };
    const c = client(b.url());
    await until(c, 'open');
    const err = await c.api.start().catch((e: ApiError) => e);
    expect(err).toMatchObject({
      name: 'ApiError',
      code: 'EADDRINUSE',
      message: 'UDP port 67 is in use',
      remedy: 'Stop dnsmasq.',
    });
  });

  it('rejects pending requests when the connection drops, then reconnects with backoff', async () => {
    const b = await bridge();
    b.silent.add('exportLog');
    const c = client(b.url());
    await until(c, 'open');
    const pending = c.api.exportLog().catch((e: ApiError) => e);
    await waitFor(() => b.requests.length === 1);
    for (const s of b.wss.clients) s.terminate();
    const err = await pending;
    expect(err).toMatchObject({ code: 'EDISCONNECTED' });
    expect((err as ApiError).message).toMatch(/waiting for "exportLog"/);
    const lost = await until(c, 'reconnecting');
    expect(lost.problem?.code).toBe('EDISCONNECTED');
    expect(lost.retryAt).toBeGreaterThan(0);
    await until(c, 'open');
    expect(b.connections).toBe(2);
    expect(b.hellos).toBe(2);
    b.silent.clear();
    await expect(c.api.exportLog()).resolves.toBeNull();
  });

  it('refuses requests while not connected instead of queueing them', async () => {
    const b = await bridge();
    const port = b.port;
    await b.stop();
    cleanups.pop();
    const c = client(`ws://127.0.0.1:${port}/api?token=secret`, { minDelayMs: 50, maxDelayMs: 50 });
    await until(c, 'reconnecting');
    await expect(c.api.snapshot()).rejects.toMatchObject({ code: 'EDISCONNECTED' });
    // The engine comes back on the same port: the client finds it by itself.
    const again = new Bridge();
    await again.start(port);
    cleanups.push(() => again.stop());
    await until(c, 'open');
    expect(again.hellos).toBe(1);
  });

  it('stops with a clear message on a version mismatch', async () => {
    const b = await bridge();
    b.version = CONTRACT_VERSION + 1;
    const c = client(b.url());
    const info = await until(c, 'incompatible');
    expect(info.problem?.message).toMatch(new RegExp(`version ${CONTRACT_VERSION} .* version ${CONTRACT_VERSION + 1}`));
    expect(info.problem?.remedy).toMatch(/Reload the page/);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.connections).toBe(1); // no retries
    await expect(c.api.snapshot()).rejects.toMatchObject({ code: 'EDISCONNECTED' });
  });

  it('stops on the close codes that retrying cannot fix', async () => {
    const b = await bridge();
    b.handle = (_m, socket) => {
      socket.close(WIRE_CLOSE.versionMismatch, `version ${CONTRACT_VERSION + 5}`);
      return null;
    };
    const c = client(b.url());
    await until(c, 'open');
    const pending = c.api.snapshot().catch((e: ApiError) => e);
    const info = await until(c, 'incompatible');
    expect(info.problem?.message).toMatch(`version ${CONTRACT_VERSION + 5}`);
    expect(await pending).toMatchObject({ code: 'EDISCONNECTED' });

    const b2 = await bridge();
    b2.handle = (_m, socket) => {
      socket.close(WIRE_CLOSE.unauthorized, 'bad token');
      return null;
    };
    const c2 = client(b2.url());
    await until(c2, 'open');
    void c2.api.snapshot().catch(() => undefined);
    const denied = await until(c2, 'unauthorized');
    expect(denied.problem?.remedy).toMatch(/bootdrop serve --ui/);
  });

  it('keeps retrying when the token is refused at the handshake (indistinguishable from a restart)', async () => {
    const b = await bridge();
    const c = client(`ws://127.0.0.1:${b.port}/api?token=wrong`);
    await until(c, 'reconnecting');
    expect(b.connections).toBe(0);
  });

  it('feeds the stores: a snapshot on every (re)connect', async () => {
    const b = await bridge();
    let sources = [source('arch')];
    b.handle = (m) => (m.name === 'snapshot' ? snapshot({ sources }) : null);
    const c = client(b.url());
    const pinia = createPinia();
    cleanups.push(attachEngine(c, pinia));
    const store = useEngineStore(pinia);
    await waitFor(() => store.ready);
    expect(store.sources.map((s) => s.id)).toEqual(['arch']);
    b.broadcast({ type: 'sources', sources: [source('arch'), source('alpine')] });
    await waitFor(() => store.sources.length === 2);

    sources = [source('memtest')];
    for (const s of b.wss.clients) s.terminate();
    await waitFor(() => store.connection.status === 'reconnecting');
    await waitFor(() => store.connection.status === 'open' && store.sources[0]?.id === 'memtest');
    expect(b.requests.filter((r) => r.name === 'snapshot')).toHaveLength(2);
  });
});

describe('bridgeUrl', () => {
  it('derives the socket address from the page address and its token', () => {
    expect(bridgeUrl('http://127.0.0.1:5123/?token=abc')).toBe('ws://127.0.0.1:5123/api?token=abc');
    expect(bridgeUrl('http://127.0.0.1:5123/index.html?x=1&token=a%2Bb#top')).toBe(
      'ws://127.0.0.1:5123/api?token=a%2Bb',
    );
    expect(bridgeUrl('https://localhost:9/?token=t')).toBe('wss://localhost:9/api?token=t');
    expect(bridgeUrl('http://127.0.0.1:5123/')).toBeNull();
    expect(bridgeUrl('file:///opt/bootdrop/index.html?token=t')).toBeNull();
  });
});
