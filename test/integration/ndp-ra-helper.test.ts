/**
 * bootdrop-ra, the router-advertisement program for an engine without CAP_NET_RAW (the desktop app, a
 * --user service), run as `nobody` with the file capability cap_net_raw+ep as the .deb sets it, on a
 * namespace LAN with a scapy peer: "send" puts exactly Bootdrop's advertisement on the wire (byte for
 * byte the codec's), a solicitation from the peer comes back as "rs <address>", the program holds no
 * capability once ready, exits 0 when stdin closes, and without the capability fails with the remedy.
 * Then the engine's side: its helper client, and `bootdrop serve` as nobody falling back to the helper.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { pxeClient, requirePeers } from '../helpers/dhcp/harness';
import { linkLocal, listen, bootdropRaSeen } from '../helpers/ndp';
import { ServeProcess } from '../helpers/qemu';
import { buildFixture } from '../helpers/testiso';
import { readableCopy } from '../helpers/unprivileged';
import { encodeBootdropAdvertisement, openAdvertisementLink } from '../../main/ndp';
import { startRaHelper } from '../../main/native';

const ROOT = path.resolve(__dirname, '../..');
const BUILT = path.join(ROOT, 'dist', 'native', 'bootdrop-ra');
const NET = '10.213.72';
const PEER_MAC = '52:54:00:72:00:10';
/** The peer's link-local address (EUI-64 of PEER_MAC): the source of its router solicitation. */
const PEER_LL = 'fe80::5054:ff:fe72:10';
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

/** A helper process: its stdout lines, its stderr, and a bounded wait for either. */
class Helper {
  lines: string[] = [];
  stderr = '';
  readonly exit: Promise<number | null>;
  constructor(readonly proc: ChildProcess) {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const parts = out.split('\n');
      out = parts.pop()!;
      this.lines.push(...parts);
    });
    proc.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exit = new Promise((resolve) => proc.once('close', resolve));
  }
  async waitFor(line: string | RegExp, ms = 10_000): Promise<string> {
    const match = (l: string) => (typeof line === 'string' ? l === line : line.test(l));
    for (let waited = 0; waited < ms; waited += 50) {
      const l = this.lines.find(match);
      if (l !== undefined) return l;
      if (this.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `bootdrop-ra did not say ${String(line)}; stdout ${JSON.stringify(this.lines)}, stderr ${this.stderr}`,
    );
  }
}

