/**
 * The whole browser UI end to end: `bootdrop serve --ui` runs in a TestLan server namespace, Chromium
 * runs in the same namespace (so 127.0.0.1 is that namespace's loopback), and the test drives the
 * real renderer against the real engine: add an ISO through the server-side picker, pick the
 * interface, start serving, watch a QEMU PC network-boot it, stop. Screenshots go to a temp folder, or
 * to $BOOTDROP_SCREENSHOTS: `npm run screenshots` refreshes docs/screenshots/ that way, on purpose only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetnsHost } from '../helpers/netns';
import { bootRig, Guest, randomMac, type BootRig } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf, type BootFixture } from '../helpers/testiso';

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = process.env.BOOTDROP_SCREENSHOTS
  ? path.resolve(process.env.BOOTDROP_SCREENSHOTS)
  : mkdtempSync(path.join(tmpdir(), 'bootdrop-screenshots-'));
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
const NET = '10.213.61';
const URL_RE = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)/;

/** `bootdrop serve --ui` in a namespace; resolves with the printed URL. */
class UiServer {
  private out = '';
  private exitCode: number | null | undefined = undefined;
  readonly proc: ChildProcess;

  constructor(host: NetnsHost) {
    for (const f of ['dist/engine/cli/index.js', 'dist/ui/index.html']) {
      if (!existsSync(path.join(ROOT, f)))
        throw new Error(`${f} is missing: run "npm run build:engine && npm run build:ui" first`);
    }
    this.proc = spawn(
      'ip',
      ['netns', 'exec', host.ns, process.execPath, path.join(ROOT, 'bin', 'bootdrop.js'), 'serve', '--ui'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const collect = (c: Buffer) => {
      this.out = (this.out + c.toString()).slice(-64 * 1024);
    };
    this.proc.stdout?.on('data', collect);
    this.proc.stderr?.on('data', collect);
    this.proc.on('exit', (code) => (this.exitCode = code));
  }

  get output(): string {
    return this.out;
  }

  async url(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = URL_RE.exec(this.out);
      if (m) return m[0];
      if (this.exitCode !== undefined)
        throw new Error(`bootdrop serve --ui exited (${this.exitCode}) without printing its URL:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`bootdrop serve --ui printed no URL within ${timeoutMs} ms:\n${this.out}`);
  }

  async stop(): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    const exited = new Promise<number | null>((resolve) => this.proc.once('exit', (code) => resolve(code)));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}

describe('browser UI against bootdrop serve --ui', () => {
  let rig: BootRig;
  let fixture: BootFixture;
  let server: UiServer | null = null;
  let browser: Browser | null = null;
  let page: Page;
  let url: string;
  let guest: Guest | null = null;
  let wrapperDir: string;

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (scripts/install-deps.sh)`);
    mkdirSync(SHOTS, { recursive: true });
    fixture = await buildFixture('live', 'ui');
    rig = await bootRig('ui', NET, { router: false });
    server = new UiServer(rig.server);
    url = await server.url();
    // Chromium must share the server's network namespace to reach its 127.0.0.1.
    wrapperDir = mkdtempSync(path.join(tmpdir(), 'bootdrop-chromium-'));
    const wrapper = path.join(wrapperDir, 'chromium-in-netns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${rig.server.ns} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
    browser = await chromium.launch({ executablePath: wrapper, args: CHROMIUM_FLAGS, timeout: 60_000 });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await guest?.kill();
    await browser?.close();
    const code = await server?.stop();
    await rig?.cleanup();
    if (wrapperDir) rmSync(wrapperDir, { recursive: true, force: true });
    if (!process.env.BOOTDROP_SCREENSHOTS) rmSync(SHOTS, { recursive: true, force: true });
    // A clean shutdown on SIGTERM is part of the contract of `serve`.
    if (server) expect(code, server.output).toBe(0);
  });

  it('refuses pages and sockets without the token, and sockets from other origins', async () => {
    const bare = url.replace(/\?token=.*/, '');
    const res = await page.goto(bare);
    expect(res?.status()).toBe(403);
    // A page of another origin (here about:blank, Origin "null") cannot open the API socket even with the token.
    await page.goto('about:blank');
    const wsUrl = url.replace('http://', 'ws://').replace('/?token=', '/api?token=');
    const outcome = await page.evaluate(
      (u) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(u);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
          setTimeout(() => resolve('timeout'), 5000);
        }),
      wsUrl,
    );
    expect(outcome).toBe('refused');
  });

