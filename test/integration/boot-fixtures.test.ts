import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TestLan } from '../helpers/netns';
import { bootUntil, startHomeRouter } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

const execFileP = promisify(execFile);

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

  // Read back with xorriso (not with the helper that built them): the files the layouts publish are
  // there with the right bytes, the volume id is the distribution's, and the root image the guests
  // fetch hashes to what the boot tests compare against.
  it('builds the ISO layouts with xorriso: published paths, volume ids and root-image hashes read back', async () => {
    const layouts = {
      casper: { kernel: '/casper/vmlinuz', initrd: '/casper/initrd', root: null },
      live: { kernel: '/live/vmlinuz', initrd: '/live/initrd.img', root: '/live/filesystem.squashfs' },
      arch: {
        kernel: '/arch/boot/x86_64/vmlinuz-linux',
        initrd: '/arch/boot/x86_64/initramfs-linux.img',
        root: '/arch/x86_64/airootfs.sfs',
      },
    } as const;
    const out = await fsp.mkdtemp(path.join(os.tmpdir(), 'bootdrop-fixture-read-'));
    const sha = async (f: string) =>
      createHash('sha256')
        .update(await fsp.readFile(f))
        .digest('hex');
    try {
      for (const [kind, files] of Object.entries(layouts) as Array<
        [keyof typeof layouts, (typeof layouts)[keyof typeof layouts]]
      >) {
        const fx = await buildFixture(kind);
        const pvd = await execFileP('xorriso', ['-indev', fx.iso, '-pvd_info'], { maxBuffer: 1 << 20 });
        expect(`${pvd.stdout}${pvd.stderr}`, kind).toMatch(new RegExp(`Volume Id\\s*:\\s*${fx.label}\\b`));
        const extract = async (isoPath: string) => {
          const dest = path.join(out, `${kind}-${path.basename(isoPath)}`);
          await execFileP('xorriso', ['-osirrox', 'on', '-indev', fx.iso, '-extract', isoPath, dest]);
          return dest;
        };
        expect(await sha(await extract(files.kernel)), `${kind} ${files.kernel}`).toBe(await sha(fx.kernel));
        expect(await sha(await extract(files.initrd)), `${kind} ${files.initrd}`).toBe(await sha(fx.initrd));
        // casper fetches the whole ISO (url=); the others one image inside it.
        const root = files.root === null ? fx.iso : await extract(files.root);
        expect(await sha(root), `${kind} root image`).toBe(fx.rootSha256);
      }
    } finally {
      await fsp.rm(out, { recursive: true, force: true });
    }
  });
});
