/**
 * PCs on another subnet, behind a real DHCP relay agent (ISC dhcrelay in a router namespace, see
 * test/helpers/relay.ts): Bootdrop on the servers' subnet answers their relayed DHCP through the relay,
 * and serves them TFTP, HTTP and the port 4011 exchange over the routed path.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hex, pxeClient, requirePeers, startBootdrop, udhcpc, type BootdropProcess } from '../helpers/dhcp/harness';
import { ServeProcess } from '../helpers/qemu';
import {
  BOOTDROP,
  CAMPUS_DHCP,
  campus,
  CLIENT_NET,
  configureLease,
  RELAY,
  requireRelay,
  type Campus,
} from '../helpers/relay';
import { buildFixture } from '../helpers/testiso';

const LOADERS = path.resolve(__dirname, '..', '..', 'assets', 'loaders');
const ipHex = (ip: string) => Buffer.from(ip.split('.').map(Number)).toString('hex');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function stopProc(p: ChildProcess | null): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  await gone;
}

describe('clients behind a DHCP relay (isc-dhcp-relay between two subnets)', () => {
  let net: Campus;
  let relay: ChildProcess | null = null;
  let dhcp: ChildProcess | null = null;
  let bd: BootdropProcess | null = null;
  let serve: ServeProcess | null = null;

  beforeAll(async () => {
    requirePeers();
    requireRelay();
    net = await campus('rly');
  });
  afterEach(async () => {
    await bd?.stop();
    if (serve && !serve.exited) await serve.stop();
    await stopProc(relay);
    await stopProc(dhcp);
    bd = null;
    serve = null;
    relay = dhcp = null;
  });
  afterAll(async () => net?.destroy());

  it('proxy mode: the boot file comes back through the relay beside the campus server’s address; 4011 is answered routed', async () => {
    dhcp = await net.startCampusDhcp();
    relay = await net.startRelay([CAMPUS_DHCP, BOOTDROP]);
    bd = await startBootdrop(net.bootdrop, { iface: 'eth0', mode: 'proxy' });
    const mac = '52:54:00:90:00:01';
    const pc = await net.clients.addHost('pc1', null, { mac });

    const replies = await pxeClient(pc, { kind: 'bios', timeout: 3 });
    const why = `replies: ${JSON.stringify(replies)}\nrelay: ${net.relayLog()}\nbootdrop: ${bd.dump()}`;
    const campusOffer = replies.find((r) => r.options['54'] === ipHex(CAMPUS_DHCP));
    const proxyOffer = replies.find((r) => r.options['54'] === ipHex(BOOTDROP));
    expect(campusOffer?.yiaddr, why).toMatch(new RegExp(`^${CLIENT_NET.replace(/\./g, '\\.')}\\.(1[0-4]\\d|150)$`));
    // Both came from the relay (it received them on port 67 and passed them on), not from the servers.
    expect(proxyOffer, why).toMatchObject({
      src: RELAY,
      sport: 67,
      dport: 68,
      yiaddr: '0.0.0.0',
      siaddr: BOOTDROP,
      file: '/loaders/undionly.kpxe',
    });
    expect(proxyOffer!.options['60']).toBe(hex('PXEClient'));
    expect(bd.logs().join('\n')).toContain(`through relay ${RELAY}: tftp /loaders/undionly.kpxe`);

    // The client takes the campus server's address (relayed REQUEST: Bootdrop learns it, stays silent)...
    const lease = await udhcpc(pc);
    expect(lease, net.relayLog()).toMatchObject({ serverid: CAMPUS_DHCP, router: RELAY });
    await configureLease(pc, lease!.ip!);
    expect(await bd.macForIp(lease!.ip!)).toBe(mac);
    // ...then, as iPXE does, asks Bootdrop on port 4011 from its routed address.
    const ack = await pxeClient(pc, {
      kind: 'ipxe',
      type: 'request',
      port: 4011,
      server: BOOTDROP,
      ciaddr: lease!.ip!,
    });
    expect(ack, bd.dump()).toHaveLength(1);
    expect(ack[0]).toMatchObject({ src: BOOTDROP, sport: 4011, file: `http://${BOOTDROP}/boot.ipxe` });
    expect(ack[0]!.options['53']).toBe('05');
  });

  it('dhcp mode --pool: leases addresses on the relayed subnet with the relay as router, then serves TFTP and HTTP routed', async () => {
    const fx = await buildFixture('casper');
    relay = await net.startRelay([BOOTDROP]);
    serve = ServeProcess.start(net.bootdrop.ns, [
      fx.iso,
      '--interface',
      'eth0',
      '--mode',
      'dhcp',
      '--pool',
      `${CLIENT_NET}.0/24:${CLIENT_NET}.1-${CLIENT_NET}.20`,
    ]);
    await serve.ready();
    const mac = '52:54:00:90:00:02';
    const pc = await net.clients.addHost('pc2', null, { mac });

    const lease = await udhcpc(pc);
    // .1 is the relay itself: inside the range, never handed out.
    expect(lease, `${net.relayLog()}\n${serve.describe()}`).toMatchObject({
      ip: `${CLIENT_NET}.2`,
      serverid: BOOTDROP,
      router: RELAY,
      subnet: '255.255.255.0',
    });
    await configureLease(pc, lease!.ip!);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootdrop-relay-'));
    try {
      const viaTftp = path.join(dir, 'undionly.kpxe');
      const t = await pc.exec(['tftp', '-m', 'binary', BOOTDROP, '-c', 'get', '/loaders/undionly.kpxe', viaTftp], true);
      const want = sha256(fs.readFileSync(path.join(LOADERS, 'undionly.kpxe')));
      expect(fs.existsSync(viaTftp), `tftp: ${t.stderr}${t.stdout}\n${serve.describe()}`).toBe(true);
      expect(sha256(fs.readFileSync(viaTftp))).toBe(want);
      const h = await pc.exec(['curl', '-sf', '--max-time', '10', `http://${BOOTDROP}/boot.ipxe`], true);
      expect(h.stdout, `curl: ${h.stderr}\n${serve.describe()}`).toMatch(/^#!ipxe/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // The routed transfers are put down to the PC that leased the address.
    const done = (protocol: string) =>
      serve!.waitEvent(
        (e) =>
          e.type === 'transfer' &&
          (e.transfer as { protocol: string; outcome: string; mac: string | null }).protocol === protocol &&
          (e.transfer as { outcome: string }).outcome === 'done' &&
          (e.transfer as { mac: string | null }).mac === mac,
        10_000,
        `a finished ${protocol} transfer to ${mac}`,
      );
    await done('tftp');
    await done('http');
  });

  it('bootdrop serve rejects a malformed --pool, and --pool in proxy mode, saying what to do', () => {
    const serveArgs = (...args: string[]) =>
      spawnSync(process.execPath, [path.resolve(__dirname, '..', '..', 'bin', 'bootdrop.js'), 'serve', ...args], {
        encoding: 'utf8',
        timeout: 20_000,
      });
    const bad = serveArgs('x.iso', '--mode', 'dhcp', '--pool', '10.1.0.0/24:10.2.0.5-10.2.0.9');
    expect(bad.status).toBe(2);
    expect(bad.stderr + bad.stdout).toMatch(
      /--pool 10\.1\.0\.0\/24:10\.2\.0\.5-10\.2\.0\.9: first address 10\.2\.0\.5 is not in 10\.1\.0\.0\/24/,
    );
    const proxy = serveArgs('x.iso', '--pool', '10.1.0.0/24:10.1.0.5-10.1.0.9');
    expect(proxy.status).toBe(2);
    expect(proxy.stderr + proxy.stdout).toMatch(
      /--pool hands out addresses, which proxy mode never does: add --mode dhcp/,
    );
  });
});
