import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CONTRACT_VERSION } from '../../../main/contract';
import { WIRE_CLOSE } from '../../../main/contract/wire';
import { startWebUi, type WebUi } from '../../../main/webui';
import { IDLE, StubApi } from './stub-api';

let dir: string;
let uiDir: string;
let iso: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootdrop-webui-'));
  uiDir = join(dir, 'ui');
  mkdirSync(join(uiDir, 'assets'), { recursive: true });
  writeFileSync(
    join(uiDir, 'index.html'),
    '<!doctype html><title>Bootdrop</title><script type="module" src="./assets/app.js"></script>',
  );
  writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(uiDir, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
  symlinkSync(join(dir, 'secret.txt'), join(uiDir, 'assets', 'leak.txt'));
  iso = join(dir, 'arch.iso');
  writeFileSync(iso, 'iso');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(ui: WebUi, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: ui.port, path, method, headers: { host: `127.0.0.1:${ui.port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A ws client that queues every message and reports how it closed. */
class Page {
  readonly ws: WebSocket;
  private queue: unknown[] = [];
  private waiters: Array<(m: unknown) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  private nextId = 1;

  constructor(url: string, origin: string | undefined) {
    this.ws = new WebSocket(url, origin === undefined ? {} : { origin });
    this.ws.on('message', (data) => {
      const m: unknown = JSON.parse(String(data));
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    this.opened = new Promise((resolve, reject) => {
      this.ws.on('open', () => resolve());
      this.ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.on('error', reject);
    });
    // Tests that expect a refusal await `opened` themselves; others may terminate before it settles.
    this.opened.catch(() => undefined);
  }

  next(timeoutMs = 3000): Promise<Record<string, unknown>> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no message within timeout')), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(t);
        resolve(m as Record<string, unknown>);
      });
    });
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  async hello(): Promise<void> {
    await this.opened;
    this.send({ kind: 'hello', v: CONTRACT_VERSION });
    expect(await this.next()).toEqual({ kind: 'hello', v: CONTRACT_VERSION });
  }

  async call(name: string, req?: unknown): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    this.send(req === undefined ? { kind: 'request', id, name } : { kind: 'request', id, name, req });
    for (;;) {
      const m = await this.next();
      if (m.kind === 'response' && m.id === id) return m;
    }
  }
}

describe('startWebUi', () => {
  let api: StubApi;
  let ui: WebUi;
  const pages: Page[] = [];

  function page(opts: { token?: string | null; origin?: string | null } = {}): Page {
    const token = opts.token === undefined ? ui.token : opts.token;
    const url = `ws://127.0.0.1:${ui.port}/api${token === null ? '' : `?token=${token}`}`;
    const origin = opts.origin === undefined ? `http://127.0.0.1:${ui.port}` : (opts.origin ?? undefined);
    const p = new Page(url, origin);
    pages.push(p);
    return p;
  }

  beforeAll(async () => {
    api = new StubApi();
    ui = await startWebUi({ api, uiDir, port: 0 });
  });
  afterEach(() => {
    for (const p of pages.splice(0)) p.ws.terminate();
    api.calls = [];
  });
  afterAll(async () => ui?.close());

  it('says how to build the UI when it is missing (not "free the port")', async () => {
    const err = await startWebUi({ api: new StubApi(), uiDir: join(dir, 'not-built') }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ENOUI',
      message: `the browser UI is not built: ${join(dir, 'not-built', 'index.html')} is missing`,
      remedy: expect.stringContaining('npm run build:ui') as unknown,
    });
  });

  it('prints a loopback URL with a random token', async () => {
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/?token=${ui.token}`);
    expect(ui.token.length).toBeGreaterThanOrEqual(32);
    const other = await startWebUi({ api: new StubApi(), uiDir });
    expect(other.token).not.toBe(ui.token);
    await other.close();
  });

  it('serves the page only with the token, then lets assets in by cookie', async () => {
    expect((await get(ui, '/')).status).toBe(403);
    expect((await get(ui, '/?token=wrong')).status).toBe(403);
    const page = await get(ui, `/?token=${ui.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain(`ws://127.0.0.1:${ui.port}`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toBe(`bootdrop_${ui.port}=${ui.token}`);
    expect(String(page.headers['set-cookie'])).toContain('HttpOnly');

    expect((await get(ui, '/assets/app.js')).status).toBe(403);
    const js = await get(ui, '/assets/app.js', { cookie });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1)');
    expect((await get(ui, '/assets/style.css', { cookie })).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(ui, '/assets/missing.js', { cookie })).status).toBe(404);
    const head = await get(ui, '/assets/app.js', { cookie }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('never serves files outside the UI folder', async () => {
    const cookie = `bootdrop_${ui.port}=${ui.token}`;
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/leak.txt',
      '/%00',
      '/.hidden',
    ]) {
      const r = await get(ui, path, { cookie });
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('not for the browser');
    }
  });

  it('refuses foreign Host and Origin headers and non-GET methods', async () => {
    const cookie = `bootdrop_${ui.port}=${ui.token}`;
    expect((await get(ui, `/?token=${ui.token}`, { host: `evil.example:${ui.port}` })).status).toBe(403);
    expect((await get(ui, '/assets/app.js', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(ui, `/?token=${ui.token}`, {}, 'POST')).status).toBe(405);
  });

  it('refuses WebSocket upgrades from other origins or without an Origin', async () => {
    await expect(page({ origin: 'http://evil.example' }).opened).rejects.toThrow('HTTP 403');
    await expect(page({ origin: `http://127.0.0.1:${ui.port + 1}` }).opened).rejects.toThrow('HTTP 403');
    await expect(page({ origin: null }).opened).rejects.toThrow('HTTP 403');
    expect(api.calls).toEqual([]);
  });

  it('closes our own page with "unauthorized" when its token is missing or stale, reading nothing', async () => {
    for (const token of [null, 'stale']) {
      const p = page({ token });
      p.ws.on('open', () => p.send({ kind: 'request', id: 1, name: 'start' }));
      expect((await p.closed).code).toBe(WIRE_CLOSE.unauthorized);
    }
    expect(api.calls).toEqual([]);
  });

  it('answers requests after the hello', async () => {
    const p = page();
    await p.hello();
    const snap = await p.call('snapshot');
    expect(snap).toMatchObject({ kind: 'response', ok: true, res: { version: CONTRACT_VERSION, state: IDLE } });
    expect(await p.call('stop')).toMatchObject({ ok: true, res: IDLE });
    expect(await p.call('removeSource', { id: 'arch' })).toEqual({ kind: 'response', id: 3, ok: true });
    expect(api.calls.map((c) => c.name)).toEqual(['snapshot', 'stop', 'removeSource']);
  });

  it('accepts the cookie on the upgrade', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ui.port}/api`, {
      origin: `http://127.0.0.1:${ui.port}`,
      headers: { cookie: `bootdrop_${ui.port}=${ui.token}` },
    });
    const hello = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ kind: 'hello', v: CONTRACT_VERSION })));
      ws.on('message', (d) => resolve(String(d)));
      ws.on('error', reject);
    });
    ws.terminate();
    expect(JSON.parse(hello)).toEqual({ kind: 'hello', v: CONTRACT_VERSION });
  });

  it('validates payloads exactly like IPC before the engine sees them', async () => {
    const p = page();
    await p.hello();
    const missing = await p.call('addSource', { path: join(dir, 'nope.iso') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(String((missing.error as { message: string }).message)).toContain('does not exist');
    expect(await p.call('addSource', { path: 'relative.iso' })).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(await p.call('addSource', { path: iso, extra: 1 })).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(await p.call('setMode', { mode: 'turbo' })).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(
      await p.call('setMenu', { menu: { timeoutSec: -1, defaultEntryId: null, append: '', overrides: {} } }),
    ).toMatchObject({ ok: false });
    expect(await p.call('start', { now: true })).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    const wrongIface = await p.call('setInterface', { name: 'wlan9' });
    expect(wrongIface).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
    expect(String((wrongIface.error as { message: string }).message)).toContain('known: eth0');
    // Only the interface lookup reached the engine so far.
    expect(api.calls.map((c) => c.name)).toEqual(['refreshInterfaces']);

    expect(await p.call('addSource', { path: iso })).toMatchObject({ ok: true, res: { path: iso } });
    expect(await p.call('setInterface', { name: 'eth0' })).toMatchObject({ ok: true });
    expect(await p.call('browse', {})).toMatchObject({ ok: true, res: { path: '/' } });
    expect(api.calls.filter((c) => c.name !== 'refreshInterfaces')).toEqual([
      { name: 'addSource', req: { path: iso } },
      { name: 'setInterface', req: { name: 'eth0' } },
      { name: 'browse', req: {} },
    ]);
  });

  it('publishes only ISO files and boot-medium folders, never system folders, and says why', async () => {
    const p = page();
    await p.hello();
    const medium = join(dir, 'medium');
    mkdirSync(join(medium, 'isolinux'), { recursive: true });
    const plain = join(dir, 'plain');
    mkdirSync(join(plain, 'Documents'), { recursive: true });
    const homeLike = join(dir, 'homelike');
    mkdirSync(join(homeLike, '.ssh'), { recursive: true });
    mkdirSync(join(homeLike, 'boot'), { recursive: true });
    symlinkSync('/etc', join(dir, 'innocent'));
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const refused: Array<[string, RegExp]> = [
      ['/etc', /"\/etc" is in the system folder \/etc: Bootdrop never publishes system folders/],
      ['/', /"\/" holds other folders/],
      ['/proc', /system folder \/proc/],
      ['/usr', /system folder \/usr/],
      ['/usr/share', /system folder \/usr/],
      ['/root', /system folder \/root/],
      ['/etc/hostname', /system folder \/etc/],
      [join(dir, 'innocent'), /\(which is \/etc\) is in the system folder \/etc/],
      [plain, /does not look like an installation medium/],
      [homeLike, /holds \.ssh, so it looks like a home folder/],
      [join(dir, 'notes.txt'), /is not an \.iso file/],
    ];
    for (const [path, why] of refused) {
      const r = await p.call('addSource', { path });
      expect(r, path).toMatchObject({ ok: false, error: { code: 'EINVAL' } });
      expect(String((r.error as { message: string }).message), path).toMatch(why);
    }
    expect(api.calls.filter((c) => c.name === 'addSource')).toEqual([]); // none reached the engine
    expect(await p.call('addSource', { path: medium })).toMatchObject({ ok: true });
    expect(await p.call('addSource', { path: iso })).toMatchObject({ ok: true });
  });

  it('passes engine errors through with their code and remedy', async () => {
    const p = page();
    await p.hello();
    api.failNext = Object.assign(new Error('not permitted to bind UDP port 67'), {
      code: 'EACCES',
      remedy: 'allow low ports',
    });
    expect(await p.call('start')).toMatchObject({
      ok: false,
      error: { code: 'EACCES', message: 'not permitted to bind UDP port 67', remedy: 'allow low ports' },
    });
  });

  it('fans engine events out to every connected page, not to pages that never said hello', async () => {
    const a = page();
    const b = page();
    const silent = page();
    await a.hello();
    await b.hello();
    await silent.opened;
    api.emit({ type: 'state', state: { ...IDLE, serving: true } });
    const expected = { kind: 'event', event: { type: 'state', state: { ...IDLE, serving: true } } };
    expect(await a.next()).toEqual(expected);
    expect(await b.next()).toEqual(expected);
    await expect(silent.next(200)).rejects.toThrow('no message');
  });

  it('closes only the offending connection on malformed frames, and keeps serving', async () => {
    const good = page();
    await good.hello();
    const cases: Array<(p: Page) => void> = [
      (p) => p.send('{not json'),
      (p) => p.send({ kind: 'request', id: 1, name: 'snapshot' }), // before hello
      (p) => p.send([1, 2, 3]),
      (p) => p.ws.send(Buffer.from([1, 2, 3]), { binary: true }),
    ];
    for (const misbehave of cases) {
      const bad = page();
      await bad.opened;
      misbehave(bad);
      expect((await bad.closed).code).toBe(WIRE_CLOSE.badMessage);
    }
    const rude = page();
    await rude.hello();
    rude.send({ kind: 'request', id: 'x', name: 'snapshot' });
    expect((await rude.closed).code).toBe(WIRE_CLOSE.badMessage);
    const unknown = page();
    await unknown.hello();
    unknown.send({ kind: 'request', id: 2, name: 'rm -rf' });
    expect((await unknown.closed).code).toBe(WIRE_CLOSE.badMessage);

    expect(await good.call('exportLog')).toMatchObject({ ok: true, res: 'log' });
    const fresh = page();
    await fresh.hello();
    expect(await fresh.call('snapshot')).toMatchObject({ ok: true });
  });

  it('drops frames over the size limit without harming the server', async () => {
    const p = page();
    await p.hello();
    p.send({ kind: 'request', id: 1, name: 'addSource', req: { path: '/' + 'a'.repeat(2 * 1024 * 1024) } });
    expect((await p.closed).code).toBe(1009);
    const after = page();
    await after.hello();
    expect(await after.call('stop')).toMatchObject({ ok: true });
  });

  it('answers a different contract version with its own hello, then closes', async () => {
    const p = page();
    await p.opened;
    p.send({ kind: 'hello', v: CONTRACT_VERSION + 1 });
    expect(await p.next()).toEqual({ kind: 'hello', v: CONTRACT_VERSION });
    const closed = await p.closed;
    expect(closed.code).toBe(WIRE_CLOSE.versionMismatch);
    expect(closed.reason).toContain(String(CONTRACT_VERSION));
  });
});

