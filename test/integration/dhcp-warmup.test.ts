/**
 * The DHCP service warms its hot path at start (main/dhcp/warm-up.ts) without side effects: the
 * compiled DhcpService in own-DHCP mode (the mode with the most state) in a TestLan namespace, a
 * capture on its link, and a scapy PXE client afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { LeasePool } from '../../main/dhcp/lease-pool';
import { TestLan, waitForOutput, type NetnsHost } from '../helpers/netns';
import { BootdropProcess, pxeClient, requirePeers } from '../helpers/dhcp/harness';

const SERVER = '10.213.44.1';
const ENGINE = path.resolve(__dirname, '../../dist/engine');

/** The service with a policy that counts its questions; JSON lines like the harness's runner. */
const RUNNER = `
const { DhcpService } = require(${JSON.stringify(ENGINE + '/dhcp/index.js')});
const { findInterface } = require(${JSON.stringify(ENGINE + '/net/index.js')});
const print = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
let decided = 0;
const { PxePolicy } = require(${JSON.stringify(ENGINE + '/boot/pxe-policy.js')});
const product = new PxePolicy({ httpPort: 80 });
const policy = { decide(f, ip) { decided++; return product.decide(f, ip); } };
findInterface('eth0').then((iface) => {
  const svc = new DhcpService({ iface, mode: 'dhcp', policy, log: (level, message) => print({ type: 'log', level, message }) });
  svc.on('client', (e) => print({ type: 'client', mac: e.mac, ip: e.ip }));
  svc.start().then(
    () => print({ type: 'ready', decided, known: svc.macForIp('10.213.44.2') }),
    (err) => print({ type: 'error', message: err.message }),
  );
  process.on('SIGTERM', () => svc.stop().then(() => process.exit(0)));
});
`;

describe('DHCP start-up warm-up', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let client: NetnsHost;
  let bd: BootdropProcess;
  let capture: ChildProcess;
  let captured = '';

  beforeAll(async () => {
    requirePeers();
    lan = await TestLan.create('dhcpwarm');
    server = await lan.addHost('srv', `${SERVER}/24`);
    client = await lan.addHost('cli', null, { mac: '52:54:00:44:00:10' });
    // Everything the server puts on the link, from before it starts.
    capture = server.spawn(['tcpdump', '-i', 'eth0', '-n', '-l', 'src', 'host', SERVER]);
    capture.stdout!.on('data', (c: Buffer) => (captured += c.toString()));
    await waitForOutput(capture, /listening on/, 10_000);
    bd = new BootdropProcess(server.spawn(['node', '-e', RUNNER], { stdio: ['pipe', 'pipe', 'pipe'] }));
    await bd.waitFor((l) => l.type === 'ready' || l.type === 'error', 15_000, 'the DHCP service to start');
  });
  afterAll(async () => {
    await bd?.stop();
    capture?.kill('SIGTERM');
    await lan?.destroy();
  });

  it('ran the policy on synthetic clients, and sent, logged, emitted and remembered nothing', async () => {
    const ready = bd.lines.find((l) => l.type === 'ready');
    expect(ready, JSON.stringify(bd.lines)).toBeDefined();
    expect(ready!.decided).toBeGreaterThan(0); // the warm-up did run the path
    expect(ready!.known).toBeNull(); // its 4011 "client" (the next address) was not remembered
    await new Promise((r) => setTimeout(r, 500));
    expect(captured).toBe('');
    expect(bd.lines.filter((l) => l.type === 'client')).toEqual([]);
    expect(bd.lines.filter((l) => l.type === 'log').map((l) => l.message as string)).toEqual([
      expect.stringMatching(/^DHCP dhcp mode on eth0/),
    ]);
  });

  it('then gives the first real client the first address of its pool (the warm-up used its own)', async () => {
    const first = new LeasePool({ subnet: { address: SERVER, prefix: 24 } }).addresses[0];
    const replies = (await pxeClient(client, { kind: 'bios', xid: 0x4401 })).filter((r) => r.src === SERVER);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ yiaddr: first, file: '/loaders/undionly.kpxe' });
    const ev = await bd.waitFor((l) => l.type === 'client', 2000, 'the client event');
    expect(ev).toMatchObject({ mac: '52:54:00:44:00:10', ip: first });
    expect(bd.lines.filter((l) => l.type === 'client')).toHaveLength(1);
  });
});