  it('connects with the printed address', async () => {
    await page.goto(url);
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor({ timeout: 20_000 });
    await shot('01-connected');
  });

  it('adds an ISO through the server-side picker', async () => {
    await page.getByTestId('add-source').click();
    const picker = page.getByTestId('picker');
    await picker.waitFor();
    await page.getByTestId('picker-path').fill(path.dirname(fixture.iso));
    await page.getByTestId('picker-path').press('Enter');
    const entry = page.locator(`[data-testid="picker-entry"][data-path="${fixture.iso}"]`);
    await entry.waitFor({ timeout: 15_000 }).catch(async (err: Error) => {
      throw new Error(
        `${err.message}\nthe picker shows:\n${await picker.innerText()}\nserve output:\n${server?.output ?? ''}`,
      );
    });
    await shot('02-picker');
    await entry.click();
    const item = page.getByTestId('source-item');
    await item.waitFor({ timeout: 30_000 });
    await expect.poll(async () => item.textContent(), { timeout: 15_000 }).toMatch(/Debian|live/i);
    await shot('03-iso-added');
  });

  it('edits the boot menu: a shorter timeout and kernel arguments for every entry', async () => {
    // The serial console is how the test sees the PC boot: the kernel must log to ttyS0.
    await page.getByTestId('menu-timeout').fill('1');
    await page.getByTestId('menu-timeout').press('Enter');
    await page.getByText('Kernel arguments for every entry').click();
    await page.getByTestId('menu-global-append').fill('console=ttyS0 quiet');
    await page.getByTestId('menu-global-append').press('Enter');
    // Reload: what the page shows now comes from the engine, not from the inputs just typed.
    await page.reload();
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor({ timeout: 20_000 });
    await expect.poll(async () => page.getByTestId('menu-timeout').inputValue(), { timeout: 10_000 }).toBe('1');
    await expect
      .poll(async () => page.getByTestId('menu-global-append').inputValue(), { timeout: 10_000 })
      .toBe('console=ttyS0 quiet');
  });

  it('picks the interface and the bare-cable mode, and starts serving', async () => {
    await page.getByTestId('interface-select').selectOption('eth0');
    // No router on this LAN: Bootdrop must hand out the addresses itself.
    await page.getByTestId('mode-radio-dhcp').check();
    await expect.poll(async () => page.getByTestId('mode-radio-dhcp').isChecked(), { timeout: 10_000 }).toBe(true);
    const toggle = page.getByTestId('serve-toggle');
    await toggle.click();
    await expect.poll(async () => toggle.getAttribute('aria-checked'), { timeout: 30_000 }).toBe('true');
    await expect
      .poll(async () => page.getByTestId('serve-url').textContent(), { timeout: 10_000 })
      .toContain(`${NET}.2`);
    await expect
      .poll(async () => page.getByTestId('effective-mode').textContent(), { timeout: 10_000 })
      .toMatch(/own DHCP/);
    await shot('04-serving');
  });

  it('shows a PC network-booting it', async () => {
    const { ns, ifname } = await rig.lan.addTap();
    const mac = randomMac();
    guest = await Guest.start({ firmware: 'bios', tap: { ns, ifname }, mac, memMiB: 1536 });
    const row = page.locator(`[data-testid="client-row"][data-mac="${mac}"]`);
    await row.waitFor({ timeout: 120_000 });
    await shot('05-pc-booting');
    await guest.waitFor(markerOf(fixture.token), 300_000);
    // The guest's init fetches the live root file system over HTTP (fetch=): the row ends at "done".
    const root = await guest.waitFor(rootMarkerOf(fixture.token), 120_000);
    expect(root[1], 'filesystem.squashfs as fetched by the guest (live-boot fetch=)').toBe(fixture.rootSha256);
    await expect.poll(async () => row.getAttribute('data-stage'), { timeout: 30_000 }).toBe('done');
    // The downloads drew the PC's speed graph beside its progress bar.
    const spark = row.locator('.transfer-bar [data-testid="client-sparkline"] polyline');
    expect((await spark.getAttribute('points'))?.split(' ').length).toBeGreaterThan(1);
    await shot('06-pc-booted');
    await guest.kill();
    guest = null;
  });

  it('stops serving', async () => {
    const toggle = page.getByTestId('serve-toggle');
    await toggle.click();
    await expect.poll(async () => toggle.getAttribute('aria-checked'), { timeout: 30_000 }).toBe('false');
    await shot('07-stopped');
  });
});