describe('bootdrop-ra (cap_net_raw helper), run as nobody', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let peer: NetnsHost;
  let dir: string;
  let withCap: string;
  let withoutCap: string;
  const running: ChildProcess[] = [];

  const run = (file: string, args = ['eth0']) => {
    const h = new Helper(server.spawn([...NOBODY, file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
    running.push(h.proc);
    return h;
  };

  beforeAll(async () => {
    requirePeers();
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build:native`);
    execFileSync('sh', ['-c', 'command -v setcap'], { stdio: 'ignore' }); // libcap2-bin (scripts/install-deps.sh)
    // A copy nobody can reach (the checkout may be where it cannot go), outside the build output.
    dir = mkdtempSync('/tmp/bootdrop-ra-');
    chmodSync(dir, 0o755);
    withCap = path.join(dir, 'bootdrop-ra');
    withoutCap = path.join(dir, 'bootdrop-ra-nocap');
    for (const f of [withCap, withoutCap]) {
      copyFileSync(BUILT, f);
      chmodSync(f, 0o755);
    }
    execFileSync('setcap', ['cap_net_raw+ep', withCap]);
    lan = await TestLan.create('rah');
    server = await lan.addHost('server', `${NET}.2/24`);
    peer = await lan.addHost('peer', null, { mac: PEER_MAC });
    // The peer's own kernel solicits a router too (same source address): only scapy's, please.
    await peer.exec(['sysctl', '-q', '-w', 'net.ipv6.conf.eth0.router_solicitations=0']);
    await linkLocal(server);
    await linkLocal(peer);
  });
  afterAll(async () => {
    for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
    await lan?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('"send" puts exactly the advertisement on the wire; it holds no capability once ready; stdin EOF ends it', async () => {
    const source = await linkLocal(server);
    const h = run(withCap);
    await h.waitFor('ready');
    const status = readFileSync(`/proc/${h.proc.pid}/status`, 'utf8');
    expect(status).toMatch(/^Name:\s+bootdrop-ra$/m);
    expect(status).toMatch(/^Uid:\s+65534\s/m);
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'])
      expect(status).toMatch(new RegExp(`^${set}:\\s+0+$`, 'm'));
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);

    const seen = await listen(peer, 2, async () => h.proc.stdin!.write('send\n'), { solicit: false, bytes: true });
    expect(seen).toEqual([
      { ...bootdropRaSeen(source, server.mac), bytes: encodeBootdropAdvertisement(server.mac).toString('hex') },
    ]);
    h.proc.stdin!.end();
    expect(await h.exit).toBe(0);
    expect(h.stderr).toBe('');
    // The test LAN's bridge solicits a router now and then too: those are reported, nothing else is.
    expect(h.lines.filter((l) => !/^rs fe80::[0-9a-f:]+$/.test(l))).toEqual(['ready']);
  });

  it('reports the peer\'s router solicitation as "rs <address>" and does not answer on its own', async () => {
    const h = run(withCap);
    await h.waitFor('ready');
    const seen = await listen(peer, 1, async () => undefined, { solicit: true });
    await h.waitFor(`rs ${PEER_LL}`);
    expect(seen, 'only the engine decides to answer').toEqual([]);
    h.proc.stdin!.end();
    expect(await h.exit).toBe(0);
  });

  it('a burst of "send" (one write) puts one advertisement on the wire: at most one per 100 ms', async () => {
    const h = run(withCap);
    await h.waitFor('ready');
    const seen = await listen(peer, 2, async () => h.proc.stdin!.write('send\n'.repeat(50)), { solicit: false });
    expect(seen).toHaveLength(1);
    h.proc.stdin!.end();
    expect(await h.exit).toBe(0);
  });

  it('without the capability: one line on stderr with the setcap remedy, exit 3, nothing on stdout', async () => {
    const h = run(withoutCap);
    expect(await h.exit).toBe(3);
    expect(h.lines).toEqual([]);
    expect(h.stderr).toBe(
      `bootdrop-ra: cannot open a raw ICMPv6 socket: Operation not permitted; this program needs the CAP_NET_RAW file capability (the .deb sets it on install; otherwise: sudo setcap cap_net_raw+ep ${withoutCap})\n`,
    );
  });

  it('refuses anything but its fixed job: bad interface names, unknown interfaces, other commands', async () => {
    const bad = run(withCap, ['eth0;reboot']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr).toBe('bootdrop-ra: "eth0;reboot" is not an interface name\n');
    const extra = run(withCap, ['eth0', 'ff02::2']);
    expect(await extra.exit).toBe(2);
    expect(extra.stderr).toMatch(/^bootdrop-ra: usage: bootdrop-ra <interface>/);
    const missing = run(withCap, ['nosuch0']);
    expect(await missing.exit).toBe(3);
    expect(missing.stderr).toBe('bootdrop-ra: interface nosuch0 not found: No such device\n');
    const h = run(withCap);
    await h.waitFor('ready');
    h.proc.stdin!.write('send 00112233\n');
    expect(await h.exit).toBe(2);
    expect(h.stderr).toBe('bootdrop-ra: unknown command "send 00112233" (only "send")\n');
  });

  it("the engine's helper client: sends on request, hears solicitations, and a helper without the capability is lost with the remedy", async () => {
    // The client spawns the program by path; a wrapper puts it in the server namespace as nobody.
    const wrap = (file: string, name: string) => {
      const w = path.join(dir, name);
      writeFileSync(w, `#!/bin/sh\nexec ip netns exec ${server.ns} ${NOBODY.join(' ')} ${file} "$@"\n`, {
        mode: 0o755,
      });
      return w;
    };
    const events: string[] = [];
    const eperm = () => {
      throw Object.assign(new Error('ndp.open: Operation not permitted (errno 1)'), { code: 'EPERM' });
    };
    const watch = {
      ready: (via: string) => void events.push(`ready ${via}`),
      sendFailed: (r: string) => void events.push(`sendFailed ${r}`),
      lost: (r: string) => void events.push(`lost ${r}`),
    };
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    const good = wrap(withCap, 'good.sh');
    const link = openAdvertisementLink({ name: 'eth0', mac: server.mac }, watch, {
      socket: eperm,
      helperPath: () => good,
      helper: startRaHelper,
    });
    await until(() => events.length > 0);
    expect(events).toEqual([`ready ${good}, which holds CAP_NET_RAW`]);
    const seen = await listen(peer, 2, async () => link.advertise(), { solicit: false, bytes: true });
    expect(seen.map((s) => s.bytes)).toEqual([encodeBootdropAdvertisement(server.mac).toString('hex')]);
    await listen(peer, 1, async () => undefined, { solicit: true });
    let heard: string[] = [];
    await until(() => (heard = heard.concat(link.solicitations())).includes(PEER_LL));
    expect(heard).toContain(PEER_LL);
    link.close();

    events.length = 0;
    openAdvertisementLink({ name: 'eth0', mac: server.mac }, watch, {
      socket: eperm,
      helperPath: () => wrap(withoutCap, 'nocap.sh'),
      helper: startRaHelper,
    });
    await until(() => events.length > 0);
    expect(events).toEqual([
      expect.stringMatching(/^lost bootdrop-ra: .*Operation not permitted.*sudo setcap cap_net_raw\+ep /),
    ]);
  });

  it('`bootdrop serve` as nobody (no CAP_NET_RAW) falls back to the helper: the PC hears the advertisement', async () => {
    const fx = await buildFixture('casper');
    const copy = readableCopy(['bin/bootdrop.js', 'package.json']);
    let serve: ServeProcess | null = null;
    try {
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy.root, 'node_modules')); // the engine's npm deps
      execFileSync('setcap', ['cap_net_raw+ep', path.join(copy.root, 'dist', 'native', 'bootdrop-ra')]);
      // Ports below 1024 for nobody, in this namespace only (the desktop app gets them from its polkit helper).
      await server.exec(['sysctl', '-q', '-w', 'net.ipv4.ip_unprivileged_port_start=0']);
      const source = await linkLocal(server);
      const proc = server.spawn(
        [
          ...NOBODY,
          process.execPath,
          path.join(copy.root, 'bin', 'bootdrop.js'),
          'serve',
          fx.iso,
          '--interface',
          'eth0',
          '--mode',
          'dhcp',
          '--json',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          cwd: '/',
          env: {
            ...process.env,
            HOME: '/nonexistent',
            BOOTDROP_NATIVE_DIR: '',
            BOOTDROP_LOADERS_DIR: path.join(ROOT, 'assets', 'loaders'),
          },
        },
      );
      serve = new ServeProcess(proc);
      await serve.ready();
      const seen = await listen(peer, 4, () => pxeClient(peer, { kind: 'bios', mac: '52:54:00:72:00:20' }), {
        bytes: true,
      });
      expect(seen.length, serve.describe()).toBeGreaterThan(0);
      for (const ra of seen) {
        expect(ra).toEqual({
          ...bootdropRaSeen(source, server.mac),
          bytes: encodeBootdropAdvertisement(server.mac).toString('hex'),
        });
      }
      expect(JSON.stringify(serve.events)).toMatch(
        /via \/tmp\/[^ ]*\/dist\/native\/bootdrop-ra, which holds CAP_NET_RAW/,
      );
      expect(await serve.stop()).toBe(0);
    } finally {
      if (serve && !serve.exited) await serve.stop();
      await server.exec(['sysctl', '-q', '-w', 'net.ipv4.ip_unprivileged_port_start=1024']);
      copy.remove();
    }
  });
});
