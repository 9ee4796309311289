/**
 * Bootdrop's IPv6 router advertisement, seen by a scapy peer on a namespace LAN: in own-DHCP mode the
 * peer hears one with exactly the promised fields (no prefix, not a default router, M=0 O=0, from the
 * server's link-local address with hop limit 255 and a good checksum); in proxy mode it hears none.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { pxeClient, requirePeers } from '../helpers/dhcp/harness';
import { linkLocal, listen, bootdropRaSeen } from '../helpers/ndp';
import { ServeProcess } from '../helpers/qemu';
import { buildFixture, type BootFixture } from '../helpers/testiso';

const NET = '10.213.71';

describe('IPv6 router advertisement', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let peer: NetnsHost;
  let fx: BootFixture;
  let serve: ServeProcess | null = null;

  beforeAll(async () => {
    requirePeers();
    fx = await buildFixture('casper');
    lan = await TestLan.create('ndp');
    server = await lan.addHost('server', `${NET}.2/24`);
    peer = await lan.addHost('peer', null, { mac: '52:54:00:71:00:10' });
  });
  afterEach(async () => {
    if (serve && !serve.exited) await serve.stop();
    serve = null;
  });
  afterAll(async () => lan?.destroy());

  it('own-DHCP mode: the PC hears a router advertisement with no prefix and no default router', async () => {
    const source = await linkLocal(server);
    serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'dhcp']);
    await serve.ready();
    const seen = await listen(peer, 4, () => pxeClient(peer, { kind: 'bios', mac: '52:54:00:71:00:20' }));
    expect(seen.length, serve.describe()).toBeGreaterThan(0);
    for (const ra of seen) {
      expect(ra).toEqual(bootdropRaSeen(source, server.mac));
    }
    expect(await serve.stop()).toBe(0);
  });

  it('proxy mode: no router advertisement, even when the PC solicits one', async () => {
    await linkLocal(server);
    serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy']);
    await serve.ready();
    const seen = await listen(peer, 4, () => pxeClient(peer, { kind: 'bios', mac: '52:54:00:71:00:21' }));
    expect(seen).toEqual([]);
    expect(await serve.stop()).toBe(0);
  });
});