describe('startWebUi lifecycle', () => {
  it('refuses to start without a built UI and only binds loopback', async () => {
    await expect(startWebUi({ api: new StubApi(), uiDir: join(dir, 'nowhere') })).rejects.toThrow(
      'the browser UI is not built',
    );
    await expect(startWebUi({ api: new StubApi(), uiDir, host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(
      '127.0.0.1',
    );
  });

  it('explains a busy port', async () => {
    const api = new StubApi();
    const first = await startWebUi({ api, uiDir });
    await expect(startWebUi({ api, uiDir, port: first.port })).rejects.toThrow(
      `cannot listen on 127.0.0.1:${first.port}: the port is in use`,
    );
    expect(api.listenerCount).toBe(1); // the failed one let go of the engine
    await first.close();
  });

  it('close() unsubscribes from the engine and stops listening', async () => {
    const api = new StubApi();
    const ui = await startWebUi({ api, uiDir });
    const p = new Page(`ws://127.0.0.1:${ui.port}/api?token=${ui.token}`, `http://127.0.0.1:${ui.port}`);
    await p.hello();
    expect(api.listenerCount).toBe(1);
    await ui.close();
    expect(api.listenerCount).toBe(0);
    expect((await p.closed).code).toBeGreaterThan(0);
    await expect(get(ui, '/')).rejects.toThrow();
  });
});
