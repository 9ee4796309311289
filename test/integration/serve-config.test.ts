/**
 * `bootdrop serve --config` as a service: the real CLI in a namespace serving a settings file, a
 * reload (SIGHUP) after editing it while a client's HTTP download is held half-way (the download then
 * completes, byte for byte, and the new ISO is in the menu), a broken file refused with the old
 * configuration kept, and the unit `install-service` writes checked by systemd-analyze.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { ServeProcess } from '../helpers/qemu';
import { run } from '../helpers/run';
import { buildFixture, type BootFixture } from '../helpers/testiso';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'bootdrop.js');
const NET = '10.213.57';
/** Far more than the kernel's socket buffers hold, so a paused reader really holds the server mid-file. */
const BIG = 256 * 1024 * 1024;

/**
 * A download the test holds half-way: prints "started <bytes>" after the first chunk, stops reading
 * until a line arrives on stdin, then reads to the end and prints "done <bytes> <status>".
 */
const HELD_DOWNLOAD = `
const http = require('node:http');
let bytes = 0;
http.get(process.argv[1], (res) => {
  res.once('data', (c) => {
    bytes += c.length;
    res.pause();
    console.log('started ' + bytes);
    process.stdin.once('data', () => {
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () => { console.log('done ' + bytes + ' ' + res.statusCode); process.exit(0); });
      res.resume();
    });
  });
  res.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });
}).on('error', (e) => { console.log('error ' + e.message); process.exit(1); });
`;

