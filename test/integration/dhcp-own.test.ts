/**
 * A laptop cabled straight to a PC: no router, so Bootdrop is the DHCP server (dhcp mode), and auto
 * mode finds that out by itself, then steps back to proxyDHCP when a real DHCP server shows up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { TestLan, type NetnsHost } from '../helpers/netns';
import {
  pxeClient,
  requirePeers,
  startBootdrop,
  startDnsmasq,
  udhcpc,
  type BootdropProcess,
} from '../helpers/dhcp/harness';

const SERVER = '10.213.31.1';

describe('own DHCP on a bare cable', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let client: NetnsHost;
  let bd: BootdropProcess | null = null;
  let dnsmasq: ChildProcess | null = null;

  beforeAll(async () => {
    requirePeers();
    lan = await TestLan.create('dhcpown');
    server = await lan.addHost('srv', `${SERVER}/24`);
    client = await lan.addHost('cli', null, { mac: '52:54:00:31:00:10' });
  });
  afterEach(async () => {
    await bd?.stop();
    bd = null;
    dnsmasq?.kill('SIGKILL');
    dnsmasq = null;
  });
  afterAll(async () => lan?.destroy());

  it('dhcp mode: udhcpc gets an address from Bootdrop (mask, lease, no router); PXE clients also get the boot file', async () => {
    bd = await startBootdrop(server, { iface: 'eth0', mode: 'dhcp' });
    const lease = await udhcpc(client);
    expect(lease, bd.dump()).not.toBeNull();
    expect(lease).toMatchObject({ serverid: SERVER, router: 'none', subnet: '255.255.255.0', lease: '3600' });
    expect(lease!.ip).toMatch(/^10\.213\.31\.\d+$/);
    expect(lease!.ip).not.toBe(SERVER);
    const ev = await bd.waitFor((l) => l.type === 'client' && l.exchange === 'lease', 2000);
    expect(ev).toMatchObject({ mac: '52:54:00:31:00:10', ip: lease!.ip });
    expect(ev.decision.kind).toBe('ignore'); // the OS's own client is not network-booting
    expect(await bd.macForIp(lease!.ip!)).toBe('52:54:00:31:00:10');

    const offers = (await pxeClient(client, { kind: 'bios', mac: '52:54:00:31:00:20' })).filter(
      (r) => r.src === SERVER,
    );
    expect(offers).toHaveLength(1);
    expect(offers[0]!.yiaddr).toMatch(/^10\.213\.31\.\d+$/);
    expect(offers[0]!.yiaddr).not.toBe(lease!.ip);
    expect(offers[0]).toMatchObject({ file: '/loaders/undionly.kpxe', siaddr: SERVER });
    expect(offers[0]!.options['3']).toBeUndefined();
    expect(offers[0]!.options['1']).toBe('ffffff00');

    // A REQUEST for an address that is not ours on this subnet is NAKed (only in dhcp mode).
    const naks = (
      await pxeClient(client, { kind: 'plain', type: 'request', requested: '192.168.77.5', mac: '52:54:00:31:00:30' })
    ).filter((r) => r.src === SERVER);
    expect(naks.map((r) => r.options['53'])).toEqual(['06']);
  });

  it('dhcp mode: 80 REQUESTs without an OFFER from two hosts bind nothing; a stranger DECLINE evicts nobody', async () => {
    const other = await lan.addHost('cli2', null, { mac: '52:54:00:31:00:11' });
    bd = await startBootdrop(server, { iface: 'eth0', mode: 'dhcp' });
    const lease = await udhcpc(client);
    expect(lease?.serverid, bd.dump()).toBe(SERVER);
    // 40 SELECTING REQUESTs (our server id, no OFFER) from one host, 40 INIT-REBOOT ones from another,
    // each from its own MAC and for an address of the pool (10.213.31.2-65).
    const [selecting, initReboot] = await Promise.all([
      pxeClient(client, {
        kind: 'plain',
        type: 'request',
        mac: '02:31:00:00:01:00',
        requested: '10.213.31.2',
        serverId: SERVER,
        count: 40,
      }),
      pxeClient(other, {
        kind: 'plain',
        type: 'request',
        mac: '02:31:00:00:02:00',
        requested: '10.213.31.10',
        count: 40,
      }),
    ]);
    const types = (rs: typeof selecting) => rs.filter((r) => r.src === SERVER).map((r) => r.options['53']);
    expect(types(selecting).length, bd.dump()).toBeGreaterThan(0);
    expect(new Set(types(selecting))).toEqual(new Set(['06'])); // NAKs: start over with a DISCOVER
    expect(types(initReboot)).toEqual([]); // RFC 2131: no record of these clients, so no answer
    expect(bd.lines.filter((l) => l.type === 'client' && l.exchange === 'lease')).toHaveLength(1); // udhcpc's
    for (let i = 2; i < 50; i += 3) {
      const ip = `10.213.31.${i}`;
      if (ip !== lease!.ip) expect(await bd.macForIp(ip)).toBeNull();
    }
    // A stranger declining udhcpc's address (and others) changes nothing.
    const declines = await pxeClient(other, {
      kind: 'plain',
      type: 'decline',
      mac: '02:31:00:00:03:00',
      requested: lease!.ip!,
      serverId: SERVER,
      count: 5,
    });
    expect(declines.filter((r) => r.src === SERVER)).toEqual([]);
    expect(await bd.macForIp(lease!.ip!)).toBe('52:54:00:31:00:10');
    expect(bd.logs().join('\n')).toMatch(/ignored DHCPDECLINE of 10\.213\.31\.\d+ from 02:31:00:00:03:00/);
    // The pool still serves a new client.
    const offers = (await pxeClient(other, { kind: 'bios', mac: '52:54:00:31:00:21' })).filter((r) => r.src === SERVER);
    expect(offers).toHaveLength(1);
    expect(offers[0]!.yiaddr).toMatch(/^10\.213\.31\.\d+$/);
  });

  it('auto mode: no answer → acts as DHCP server; a DHCP server appears → falls back to proxy and says so', async () => {
    bd = await startBootdrop(server, { iface: 'eth0', mode: 'auto', probeTimeoutMs: 1500, probeIntervalMs: 2000 });
    const ready = await bd.waitFor((l) => l.type === 'ready', 1000);
    expect(ready.effectiveMode).toBeNull(); // still probing
    await bd.waitFor((l) => l.type === 'mode' && l.mode === 'dhcp', 6000, 'mode dhcp');
    expect(bd.logs().join('\n')).toMatch(/no other DHCP server answered/);
    const lease = await udhcpc(client);
    expect(lease?.serverid, bd.dump()).toBe(SERVER);

    const router = await lan.addHost('router', '10.213.31.254/24');
    dnsmasq = await startDnsmasq(router, '10.213.31.100,10.213.31.150,255.255.255.0,5m');
    await bd.waitFor((l) => l.type === 'mode' && l.mode === 'proxy', 10_000, 'fallback to proxy');
    expect(bd.logs().join('\n')).toMatch(/another DHCP server appeared at 10\.213\.31\.254.*proxyDHCP/);

    const replies = await pxeClient(client, { kind: 'bios' });
    const ours = replies.filter((r) => r.src === SERVER);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.yiaddr).toBe('0.0.0.0'); // proxy now: no addresses from us
    expect(replies.some((r) => r.src === '10.213.31.254' && r.yiaddr !== '0.0.0.0')).toBe(true);
    const plain = await pxeClient(client, { kind: 'plain' });
    expect(plain.filter((r) => r.src === SERVER)).toEqual([]);
  });

  it('auto mode with a DHCP server already there goes straight to proxy', async () => {
    const router = await lan.addHost('router2', '10.213.31.253/24');
    dnsmasq = await startDnsmasq(router, '10.213.31.160,10.213.31.170,255.255.255.0,5m');
    bd = await startBootdrop(server, { iface: 'eth0', mode: 'auto', probeTimeoutMs: 3000 });
    await bd.waitFor((l) => l.type === 'mode', 5000);
    expect(bd.lines.filter((l) => l.type === 'mode').map((l) => l.mode)).toEqual(['proxy']);
    expect(bd.logs().join('\n')).toMatch(/found a DHCP server at 10\.213\.31\.253/);
  });
});

// An office LAN whose DHCP server did not answer in time (down, slow, a lost packet): silence alone
// must not make Bootdrop a second DHCP server there. The server's ARP table knows several machines.
describe('auto mode on a busy link without an answering DHCP server', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let bd: BootdropProcess | null = null;

  beforeAll(async () => {
    requirePeers();
    lan = await TestLan.create('dhcpbusy');
    server = await lan.addHost('srv', '10.213.32.1/24');
    for (let i = 0; i < 3; i++) {
      const peer = await lan.addHost(`pc${i}`, `10.213.32.${10 + i}/24`);
      // One datagram to the server: the peer ARPs for it, so the server's kernel learns the peer's MAC.
      const send = "const s=require('dgram').createSocket('udp4');s.send('hi',9,'10.213.32.1',()=>s.close())";
      await peer.exec(['node', '-e', send]);
    }
  });
  afterAll(async () => {
    await bd?.stop();
    await lan?.destroy();
  });

  it('stays proxyDHCP, says why, and never hands out an address', async () => {
    bd = await startBootdrop(server, { iface: 'eth0', mode: 'auto', probeTimeoutMs: 1500 });
    await bd.waitFor((l) => l.type === 'mode', 6000, 'auto mode to decide');
    expect(bd.lines.filter((l) => l.type === 'mode').map((l) => l.mode)).toEqual(['proxy']);
    expect(bd.logs().join('\n')).toMatch(
      /no other DHCP server answered 3 probes .*, but 3 other machines are on eth0: staying proxyDHCP/,
    );
    const client = await lan.addHost('cli', null, { mac: '52:54:00:32:00:10' });
    const plain = await pxeClient(client, { kind: 'plain' });
    expect(plain.filter((r) => r.src === '10.213.32.1')).toEqual([]);
    const pxe = (await pxeClient(client, { kind: 'bios' })).filter((r) => r.src === '10.213.32.1');
    expect(pxe.map((r) => r.yiaddr)).toEqual(['0.0.0.0']); // a proxy offer: boot file, no address
  });
});
