/**
 * Boot planning on release layouts as the projects publish them (issue 14): memtest86+'s release ISO,
 * Fedora's KIWI-built live ISO, Anaconda boot ISOs without packages, Debian/Ubuntu installer media,
 * and unknown ISOs booted through their own El Torito images (FAT12/16/32 EFI images read in place).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { runOk } from '../../helpers/run';
import { afterAll, describe, expect, it } from 'vitest';
import { planSource, renderIpxeScript, DEFAULT_MENU, type SourcePlan } from '../../../main/boot';
import { FolderSource, type Vfs } from '../../../main/vfs';
import * as F from './fixtures';

afterAll(() => F.cleanupTrees());

function asIso(vfs: Vfs): Vfs {
  return new Proxy(vfs, { get: (t, p) => (p === 'kind' ? 'iso' : (Reflect.get(t, p, t) as unknown)) }) as Vfs;
}

async function plan(tree: F.Tree, label: string, elTorito: unknown[], size = 1024 * 1048576): Promise<SourcePlan> {
  const dir = await F.writeTree(tree);
  const vfs = asIso(await FolderSource.open(dir));
  return planSource(
    vfs,
    { label, size, fileSystems: ['ISO 9660'], elTorito },
    { sourceId: 'src1', hostPath: '/x.iso' },
  );
}

const SRV = 'http://<server>/iso/src1';
const HYBRID = F.elTorito(
  { platform: 'bios', emulation: 'none', size: 2048 },
  { platform: 'efi', emulation: 'none', size: 8 << 20 },
);

describe('memtest86+ release ISO (MT86PLUS_64: /boot/floppy.img + EFI/BOOT/bootx64.efi)', () => {
  it('is memtest86+: the floppy image as a Linux-protocol kernel on BIOS, bootx64.efi chained on UEFI', async () => {
    const p = await plan(F.MEMTEST_RELEASE_TREE, 'MT86PLUS_64', F.MEMTEST_RELEASE_ELTORITO, 3 << 20);
    const s = p.summary;
    expect(s.family).toBe('memtest');
    expect(s.osName).toBe('memtest86+');
    expect(s.entries.map((e) => [e.kind, e.kernel, e.firmware])).toEqual([
      ['linux', '/boot/floppy.img', ['bios']],
      ['chain', '/EFI/BOOT/bootx64.efi', ['uefi']],
    ]);
    expect(s.warnings.join()).not.toMatch(/generic/);
    const script = renderIpxeScript([p], DEFAULT_MENU, { ip: '10.0.0.1', httpPort: 8080 });
    expect(script).toContain('kernel http://10.0.0.1:8080/iso/src1/boot/floppy.img');
    expect(script).toContain('chain http://10.0.0.1:8080/iso/src1/EFI/BOOT/bootx64.efi');
    expect(script).not.toContain('sanboot --no-describe http');
  });

  it('takes per-entry options (console=ttyS0,115200) but not the global Linux arguments', async () => {
    const p = await plan(F.MEMTEST_RELEASE_TREE, 'MT86PLUS_64', F.MEMTEST_RELEASE_ELTORITO);
    const [bios, efi] = p.summary.entries;
    const script = renderIpxeScript(
      [p],
      {
        ...DEFAULT_MENU,
        append: 'quiet splash',
        overrides: { [bios!.id]: { append: 'console=ttyS0,115200' }, [efi!.id]: { append: 'console=ttyS0,115200' } },
      },
      { ip: '10.0.0.1', httpPort: 8080 },
    );
    expect(script).toContain('kernel http://10.0.0.1:8080/iso/src1/boot/floppy.img console=ttyS0,115200');
    expect(script).toContain('chain http://10.0.0.1:8080/iso/src1/EFI/BOOT/bootx64.efi console=ttyS0,115200 ||');
    expect(script).not.toContain('splash');
  });
});

describe('Fedora 42+ live ISOs built by KIWI', () => {
  it('are Fedora (dracut live), not openSUSE, and both ($root)-prefixed GRUB entries import', async () => {
    const p = await plan(F.FEDORA_KIWI_TREE, 'Fedora-WS-Live-42', HYBRID, 2600 * 1048576);
    const s = p.summary;
    expect(s.family).toBe('dracut-live');
    expect(s.osName).toBe('Fedora Workstation Live 42');
    expect(p.menuFiles).toEqual(['/boot/grub2/grub.cfg']);
    expect(s.entries.map((e) => [e.label, e.kernel, e.initrd])).toEqual([
      ['Fedora-Workstation-Live', '/boot/x86_64/loader/linux', ['/boot/x86_64/loader/initrd']],
      ['Mediacheck', '/boot/x86_64/loader/linux', ['/boot/x86_64/loader/initrd']],
    ]);
    expect(s.entries[0]!.cmdline).toBe(`rhgb quiet root=live:${SRV}.iso rd.live.image ip=dhcp`);
    expect(s.entries[0]!.isDefault).toBe(true);
    expect(s.entries[0]!.minRamMiB).toBe(2600 + 1024);
    expect(p.skipped).toEqual([]);
  });

  it('EFI/BOOT/grub.cfg alone: `configfile ($root)/boot/grub2/grub.cfg` is followed', async () => {
    const { 'boot/grub2/grub.cfg': cfg, ...rest } = F.FEDORA_KIWI_TREE;
    const p = await plan({ ...rest, 'boot/grub2/grub.cfg.real': cfg! }, 'Fedora-WS-Live-42', HYBRID);
    // without the file the configfile target is missing: nothing imported, the recipe's own entry remains
    expect(p.summary.entries.map((e) => e.origin)).toEqual(['recipe']);
    const q = await plan(
      { ...rest, 'boot/grub2/grub.cfg': cfg!, 'EFI/BOOT/grub.cfg': F.FEDORA_KIWI_TREE['EFI/BOOT/grub.cfg']! },
      'Fedora-WS-Live-42',
      HYBRID,
    );
    expect(q.summary.entries[0]!.origin).toBe('iso-menu');
  });

  it('openSUSE Tumbleweed KIWI live: its ($root) GRUB entries import, root=live:http with a RAM disk the ISO fits', async () => {
    const p = await plan(F.OPENSUSE_KIWI_LIVE_TREE, 'CDROM', HYBRID, 1500 * 1048576);
    const s = p.summary;
    expect(s.family).toBe('opensuse');
    expect(s.entries.map((e) => [e.label, e.origin])).toEqual([
      ['openSUSE-Tumbleweed-KDE-Live', 'iso-menu'],
      ['Mediacheck', 'iso-menu'],
    ]);
    expect(s.entries[0]!.cmdline).toBe(
      `splash=silent quiet root=live:${SRV}.iso rd.live.image ip=dhcp ramdisk_size=${1501 * 1024}`,
    );
    expect(s.entries[0]!.minRamMiB).toBe(1500 + 1024);
    expect(s.warnings.join()).toMatch(/kiwi 10\.2\.24/);
  });

  it('an openSUSE KIWI live ISO stays openSUSE, with its RAM disk sized to the ISO', async () => {
    const s = (await plan(F.OPENSUSE_LIVE_TREE, 'openSUSE_Tumbleweed_KDE_Live', HYBRID, 1500 * 1048576)).summary;
    expect(s.family).toBe('opensuse');
    expect(s.entries[0]!.cmdline).toContain('ramdisk_size=1537024');
  });
});

describe('Anaconda boot ISOs and installer media', () => {
  it('Fedora Everything netinstall: inst.stage2 at the tree, no inst.repo, and says where packages come from', async () => {
    const p = await plan(F.FEDORA_NETINST_TREE, 'Fedora-E-dvd-x86_64-42', HYBRID);
    const s = p.summary;
    expect(s.family).toBe('anaconda');
    expect(s.osName).toBe('Fedora 42');
    // "Test this media" differs only by rd.live.check, which has no meaning over HTTP: merged into the first
    expect(s.entries.map((e) => e.label)).toEqual([
      'Install Fedora 42',
      'Troubleshooting --> › Install Fedora 42 in basic graphics mode',
      'Troubleshooting --> › Rescue a Fedora system',
    ]);
    expect(s.entries[0]!.cmdline).toBe(`quiet inst.stage2=${SRV}/ ip=dhcp`);
    expect(s.entries.find((e) => e.isDefault)!.label).toBe('Install Fedora 42'); // set default="1", merged
    expect(s.entries.every((e) => e.minRamMiB === 3072)).toBe(true);
    expect(s.warnings.join()).toMatch(/without packages.*Fedora uses its mirrors.*inst\.repo=/);
  });

  it('Debian netinst: recognised, and every entry says it cannot boot over the network (no generic boot)', async () => {
    const s = (await plan(F.DEBIAN_NETINST_TREE, 'Debian 12.5.0 amd64 n', HYBRID)).summary;
    expect(s.family).toBe('debian-installer');
    expect(s.osName).toMatch(/^Debian GNU\/Linux 12\.5\.0 Bookworm/);
    expect(s.entries.length).toBeGreaterThan(0);
    for (const e of s.entries) {
      expect(e.enabled).toBe(false);
      expect(e.label).toMatch(/needs its CD, not bootable over the network/);
    }
    expect(s.entries.some((e) => e.kind === 'sanboot')).toBe(false);
    expect(s.warnings.join()).toMatch(/cannot boot over the network.*netboot/);
  });

  it('Ubuntu live server: casper fetches the whole ISO (the dists/ + pool/ mirror does not make it Debian)', async () => {
    const s = (await plan(F.UBUNTU_SERVER_TREE, 'Ubuntu-Server 24.04 LTS amd64', HYBRID, 2700 * 1048576)).summary;
    expect(s.family).toBe('casper');
    expect(s.osName).toBe('Ubuntu-Server 24.04 LTS Noble Numbat');
    expect(s.entries[0]).toMatchObject({ label: 'Try or Install Ubuntu Server', kernel: '/casper/vmlinuz' });
    expect(s.entries[0]!.cmdline).toBe(`boot=casper netboot=url url=${SRV}.iso ip=dhcp cloud-config-url=/dev/null ---`);
    expect(s.entries[0]!.minRamMiB).toBe(2700 + 1024);
  });
});

async function fatImage(fatBits: 12 | 16 | 32, files: Record<string, Buffer>): Promise<Buffer> {
  const dir = await F.writeTree({});
  const img = join(dir, 'efi.img');
  // mformat: -C create, -T total sectors, -F FAT32; FAT16 needs ≥ 4085 clusters.
  const sectors = fatBits === 12 ? 2880 : fatBits === 16 ? 40960 : 70000;
  const args = ['-i', img, '-C', '-T', String(sectors), '-h', '2', '-s', '18', '-v', 'EFIBOOT'];
  if (fatBits === 32) args.push('-F');
  else if (fatBits === 16) args.push('-c', '4');
  await runOk('mformat', [...args, '::']);
  const made = new Set<string>();
  for (const [path, data] of Object.entries(files)) {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (made.has(d)) continue;
      made.add(d);
      await runOk('mmd', ['-i', img, `::/${d}`]);
    }
    const src = join(dir, 'src.bin');
    await fsp.writeFile(src, data);
    await runOk('mcopy', ['-i', img, src, `::/${path}`]);
  }
  return fsp.readFile(img);
}

describe('generic boot through the ISO’s own El Torito images', () => {
  const program = Buffer.alloc(150_000, 7);
  program.write('MZ this is the EFI program', 0);

  for (const bits of [12, 16, 32] as const) {
    it(`reads EFI/BOOT/BOOTX64.EFI out of a FAT${bits} El Torito EFI image and chains it on UEFI`, async () => {
      const img = await fatImage(bits, { 'EFI/BOOT/BOOTX64.EFI': program, 'EFI/BOOT/grub.cfg': Buffer.from('x') });
      const et = F.elTorito(
        { platform: 'bios', emulation: 'none', size: 2048 },
        { platform: 'efi', emulation: 'none', size: img.length },
      );
      const p = await plan({ 'readme.txt': 'hello', '[BOOT]/2-EFI-NoEmul.img': img }, 'SOMEOS', et, 64 << 20);
      const s = p.summary;
      expect(s.family).toBe('generic');
      expect(s.entries.map((e) => [e.kind, e.label, e.firmware])).toEqual([
        ['chain', 'SOMEOS (BOOTX64.EFI from its El Torito EFI image, chained)', ['uefi']],
        ['sanboot', 'SOMEOS (whole ISO as a virtual CD, sanboot)', ['bios', 'uefi']],
        ['memdisk', 'SOMEOS (whole ISO in RAM, memdisk)', ['bios']],
      ]);
      expect(s.entries[0]!.kernel).toBe('/[BOOT]/2-EFI-NoEmul/EFI/BOOT/BOOTX64.EFI');
      expect(p.extraFiles).toHaveLength(1);
      expect(p.extraFiles![0]!.path).toBe('/[BOOT]/2-EFI-NoEmul/EFI/BOOT/BOOTX64.EFI');
      expect(p.extraFiles![0]!.data.equals(program)).toBe(true);
    });
  }

  it('floppy and hard-disk emulation images boot on BIOS through memdisk; no BIOS sanboot without a no-emulation entry', async () => {
    const et = F.elTorito({ platform: 'bios', emulation: '1.44M', size: 1_474_560 });
    const p = await plan({ 'FREEDOS/KERNEL.SYS': 'k' }, 'FDOS_1440', et, 4 << 20);
    expect(p.summary.entries.map((e) => [e.kind, e.kernel, e.cmdline, e.firmware])).toEqual([
      ['memdisk', '/[BOOT]/1-BIOS-1.44MFloppy.img', 'floppy', ['bios']],
    ]);
    expect(p.summary.entries[0]!.label).toBe('FDOS_1440 (El Torito 1.44M floppy image via memdisk)');
    const script = renderIpxeScript([p], DEFAULT_MENU, { ip: '10.0.0.1', httpPort: 8080 });
    expect(script).toContain('kernel http://10.0.0.1:8080/loaders/memdisk floppy');
    expect(script).toContain('initrd http://10.0.0.1:8080/iso/src1/%5BBOOT%5D/1-BIOS-1.44MFloppy.img');
    const hdd = await plan({ a: 'b' }, 'HDD', F.elTorito({ platform: 'bios', emulation: 'hdd', size: 32 << 20 }));
    expect(hdd.summary.entries.map((e) => [e.kind, e.cmdline])).toEqual([['memdisk', 'harddisk']]);
  });

  it('an EFI image without BOOTX64.EFI, or one that is not FAT, is reported, not offered', async () => {
    const img = await fatImage(12, { 'EFI/BOOT/OTHER.EFI': program });
    const et = F.elTorito({ platform: 'efi', emulation: 'none', size: img.length });
    const p = await plan({ '[BOOT]/1-EFI-NoEmul.img': img }, 'X', et);
    expect(p.summary.entries.map((e) => e.kind)).toEqual(['sanboot']);
    expect(p.summary.warnings.join()).toMatch(/has no \/EFI\/BOOT\/BOOTX64\.EFI/);
    const bad = await plan({ '[BOOT]/1-EFI-NoEmul.img': Buffer.alloc(4096, 0xff) }, 'Y', et);
    expect(bad.summary.warnings.join()).toMatch(/could not be read as FAT/);
  });

  it('the EFI program in the ISO tree is chained directly', async () => {
    const p = await plan({ 'EFI/BOOT/BOOTX64.EFI': 'efi' }, 'Z', HYBRID);
    expect(p.summary.entries[0]).toMatchObject({ kind: 'chain', kernel: '/EFI/BOOT/BOOTX64.EFI', firmware: ['uefi'] });
    expect(p.summary.entries[0]!.label).toBe('Z (its EFI/BOOT/BOOTX64.EFI, chained)');
    expect(p.extraFiles).toBeUndefined();
  });
});
