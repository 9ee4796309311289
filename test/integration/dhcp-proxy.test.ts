/**
 * proxyDHCP beside a real DHCP server: dnsmasq is the home router, Bootdrop's compiled DhcpService
 * runs in its own namespace on the real ports 67/4011, and scapy plays BIOS, UEFI, iPXE, HTTP Boot
 * and ordinary clients; busybox udhcpc is an ordinary OS client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { TestLan, type NetnsHost } from '../helpers/netns';
import {
  hex,
  pxeClient,
  requirePeers,
  startBootdrop,
  startDnsmasq,
  udhcpc,
  type BootdropProcess,
  type DhcpReply,
} from '../helpers/dhcp/harness';

const ROUTER = '10.213.30.1';
const SERVER = '10.213.30.2';

describe('proxyDHCP beside dnsmasq', () => {
  let lan: TestLan;
  let router: NetnsHost;
  let server: NetnsHost;
  let client: NetnsHost;
  let dnsmasq: ChildProcess;
  let bd: BootdropProcess;

  beforeAll(async () => {
    requirePeers();
    lan = await TestLan.create('dhcpproxy');
    router = await lan.addHost('router', `${ROUTER}/24`);
    server = await lan.addHost('srv', `${SERVER}/24`);
    client = await lan.addHost('cli', null, { mac: '52:54:00:30:00:10' });
    dnsmasq = await startDnsmasq(router, '10.213.30.100,10.213.30.150,255.255.255.0,5m');
    bd = await startBootdrop(server, { iface: 'eth0', mode: 'proxy' });
  });
  afterAll(async () => {
    await bd?.stop();
    dnsmasq?.kill('SIGKILL');
    await lan?.destroy();
  });

  const fromUs = (rs: DhcpReply[]) => rs.filter((r) => r.src === SERVER);
  const fromRouter = (rs: DhcpReply[]) => rs.filter((r) => r.src === ROUTER);

  it('states its mode', async () => {
    expect(await bd.waitFor((l) => l.type === 'mode', 2000)).toMatchObject({ mode: 'proxy' });
  });

  it("offers a BIOS PXE ROM its boot file next to the router's address offer", async () => {
    const replies = await pxeClient(client, { kind: 'bios', xid: 0x1001 });
    const router1 = fromRouter(replies);
    expect(router1.length).toBeGreaterThan(0);
    expect(router1[0]!.yiaddr).toMatch(/^10\.213\.30\.1\d\d$/);
    const ours = fromUs(replies);
    expect(ours).toHaveLength(1);
    const o = ours[0]!;
    expect(o).toMatchObject({
      sport: 67,
      dst: '255.255.255.255',
      dport: 68,
      op: 2,
      yiaddr: '0.0.0.0',
      siaddr: SERVER,
      file: '/loaders/undionly.kpxe',
    });
    expect(o.options['53']).toBe('02');
    expect(o.options['54']).toBe('0ad51e02');
    expect(o.options['60']).toBe(hex('PXEClient'));
    expect(o.options['43']).toBe('060108ff'); // discovery control = 8: download the file in this offer
    expect(o.options['97']).toBe('00' + '101112131415161718191a1b1c1d1e1f');
    expect(o.options['51']).toBeUndefined();
    const ev = await bd.waitFor(
      (l) => l.type === 'client' && l.mac === '52:54:00:30:00:10' && l.exchange === 'discover',
      2000,
    );
    expect(ev.facts).toMatchObject({ arch: 'bios', archCode: 0, isIpxe: false });
    expect(ev.decision).toEqual({ kind: 'tftp', file: '/loaders/undionly.kpxe' });
  });

  it('offers UEFI x64 (arch 7 and 9) the x64 loader, and answers the port 4011 REQUEST with an ACK', async () => {
    for (const kind of ['uefi', 'uefi9']) {
      const ours = fromUs(await pxeClient(client, { kind }));
      expect(ours.map((r) => r.file)).toEqual(['/loaders/snponly.efi']);
    }
    // After the router's lease, EDK2 asks the proxy on port 4011 from port 4011, unicast.
    await client.exec(['ip', 'addr', 'add', '10.213.30.120/24', 'dev', 'eth0']);
    try {
      const acks = await pxeClient(client, {
        kind: 'uefi',
        type: 'request',
        server: SERVER,
        port: 4011,
        ciaddr: '10.213.30.120',
        xid: 0x4011,
      });
      expect(acks).toHaveLength(1);
      expect(acks[0]).toMatchObject({
        src: SERVER,
        sport: 4011,
        op: 2,
        ciaddr: '10.213.30.120',
        yiaddr: '0.0.0.0',
        file: '/loaders/snponly.efi',
        siaddr: SERVER,
      });
      expect(acks[0]!.options['53']).toBe('05');
      expect(acks[0]!.options['54']).toBe('0ad51e02');
      const ev = await bd.waitFor((l) => l.type === 'client' && l.exchange === 'pxe-4011', 2000);
      expect(ev.ip).toBe('10.213.30.120');
      expect(await bd.macForIp('10.213.30.120')).toBe('52:54:00:30:00:10'); // learned from the 4011 exchange
      expect(await bd.macForIp('10.213.30.99')).toBeNull();
      // A ROM that sends its REQUEST to port 67 naming the proxy gets an ACK there too.
      const acks67 = fromUs(await pxeClient(client, { kind: 'bios', type: 'request', serverId: SERVER }));
      expect(acks67.map((r) => r.options['53'])).toEqual(['05']);
    } finally {
      await client.exec(['ip', 'addr', 'flush', 'dev', 'eth0']);
    }
  });

  it("gives iPXE (QEMU's PXE ROM) the boot script URL instead of chain-loading itself", async () => {
    const ours = fromUs(await pxeClient(client, { kind: 'ipxe' }));
    expect(ours.map((r) => r.file)).toEqual([`http://${SERVER}/boot.ipxe`]);
  });

  it('answers UEFI HTTP Boot with an http:// URL and vendor class HTTPClient', async () => {
    const ours = fromUs(await pxeClient(client, { kind: 'http' }));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.file).toBe(`http://${SERVER}/loaders/snponly.efi`);
    expect(ours[0]!.options['60']).toBe(hex('HTTPClient'));
  });

  it('stays silent for ordinary clients and unsupported architectures, and says why for the latter', async () => {
    const plain = await pxeClient(client, { kind: 'plain' });
    expect(fromRouter(plain).length).toBeGreaterThan(0);
    expect(fromUs(plain)).toEqual([]);
    const itanium = await pxeClient(client, { kind: 'itanium' });
    expect(fromUs(itanium)).toEqual([]);
    await bd.waitFor(
      (l) => l.type === 'log' && l.level === 'warn' && /architecture 2 .*not supported/.test(l.message),
      2000,
    );
  });

  it("leaves busybox udhcpc to the router: the lease is dnsmasq's and Bootdrop sends nothing", async () => {
    const capture = '/tmp/bd-dhcp-udhcpc.pcap';
    const tcpdump = client.spawn(['tcpdump', '-i', 'eth0', '-n', '-U', '-w', capture, 'udp and (port 67 or port 68)']);
    await new Promise((r) => setTimeout(r, 800));
    const before = bd.lines.length;
    const lease = await udhcpc(client);
    await new Promise((r) => setTimeout(r, 500));
    tcpdump.kill('SIGINT');
    await new Promise((r) => tcpdump.once('exit', r));
    expect(lease).not.toBeNull();
    expect(lease!.serverid).toBe(ROUTER);
    expect(lease!.ip).toMatch(/^10\.213\.30\.1\d\d$/);
    const read = await client.exec(['tcpdump', '-n', '-r', capture], true);
    const packets = read.stdout.split('\n').filter(Boolean);
    expect(packets.some((l) => l.includes(`${ROUTER}.67 >`))).toBe(true); // the capture works
    expect(packets.filter((l) => l.includes(`${SERVER}.`))).toEqual([]);
    expect(bd.lines.slice(before).filter((l) => l.type === 'client')).toEqual([]);
    await client.exec(['rm', '-f', capture], true);
  });

  it('keeps answering after a second of garbage on ports 67 and 4011', async () => {
    await client.exec(['ip', 'addr', 'add', '10.213.30.121/24', 'dev', 'eth0']);
    try {
      const fuzz = `
import random, socket, time
random.seed(1234)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
base = bytes([1, 1, 6, 0]) + bytes(232) + bytes([0x63, 0x82, 0x53, 0x63, 53, 1, 1, 60, 9]) + b'PXEClient' + bytes([93, 2, 0, 0, 255])
end = time.time() + 1.0
n = 0
while time.time() < end and n < 20000:
    b = bytearray(base if random.random() < 0.8 else bytes(random.randrange(0, 600)))
    for _ in range(random.randrange(1, 10)):
        if b: b[random.randrange(len(b))] = random.randrange(256)
    if random.random() < 0.1: b = b[:random.randrange(len(b) + 1)]
    s.sendto(bytes(b), ('${SERVER}', random.choice([67, 4011])))
    n += 1
print(n)
`;
      const r = await client.exec(['/usr/bin/python3', '-c', fuzz]);
      expect(Number(r.stdout.trim())).toBeGreaterThan(50);
    } finally {
      await client.exec(['ip', 'addr', 'flush', 'dev', 'eth0']);
    }
    expect(bd.proc.exitCode).toBeNull();
    const ours = fromUs(await pxeClient(client, { kind: 'bios' }));
    expect(ours.map((o) => o.file)).toEqual(['/loaders/undionly.kpxe']);
  });
});
