import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestLan } from '../helpers/netns';
import { bootUntil, startHomeRouter } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// The fixtures and the QEMU harness on their own (direct -kernel/-initrd boot, no PXE), so a failing
// network-boot test can be told apart from a broken fixture.
describe('boot-test fixtures', () => {
  let lan: TestLan | undefined;
  afterAll(async () => lan?.destroy());

  it('direct-boots the fixture kernel + initramfs to its marker under TCG', async () => {
    const fx = await buildFixture('casper', 'direct');
    const { serial } = await bootUntil(
      {
        firmware: 'bios',
        kernel: { vmlinuz: fx.kernel, initrd: fx.initrd, append: 'console=ttyS0 quiet bootdrop.check=1' },
      },
      /BOOTDROP-DONE-casperdirect/,
      180_000,
    );
    expect(serial).toMatch(markerOf(fx.token));
    expect(serial).toContain('BOOTDROP-CMDLINE console=ttyS0 quiet bootdrop.check=1');
  });

  it('fetches its root image over HTTP after udhcpc (e1000 and virtio-net drivers load)', async () => {
    const fx = await buildFixture('casper', 'direct');
    lan = await TestLan.create('fix');
    const router = await lan.addHost('router', '10.213.40.1/24');
    const web = await lan.addHost('web', '10.213.40.2/24');
    await startHomeRouter(router, '10.213.40');
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'bootdrop-web-'));
    const data = createHash('sha256').update('root').digest().toString('hex').repeat(1000);
    await fsp.writeFile(path.join(dir, 'root.img'), data);
    web.spawn(['busybox', 'httpd', '-f', '-p', '80', '-h', dir]);
    for (const nic of ['e1000', 'virtio-net-pci'] as const) {
      const tap = await lan.addTap();
      const { match } = await bootUntil(
        {
          firmware: 'bios',
          tap,
          nic,
          ipxeRom: false,
          kernel: {
            vmlinuz: fx.kernel,
            initrd: fx.initrd,
            append: `console=ttyS0 quiet bootdrop.fetch=http://${web.address}/root.img`,
          },
        },
        rootMarkerOf(fx.token),
        180_000,
      );
      expect(match[1]).toBe(createHash('sha256').update(data).digest('hex'));
      expect(Number(match[2])).toBe(data.length);
    }
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('builds the ISO layouts with xorriso', async () => {
    for (const kind of ['casper', 'live', 'arch'] as const) {
      const fx = await buildFixture(kind);
      expect(fx.iso).toMatch(/\.iso$/);
      expect(fx.rootSha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
