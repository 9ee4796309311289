import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { ServeProcess } from '../helpers/qemu';
import { buildFixture, type BootFixture } from '../helpers/testiso';

const ROOT = path.resolve(__dirname, '..', '..');
const NET = '10.213.56';

/** `bootdrop serve` (human output) in a namespace, output collected. */
function serveHuman(
  ns: string,
  args: string[],
): { proc: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const proc = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, path.join(ROOT, 'bin', 'bootdrop.js'), 'serve', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, out: () => out, exit };
}

async function waitOutput(get: () => string, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = get().match(re);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${re} within ${ms} ms in:\n${get()}`);
}

describe('bootdrop serve', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let pc: NetnsHost;
  let fx: BootFixture;
  beforeAll(async () => {
    fx = await buildFixture('casper');
    lan = await TestLan.create('srv');
    server = await lan.addHost('server', `${NET}.2/24`);
    pc = await lan.addHost('pc', `${NET}.3/24`);
  });
  afterAll(async () => lan?.destroy());

  it('says when it is ready, narrates a client fetch, and shuts down cleanly on SIGTERM', async () => {
    const s = serveHuman(server.ns, [fx.iso, '--mode', 'proxy']);
    try {
      await waitOutput(
        s.out,
        /Ready: serving Ubuntu 24\.04 LTS Bootdrop Test \(casper-a-[0-9a-f]+\.iso\) on eth0 10\.213\.56\.2 — proxy DHCP mode/,
        20_000,
      );
      expect(s.out()).toMatch(/No --interface given: using eth0 \(10\.213\.56\.2, \w+\), the recommended one\./);
      await waitOutput(s.out, /Default entry: Try Ubuntu \[casper-a-[0-9a-f]+:[a-z0-9-]+\]/, 5000);
      const id = path.basename(fx.iso, '.iso');
      const r = await pc.exec([
        'curl',
        '-sf',
        '-o',
        '/dev/null',
        '-w',
        '%{size_download}',
        `http://${NET}.2/iso/${id}/casper/vmlinuz`,
      ]);
      expect(Number(r.stdout)).toBeGreaterThan(1_000_000);
      // Named by MAC (the kernel's neighbour table), classified as the kernel, with size and rate.
      await waitOutput(
        s.out,
        new RegExp(`${pc.mac}  kernel: /iso/${id}/casper/vmlinuz \\d+(\\.\\d)? MiB in \\d+\\.\\d s \\(.+/s, HTTP\\)`),
        5000,
      );
      s.proc.kill('SIGTERM');
      expect(await s.exit, s.out()).toBe(0);
      expect(s.out()).toContain('Stopped serving.');
    } finally {
      s.proc.kill('SIGKILL');
    }
    // Every socket was closed: the same ports can be taken again at once.
    const again = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0']);
    await again.ready();
    expect(await again.stop()).toBe(0);
  });

  it('--verbose also prints info and debug lines: which fast I/O helpers run, and sendfile serving the kernel', async () => {
    const s = serveHuman(server.ns, [fx.iso, '--mode', 'proxy', '--verbose']);
    try {
      await waitOutput(s.out, /Ready: serving/, 20_000);
      // CI builds the helpers (BOOTDROP_NATIVE_REQUIRED=1), so on Linux both must be native here.
      await waitOutput(s.out, /debug: session: fast I\/O helpers — sendfile: native; tftp: native/, 5000);
      const id = path.basename(fx.iso, '.iso');
      await pc.exec(['curl', '-sf', '-o', '/dev/null', `http://${NET}.2/iso/${id}/casper/vmlinuz`]);
      await waitOutput(
        s.out,
        new RegExp(
          `info: http: ${NET.replace(/\./g, '\\.')}\\.3: sent /iso/${id}/casper/vmlinuz \\(\\d+ bytes by sendfile\\)`,
        ),
        5000,
      );
      s.proc.kill('SIGTERM');
      expect(await s.exit, s.out()).toBe(0);
    } finally {
      s.proc.kill('SIGKILL');
    }
  });

  it('fails with the reason and a remedy when a port is taken, leaving nothing running', async () => {
    const first = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0']);
    await first.ready();
    try {
      const second = serveHuman(server.ns, [fx.iso, '--interface', 'eth0']);
      expect(await second.exit).toBe(1);
      expect(second.out()).toMatch(/bootdrop serve: .*(in use|EADDRINUSE)/i);
      expect(second.out()).toMatch(/what to do: \S+/);
      expect(first.exited).toBe(false);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  it('--json prints NDJSON events: sources, state with the serving address', async () => {
    const s = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'dhcp', '--http-port', '8080']);
    const state = await s.ready();
    expect(state).toMatchObject({ address: `${NET}.2`, httpUrl: `http://${NET}.2:8080/`, effectiveMode: 'dhcp' });
    expect(s.events.find((e) => e.type === 'sources')).toBeDefined();
    expect(await s.stop()).toBe(0);
  });

  it('rejects bad input with a clear message and a non-zero exit', async () => {
    const missing = serveHuman(server.ns, ['/nonexistent/x.iso', '--interface', 'eth0']);
    expect(await missing.exit).toBe(1);
    expect(missing.out()).toMatch(/\/nonexistent\/x\.iso/);
    const badIface = serveHuman(server.ns, [fx.iso, '--interface', 'nope0']);
    expect(await badIface.exit).toBe(1);
    expect(badIface.out()).toMatch(/no IPv4 interface called "nope0" \(available: .*eth0.*\)/);
    const badMode = serveHuman(server.ns, [fx.iso, '--mode', 'fast']);
    expect(await badMode.exit).toBe(2);
    expect(badMode.out()).toMatch(/--mode must be proxy, dhcp or auto/);
    const none = serveHuman(server.ns, []);
    expect(await none.exit).toBe(2);
  });
});
