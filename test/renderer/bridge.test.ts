/**
 * Both halves of the browser bridge together: the renderer's WebSocket client and stores against the
 * real `bootdrop serve --ui` server (main/webui: token, Host/Origin checks, shared validation), with
 * the hand-written engine stand-in behind it. Needs the built UI (npm run build:ui; npm test does it).
 */
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { ValidationEnv } from '../../main/contract/validate';
import { startWebUi, type WebUi } from '../../main/webui/index';
import { bridgeUrl, connectWebSocket, type EngineConnection } from '../../renderer/src/api/index';
import { useEngineStore } from '../../renderer/src/stores/engine';
import { useLogStore } from '../../renderer/src/stores/log';
import { attachEngine } from '../../renderer/src/stores/sync';
import { FakeEngine } from './fake-api';
import { source, T0 } from './fixtures';

// Vitest runs from the repository root (import.meta.url is not a file: URL under happy-dom).
const UI_DIR = resolve(process.cwd(), 'dist/ui');

const env: ValidationEnv = {
  statPath: async (p) => (p.endsWith('.iso') ? 'file' : null),
  interfaceNames: async () => ['eth0'],
};

/** happy-dom's test hook on window (untyped in the DOM lib): lets the page "be" the served address, so Origin matches. */
function happyDom(): { setURL(url: string): void } {
  return (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Serve the UI for `engine` and make this test's window the page the server handed out. */
async function page(
  engine: FakeEngine,
  pageUrl?: (ui: WebUi) => string,
): Promise<{ ui: WebUi; connection: EngineConnection }> {
  const ui = await startWebUi({ api: engine.api, uiDir: UI_DIR, env });
  cleanups.push(() => ui.close());
  happyDom().setURL(pageUrl ? pageUrl(ui) : ui.url);
  const url = bridgeUrl(window.location.href);
  expect(url).not.toBeNull();
  const connection = connectWebSocket({ url: url!, minDelayMs: 20, maxDelayMs: 100 });
  cleanups.push(() => connection.close());
  return { ui, connection };
}

function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - start > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('renderer ⇄ real web UI bridge', () => {
  it('loads the snapshot, follows engine events and sends requests through validation', async () => {
    const engine = new FakeEngine();
    engine.handlers.addSource = (req) => source('ubuntu', { path: req.path });
    const { connection } = await page(engine);
    const pinia = createPinia();
    cleanups.push(attachEngine(connection, pinia));
    const store = useEngineStore(pinia);
    await waitFor(() => store.ready, 'the snapshot');
    expect(store.sources.map((s) => s.id)).toEqual(['arch']);

    engine.emit({ type: 'log', entry: { time: T0, level: 'info', scope: 'dhcp', message: 'through the bridge' } });
    await waitFor(() => useLogStore(pinia).lines.length === 1, 'the log event');

    await store.addSource('/isos/ubuntu.iso');
    expect(engine.callsOf('addSource')).toEqual([{ path: '/isos/ubuntu.iso' }]);
    expect(store.sources.map((s) => s.id)).toEqual(['arch', 'ubuntu']);

    // Refused by the shared validation before reaching the engine, with the reason intact.
    await store.addSource('relative/path.iso');
    expect(store.problems.addSource?.code).toBe('EINVAL');
    expect(store.problems.addSource?.message).toMatch(/not an absolute path/);
    await store.setInterface('wlan9');
    expect(store.problems.interface?.message).toMatch(/no network interface called "wlan9"/);
    expect(engine.callsOf('addSource')).toHaveLength(1);
    expect(engine.callsOf('setInterface')).toHaveLength(0);
  });

  it('tells a page with a stale token to get a fresh address, without retrying', async () => {
    const { connection } = await page(new FakeEngine(), (ui) => ui.url.replace(/token=[^&]+/, 'token=stale'));
    await waitFor(() => connection.info().status === 'unauthorized', 'the refusal');
    expect(connection.info().problem?.remedy).toMatch(/bootdrop serve --ui/);
  });

  it('keeps the connection when the bridge refuses a request', async () => {
    const engine = new FakeEngine();
    const { connection } = await page(engine);
    const pinia = createPinia();
    cleanups.push(attachEngine(connection, pinia));
    const store = useEngineStore(pinia);
    await waitFor(() => store.ready, 'the snapshot');
    const statuses: string[] = [];
    connection.onInfo((i) => statuses.push(i.status));
    // A payload the contract does not allow (the type system would stop the renderer; a hostile page would not).
    await expect(connection.api.setMenu({ menu: { bogus: true } as never })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(engine.callsOf('setMenu')).toHaveLength(0);
    await store.refreshInterfaces();
    expect(store.problems.refreshInterfaces).toBeUndefined();
    expect(statuses).toEqual([]);
  });
});
