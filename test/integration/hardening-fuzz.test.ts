/**
 * Short fuzz runs against the live servers (the long ones are `npm run fuzz`): mutated datagrams and
 * raw HTTP requests at servers on loopback, mutated packets at a live DhcpService in a namespace,
 * mutated ISO images. After each, the server is still up and a valid client is answered correctly.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIso } from '../../main/iso';
import { MountedTree } from '../../main/vfs';
import { removeTempDirs, tempDir } from '../helpers/mkiso';
import { httpGet } from '../fuzz/lib/clients';
import { httpLiveCampaign } from '../fuzz/lib/http-campaign';
import { buildSeedIso, isoCampaign } from '../fuzz/lib/iso-campaign';
import {
  dhcpLiveCampaign,
  loopbackServers,
  tftpLiveCampaign,
  tftpStillServes,
  type LoopbackServers,
} from '../fuzz/lib/live';

const SCRIPT = Buffer.from('#!ipxe\necho fuzz survivor\n' + 'x'.repeat(3000));
let work: string;
let seedIso: string;
let servers: LoopbackServers;

beforeAll(async () => {
  work = await tempDir('fuzz-live');
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

describe('live servers under short fuzz runs', () => {
  it('TFTP: 3000 mutated requests, then a valid client gets its file byte-exact', async () => {
    const s = await tftpLiveCampaign(0x11fe0001, 3000, { host: servers.host, port: servers.tftp.port });
    expect(s.counts['error replies']).toBeGreaterThan(0);
    await tftpStillServes({ host: servers.host, port: servers.tftp.port }, 'boot.ipxe', SCRIPT);
  });

  it('HTTP: mutated request lines and headers, then GET still works', async () => {
    // Bounded by count and seeded (not by time), so a failing run replays exactly.
    const s = await httpLiveCampaign(
      0x11fe0002,
      150,
      { host: servers.host, port: servers.http.port },
      'never-served-token',
    );
    expect(s.iterations).toBe(150);
    expect(Object.keys(s.counts).some((k) => /^[45]\d\d$/.test(k))).toBe(true);
    const r = await httpGet(servers.host, servers.http.port, '/boot.ipxe');
    expect(r.status).toBe(200);
    expect(r.reply.subarray(r.reply.length - SCRIPT.length).equals(SCRIPT)).toBe(true);
  });

  it('ISO: mutated images only ever fail with VfsErrors, then the real image still serves', async () => {
    const s = await isoCampaign(0x11fe0003, 40, seedIso, work);
    expect(s.iterations).toBe(40);
    const want = await fsp.readFile(join(work, 'seed-src', 'casper', 'vmlinuz'));
    const r = await httpGet(servers.host, servers.http.port, '/iso/seed/casper/vmlinuz');
    expect(r.status).toBe(200);
    expect(r.reply.subarray(r.reply.length - want.length).equals(want)).toBe(true);
  });

  it('DHCP: 3000 mutated packets at a live proxy in a namespace, then a BIOS PXE ROM still gets its file', async () => {
    const s = await dhcpLiveCampaign(0x11fe0004, 3000);
    expect(s.iterations).toBe(3000);
    expect(
      s.counts.arrived! + s.counts['receive buffer overflows']!,
      'fuzz packets that reached the server',
    ).toBeGreaterThanOrEqual(3000);
    expect(s.offeredAfter).toBe('/loaders/undionly.kpxe');
  });
});
