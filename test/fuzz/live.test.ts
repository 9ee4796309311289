/**
 * Long live fuzz campaigns: mutated datagrams at a TFTP server, raw HTTP requests at an HTTP server
 * (both on loopback), mutated packets at a DhcpService in a namespace, and 10,000 mutated ISO images
 * (× FUZZ_SCALE). After each, a valid client is served correctly.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIso } from '../../main/iso';
import { MountedTree } from '../../main/vfs';
import { removeTempDirs, tempDir } from '../helpers/mkiso';
import { httpGet } from './lib/clients';
import { httpLiveCampaign } from './lib/http-campaign';
import { buildSeedIso, isoCampaign } from './lib/iso-campaign';
import { dhcpLiveCampaign, loopbackServers, tftpLiveCampaign, tftpStillServes, type LoopbackServers } from './lib/live';
import { scaled, seedFrom } from './lib/mutate';
import { record } from './record';

const SCRIPT = Buffer.from('#!ipxe\necho fuzz survivor\n');
let work: string;
let seedIso: string;
let servers: LoopbackServers;

beforeAll(async () => {
  work = await tempDir('fuzz-long');
  seedIso = await buildSeedIso(work);
  const tree = new MountedTree();
  tree.setFile('/boot.ipxe', SCRIPT);
  tree.mount('/iso/seed', await openIso(seedIso));
  servers = await loopbackServers(tree, '127.0.0.4');
});
afterAll(async () => {
  await servers?.stop();
  await removeTempDirs();
});

describe('live servers, long runs', () => {
  it('TFTP listener: mutated requests, then a valid client', async () => {
    const s = await tftpLiveCampaign(seedFrom(0x11fe_1001), scaled(100_000), {
      host: servers.host,
      port: servers.tftp.port,
    });
    record(s);
    await tftpStillServes({ host: servers.host, port: servers.tftp.port }, 'boot.ipxe', SCRIPT);
  });

  it('HTTP: raw mutated requests, then a valid GET', async () => {
    const s = await httpLiveCampaign(
      seedFrom(0x11fe_1002),
      scaled(5_000),
      { host: servers.host, port: servers.http.port },
      'never-served-token',
    );
    record(s);
    const r = await httpGet(servers.host, servers.http.port, '/boot.ipxe');
    expect(r.status).toBe(200);
  });

  it('DHCP service in a namespace: mutated packets, then a BIOS PXE ROM', async () => {
    const s = await dhcpLiveCampaign(seedFrom(0x11fe_1003), scaled(100_000));
    record(s);
    expect(s.offeredAfter).toBe('/loaders/undionly.kpxe');
  });

  it('ISO: 10,000 mutated images through open, the boot planner and a walk', async () => {
    const n = scaled(10_000);
    const s = await isoCampaign(seedFrom(0x11fe_1004), n, seedIso, work);
    record(s);
    expect(s.iterations).toBe(n);
    const want = await fsp.readFile(join(work, 'seed-src', 'casper', 'vmlinuz'));
    const r = await httpGet(servers.host, servers.http.port, '/iso/seed/casper/vmlinuz');
    expect(r.reply.subarray(r.reply.length - want.length).equals(want)).toBe(true);
  });
});
