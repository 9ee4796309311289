import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pxeClient, requirePeers } from '../helpers/dhcp/harness';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { buildFixture, type BootFixture } from '../helpers/testiso';

const ROOT = path.resolve(__dirname, '..', '..');

// The Session (compiled engine) in a namespace, driven like the desktop app drives it: a start that
// fails half-way (DHCP's port taken after HTTP and TFTP are up) must close what it opened, report a
// ServeError with a remedy, and a later start must succeed on the same ports.
const SCRIPT = `
const dgram = require('node:dgram');
const { Session, createEngineServices, defaultLoadersDir } = require(${JSON.stringify(path.join(ROOT, 'dist/engine/session'))});
(async () => {
  const out = {};
  const s = new Session({ loadersDir: defaultLoadersDir(), httpPort: 80, mode: 'proxy', interfaceName: 'eth0' }, createEngineServices());
  const events = [];
  s.onEvent((e) => events.push(e.type));
  await s.addSource({ path: process.argv[1] });
  const blocker = dgram.createSocket('udp4');
  await new Promise((r) => blocker.bind({ port: 4011, address: '0.0.0.0', exclusive: true }, r));
  out.failed = await s.start();
  await new Promise((r) => blocker.close(r));
  out.started = await s.start();
  out.stopped = await s.stop();
  out.again = await s.start();
  out.snapshot = await s.snapshot();
  out.log = await s.exportLog();
  out.events = [...new Set(events)];
  await s.dispose();
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('Session start/stop in a namespace', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let fx: BootFixture;
  beforeAll(async () => {
    fx = await buildFixture('casper');
    lan = await TestLan.create('ses');
    server = await lan.addHost('server', '10.213.57.2/24');
  });
  afterAll(async () => lan?.destroy());

  it('rolls back a half-started serve and starts cleanly afterwards', async () => {
    const r = await server.exec([process.execPath, '-e', SCRIPT, fx.iso]);
    const out = JSON.parse(r.stdout) as Record<
      string,
      { serving: boolean; error: { code: string; message: string; remedy: string } | null }
    > & {
      snapshot: { sources: unknown[]; clients: unknown[] };
      log: string;
      events: string[];
    };
    expect(out.failed!.serving).toBe(false);
    expect(out.failed!.error).toMatchObject({ code: 'EADDRINUSE' });
    expect(out.failed!.error!.message).toMatch(/4011/);
    expect(out.failed!.error!.remedy.length).toBeGreaterThan(10);
    expect(out.started).toMatchObject({ serving: true, error: null, address: '10.213.57.2' });
    expect(out.stopped!.serving).toBe(false);
    expect(out.again!.serving).toBe(true);
    expect(out.snapshot.sources).toHaveLength(1);
    expect(out.log).toMatch(/ERROR session: .*4011/);
    expect(out.events).toEqual(expect.arrayContaining(['sources', 'state', 'log']));
  });
});

// The desktop/browser path end to end: the Session behind the real web bridge (startWebUi + the wire
// protocol over a real WebSocket), driven the way the renderer drives it. The BIOS menu choice goes
// over the wire as MenuSettings.biosMenu; a scapy BIOS PXE client asks the real proxyDHCP which file
// to boot, and tftp-hpa / curl fetch what PXELINUX would: the boot file, its pxelinux.cfg/default, and
// (over HTTP on port 80, as the ISO's menu says http://${pxeserver}/) the ISO's menu and root image.
const RELAY = `
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const WebSocket = require(${JSON.stringify(path.join(ROOT, 'node_modules/ws'))});
const { Session, createEngineServices, defaultLoadersDir } = require(${JSON.stringify(path.join(ROOT, 'dist/engine/session'))});
const { startWebUi } = require(${JSON.stringify(path.join(ROOT, 'dist/engine/webui'))});
const print = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
(async () => {
  // The bridge only needs a page to exist; the renderer itself is tested with Chromium in ui.test.ts.
  const uiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootdrop-ui-'));
  fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>Bootdrop</title>');
  const s = new Session({ loadersDir: defaultLoadersDir(), httpPort: 80, mode: 'proxy', interfaceName: 'eth0', linkCheckMs: 0 }, createEngineServices());
  const ui = await startWebUi({ api: s, port: 0, host: '127.0.0.1', uiDir });
  const ws = new WebSocket('ws://127.0.0.1:' + ui.port + '/api?token=' + ui.token, { origin: 'http://127.0.0.1:' + ui.port });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.kind === 'hello' || m.kind === 'response' || (m.kind === 'event' && m.event.type === 'log' && m.event.entry.level !== 'debug')) print(m);
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.send(JSON.stringify({ kind: 'hello', v: 1 }));
  print({ kind: 'ready' });
  const quit = async () => {
    ws.close();
    await ui.close();
    await s.dispose();
    fs.rmSync(uiDir, { recursive: true, force: true });
    process.exit(0);
  };
  readline.createInterface({ input: process.stdin }).on('line', (line) => (line === 'quit' ? void quit() : ws.send(line)));
  process.stdin.on('end', () => void quit());
})().catch((e) => { console.error(e); process.exit(1); });
`;

interface WireMessage {
  kind: string;
  id?: number;
  ok?: boolean;
  res?: unknown;
  error?: { code: string; message: string };
  event?: { type: string; entry: { level: string; scope: string; message: string } };
}

/** The relay above, seen from the test: requests by id, responses and log lines as they come. */
class BridgeClient {
  readonly messages: WireMessage[] = [];
  private nextId = 1;
  private buf = '';
  private err = '';

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (c: Buffer) => {
      this.buf += c.toString();
      for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
        this.messages.push(JSON.parse(this.buf.slice(0, nl)) as WireMessage);
        this.buf = this.buf.slice(nl + 1);
      }
    });
    proc.stderr!.on('data', (c: Buffer) => (this.err += c.toString()));
  }

  async waitFor(pred: (m: WireMessage) => boolean, what: string, timeoutMs = 20_000): Promise<WireMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (this.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `no ${what} from the bridge relay within ${timeoutMs} ms (exit ${this.proc.exitCode}); stderr:\n${this.err}`,
    );
  }

  async request(name: string, req?: unknown): Promise<WireMessage> {
    const id = this.nextId++;
    this.proc.stdin!.write(JSON.stringify({ kind: 'request', id, name, ...(req === undefined ? {} : { req }) }) + '\n');
    return this.waitFor((m) => m.kind === 'response' && m.id === id, `response to ${name}`, 60_000);
  }

  async ok<T>(name: string, req?: unknown): Promise<T> {
    const r = await this.request(name, req);
    if (!r.ok) throw new Error(`${name} failed: ${JSON.stringify(r.error)}`);
    return r.res as T;
  }

  logs(level: string): string[] {
    return this.messages
      .filter((m) => m.event?.type === 'log' && m.event.entry.level === level)
      .map((m) => m.event!.entry.message);
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.stdin!.end('quit\n');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

describe("BIOS PCs get the ISO's own PXELINUX menu, chosen over the web bridge", () => {
  const NET = '10.213.58';
  let lan: TestLan;
  let server: NetnsHost;
  let client: NetnsHost;
  let fx: BootFixture;
  let bridge: BridgeClient | undefined;
  let work: string;
  beforeAll(async () => {
    requirePeers();
    fx = await buildFixture('arch');
    work = mkdtempSync(path.join(tmpdir(), 'bootdrop-biosmenu-'));
    lan = await TestLan.create('bmu');
    server = await lan.addHost('server', `${NET}.2/24`);
    client = await lan.addHost('client', `${NET}.3/24`);
  }, 300_000);
  afterAll(async () => {
    await bridge?.close();
    await lan?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** What a BIOS PXE ROM is told to boot (proxyDHCP offer, boot file field). */
  async function biosBootFile(): Promise<string> {
    const ours = (await pxeClient(client, { kind: 'bios', mac: '52:54:00:58:00:10' })).filter(
      (r) => r.src === `${NET}.2`,
    );
    expect(ours.length, 'proxyDHCP offers from the server').toBeGreaterThan(0);
    return ours[0]!.file;
  }
  /** tftp-hpa in the client namespace: the file's bytes, or the server's refusal as tftp prints it. */
  async function tftpGet(file: string): Promise<Buffer | string> {
    const local = path.join(work, file.replace(/[^A-Za-z0-9.]+/g, '_'));
    rmSync(local, { force: true });
    const r = await client.exec(['tftp', '-m', 'binary', `${NET}.2`, '-c', 'get', file, local], true);
    const said = (r.stdout + r.stderr).trim();
    return r.code === 0 && said === '' ? readFileSync(local) : said || `tftp exited ${r.code}`;
  }
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it("reports the ISO's own menu, serves lpxelinux.0 and its config to BIOS PCs, and switches back while serving", async () => {
    bridge = new BridgeClient(server.spawn([process.execPath, '-e', RELAY], { stdio: ['pipe', 'pipe', 'pipe'] }));
    await bridge.waitFor((m) => m.kind === 'ready', 'ready line');
    await bridge.waitFor((m) => m.kind === 'hello', 'hello');

    const added = await bridge.ok<{ id: string; ownPxeMenu: boolean }>('addSource', { path: fx.iso });
    expect(added.ownPxeMenu).toBe(true);
    const snap = await bridge.ok<{ menu: Record<string, unknown> }>('snapshot');
    expect(snap.menu.biosMenu).toBe('bootdrop');

    // The boundary refuses a wrong value, saying where and what is allowed.
    const bad = await bridge.request('setMenu', { menu: { ...snap.menu, biosMenu: 'pxelinux' } });
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: 'EINVAL',
        message: expect.stringMatching(/^setMenu\.menu\.biosMenu: expected one of bootdrop, iso/) as unknown,
      },
    });

    expect(await bridge.ok('setMenu', { menu: { ...snap.menu, biosMenu: 'iso' } })).toMatchObject({ biosMenu: 'iso' });
    const started = await bridge.ok<{ serving: boolean; httpUrl: string; error: unknown }>('start');
    expect(started).toMatchObject({ serving: true, error: null, httpUrl: `http://${NET}.2:80/` });
    expect(bridge.logs('info')).toContain(
      `BIOS PCs get Arch Linux's own PXELINUX menu (${added.id}); UEFI PCs get Bootdrop's menu`,
    );

    // What the classic policy hands a BIOS PC, fetched as PXELINUX fetches it.
    const loader = await biosBootFile();
    expect(loader).toBe('/arch/boot/syslinux/lpxelinux.0');
    const lpxelinux = await tftpGet(loader);
    expect(Buffer.isBuffer(lpxelinux) ? sha256(lpxelinux) : lpxelinux).toBe(
      sha256(readFileSync('/usr/lib/PXELINUX/lpxelinux.0')),
    );
    const cfg = await tftpGet('/arch/boot/syslinux/pxelinux.cfg/default');
    expect(cfg?.toString()).toContain('CONFIG ::/arch/boot/syslinux/archiso_pxe.cfg');
    // The ISO's menu, and the root image its kernel line points at, over HTTP on port 80 from the ISO root.
    const menuText = await client.exec([
      'curl',
      '-sS',
      '--max-time',
      '20',
      `http://${NET}.2/arch/boot/syslinux/archiso_pxe.cfg`,
    ]);
    expect(menuText.stdout).toContain('archiso_http_srv=http://${pxeserver}/');
    const root = await client.exec([
      'sh',
      '-c',
      `curl -sS --max-time 60 http://${NET}.2/arch/x86_64/airootfs.sfs | sha256sum`,
    ]);
    expect(root.stdout.split(' ')[0]).toBe(fx.rootSha256);

    // Back to Bootdrop's menu while serving: restaged, not restarted.
    expect(await bridge.ok('setMenu', { menu: { ...snap.menu, biosMenu: 'bootdrop' } })).toMatchObject({
      biosMenu: 'bootdrop',
    });
    expect(await biosBootFile()).toMatch(/undionly\.kpxe$/);
    expect(await tftpGet('/arch/boot/syslinux/pxelinux.cfg/default')).toMatch(/Error code 1: .*not found/i);
    const after = await bridge.ok<{ state: { serving: boolean; error: unknown }; menu: { biosMenu: string } }>(
      'snapshot',
    );
    expect(after.state).toMatchObject({ serving: true, error: null });
    expect(after.menu.biosMenu).toBe('bootdrop');
    expect(bridge.logs('info')).toContain("BIOS and UEFI PCs get Bootdrop's menu (from their next boot)");
    expect(bridge.logs('error')).toEqual([]);

    await bridge.ok('stop');
  }, 300_000);
});