interface Held {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function holdDownload(pc: NetnsHost, url: string): Held {
  const proc = spawn('ip', ['netns', 'exec', pc.ns, process.execPath, '-e', HELD_DOWNLOAD, url], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, out: () => out, exit };
}

async function waitFor(get: () => string, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = get().match(re);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no ${re} within ${ms} ms in:\n${get()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Settings {
  version: 1;
  sources: string[];
  interfaceName: string | null;
  mode: 'proxy' | 'dhcp' | 'auto';
  menu: null | { timeoutSec: number; defaultEntryId: string | null; append: string; overrides: object };
}

type LogEvent = { type: 'log'; entry: { level: string; scope: string; message: string } };
type TransferEvent = { type: 'transfer'; transfer: { file: string; outcome: string; bytes: number } };

describe('bootdrop serve --config', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let pc: NetnsHost;
  let isoB: BootFixture;
  let work: string;
  let folder: string;
  let config: string;
  const write = (s: Settings) => writeFileSync(config, JSON.stringify(s, null, 2));

  beforeAll(async () => {
    const isoA = await buildFixture('casper', 'a');
    isoB = await buildFixture('casper', 'b');
    work = mkdtempSync(path.join(tmpdir(), 'bootdrop-serve-config-'));
    // A folder source (the ISO's files, unpacked) with one very large file for the held download.
    folder = path.join(work, 'ubuntu-folder');
    const x = await run('xorriso', ['-osirrox', 'on', '-indev', isoA.iso, '-extract', '/', folder]);
    expect(x.code, x.stderr).toBe(0);
    await run('chmod', ['-R', 'u+w', folder]);
    writeFileSync(path.join(folder, 'big.bin'), '');
    await truncate(path.join(folder, 'big.bin'), BIG); // sparse: zeros, no disk
    config = path.join(work, 'bootdrop.json');
    lan = await TestLan.create('cfg');
    server = await lan.addHost('server', `${NET}.2/24`);
    pc = await lan.addHost('pc', `${NET}.3/24`);
  }, 300_000);

  afterAll(async () => {
    await lan?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('reloads on SIGHUP: a held download completes, the added ISO is in the menu, a broken file changes nothing', async () => {
    write({ version: 1, sources: [folder], interfaceName: 'eth0', mode: 'proxy', menu: null });
    const serve = ServeProcess.start(server.ns, ['--config', config]);
    let held: Held | null = null;
    try {
      await serve.ready();
      const idB = path.basename(isoB.iso, '.iso');
      const menu = async () => (await pc.exec(['curl', '-sf', `http://${NET}.2/boot.ipxe`])).stdout;
      expect(await menu()).toContain('Bootdrop Test - ubuntu-folder');
      expect(await menu()).not.toContain(`/iso/${idB}/`);

      held = holdDownload(pc, `http://${NET}.2/iso/ubuntu-folder/big.bin`);
      await waitFor(held.out, /started \d+/, 10_000);
      await serve.waitEvent(
        (e) => e.type === 'transfer' && (e as TransferEvent).transfer.file.endsWith('/big.bin'),
        10_000,
        'the held download to show as a transfer',
      );

      write({
        version: 1,
        sources: [folder, isoB.iso],
        interfaceName: 'eth0',
        mode: 'proxy',
        menu: { timeoutSec: 9, defaultEntryId: null, append: 'console=ttyS0', overrides: {} },
      });
      serve.proc.kill('SIGHUP');
      const reloaded = await serve.waitEvent<LogEvent>(
        (e) => e.type === 'log' && (e as LogEvent).entry.message.startsWith('reloaded '),
        30_000,
        'the reload log line',
      );
      expect(reloaded.entry.scope).toBe('config');
      expect(reloaded.entry.message).toContain(`added Ubuntu 24.04 LTS Bootdrop Test (${path.basename(isoB.iso)})`);
      expect(reloaded.entry.message).toContain('menu: timeout 5 → 9 s, kernel arguments "" → "console=ttyS0"');
      expect(reloaded.entry.message).not.toContain('restarted');
      // The download is still held: the server has not finished (nor dropped) it.
      const ended = (e: { type: string }) =>
        e.type === 'transfer' &&
        (e as TransferEvent).transfer.file.endsWith('/big.bin') &&
        (e as TransferEvent).transfer.outcome !== 'active';
      expect(serve.events.filter(ended)).toEqual([]);
      const script = await menu();
      expect(script).toContain(`/iso/${idB}/casper/vmlinuz`);
      expect(script).toContain('console=ttyS0');

      held.proc.stdin?.write('go\n');
      expect(await held.exit, held.out()).toBe(0);
      expect(held.out()).toContain(`done ${BIG} 200`);
      const done = await serve.waitEvent<TransferEvent>(ended, 10_000, 'the held download to end');
      expect(done.transfer).toMatchObject({ outcome: 'done', bytes: BIG });

      // A broken file: the error says where, and the running configuration stays.
      writeFileSync(config, '{\n  "version": 1,\n  "sources": [\n}');
      serve.proc.kill('SIGHUP');
      const refused = await serve.waitEvent<LogEvent>(
        (e) => e.type === 'log' && (e as LogEvent).entry.message.startsWith('reload failed'),
        10_000,
        'the refused reload',
      );
      expect(refused.entry.level).toBe('error');
      expect(refused.entry.message).toContain(`${config}: not valid JSON (line 4, column 1`);
      expect(refused.entry.message).toContain('still serving the previous configuration');
      expect(refused.entry.message).toContain('what to do:');
      expect(await menu()).toContain(`/iso/${idB}/casper/vmlinuz`);

      // An ISO that is not there: refused as a whole, nothing removed.
      write({
        version: 1,
        sources: [isoB.iso, path.join(work, 'missing.iso')],
        interfaceName: 'eth0',
        mode: 'proxy',
        menu: null,
      });
      serve.proc.kill('SIGHUP');
      await serve.waitEvent<LogEvent>(
        (e) => e.type === 'log' && (e as LogEvent).entry.message.includes('missing.iso'),
        10_000,
        'the refused missing ISO',
      );
      expect(await menu()).toContain('Bootdrop Test - ubuntu-folder'); // the folder's section, still there

      // Removing one: the other stays, the process keeps serving.
      write({ version: 1, sources: [isoB.iso], interfaceName: 'eth0', mode: 'proxy', menu: null });
      const before = serve.events.length;
      serve.proc.kill('SIGHUP');
      const removed = await serve.waitEvent<LogEvent>(
        (e) =>
          serve.events.indexOf(e) >= before &&
          e.type === 'log' &&
          (e as LogEvent).entry.message.startsWith('reloaded '),
        10_000,
        'the second reload',
      );
      expect(removed.entry.message).toContain('removed ');
      expect(removed.entry.message).toContain('ubuntu-folder');
      expect(removed.entry.message).toContain('menu: timeout 9 → 5 s');
      const after = await menu();
      expect(after).not.toContain('ubuntu-folder');
      expect(after).toContain(`/iso/${idB}/`);
      expect(await serve.stop()).toBe(0);
    } finally {
      held?.proc.kill('SIGKILL');
      if (!serve.exited) serve.proc.kill('SIGKILL');
    }
  }, 120_000);

  it('waits with no ISOs until a reload brings one; prints plain lines; exits 2 on a bad file at start', async () => {
    write({ version: 1, sources: [], interfaceName: null, mode: 'proxy', menu: null });
    const proc = server.spawn([process.execPath, BIN, 'serve', '--config', config], { cwd: ROOT });
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    try {
      await waitFor(
        () => out,
        /Nothing to serve yet: add ISO paths to "sources" in .*bootdrop\.json, then reload/,
        30_000,
      );
      write({ version: 1, sources: [isoB.iso], interfaceName: null, mode: 'proxy', menu: null });
      proc.kill('SIGHUP');
      await waitFor(() => out, /reloaded .*bootdrop\.json: added Ubuntu .*; started serving/, 30_000);
      await waitFor(() => out, /Ready: serving Ubuntu/, 10_000);
      writeFileSync(
        config,
        JSON.stringify({ version: 1, sources: [isoB.iso], interfaceName: null, mode: 'turbo', menu: null }),
      );
      proc.kill('SIGHUP');
      await waitFor(() => out, /reload failed: .*mode: expected one of proxy, dhcp, auto, got "turbo"/, 10_000);
      write({ version: 1, sources: [isoB.iso], interfaceName: null, mode: 'proxy', menu: null });
      proc.kill('SIGHUP');
      await waitFor(() => out, /SIGHUP: reloading .*\n(.*\n)*reloaded .*: nothing changed/, 10_000);
      expect(out).not.toMatch(/\x1b\[/); // no colour codes
      expect(out).not.toMatch(/^<\d>/m); // no journal prefixes outside the journal
      proc.kill('SIGTERM');
      expect(await exit, out).toBe(0);
    } finally {
      proc.kill('SIGKILL');
    }
    writeFileSync(config, '{"version": 1, "sources": ["relative.iso"]}');
    const bad = await run('ip', ['netns', 'exec', server.ns, process.execPath, BIN, 'serve', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${config}: sources[0]: expected an absolute path, got "relative.iso"`);
    expect(bad.stderr).toMatch(/what to do: .+/);
  }, 60_000);

  it('install-service writes a unit systemd-analyze accepts, and uninstall-service removes it', async () => {
    const units = path.join(work, 'units');
    const env = { ...process.env, BOOTDROP_UNIT_DIR: units };
    const cfg = path.join(work, 'etc', 'bootdrop.json');
    const inst = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'install-service', '--config', cfg, '--', '--http-port', '8080'], {
        env,
      });
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.stderr.on('data', (c: Buffer) => (out += c.toString()));
      p.on('exit', (code) => resolve({ code, out }));
    });
    expect(inst.code, inst.out).toBe(0);
    const unitFile = path.join(units, 'bootdrop.service');
    const unit = readFileSync(unitFile, 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} ${BIN} serve --config ${cfg} --http-port 8080\n`);
    expect(JSON.parse(readFileSync(cfg, 'utf8'))).toMatchObject({ version: 1, sources: [], mode: 'proxy' });
    if (existsSync('/usr/bin/systemd-analyze') || existsSync('/bin/systemd-analyze')) {
      const v = await run('systemd-analyze', ['verify', unitFile]);
      expect(v.code, v.stderr + v.stdout).toBe(0);
      expect(v.stderr + v.stdout).not.toMatch(/bootdrop\.service:\d+:/); // no complaint about any line
    }
    const un = await run(process.execPath, [BIN, 'uninstall-service', '--unit-dir', units]);
    expect(un.code, un.stderr).toBe(0);
    expect(existsSync(unitFile)).toBe(false);
    expect(existsSync(cfg)).toBe(true); // the config is the user's: kept
  });
});
