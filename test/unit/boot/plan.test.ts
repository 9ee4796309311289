import { afterAll, describe, expect, it } from 'vitest';
import { planSource, type SourcePlan } from '../../../main/boot';
import { FolderSource, type Vfs } from '../../../main/vfs';
import * as F from './fixtures';

afterAll(() => F.cleanupTrees());

/** A folder that claims to be an ISO: planning only looks at `kind`, files go through the folder. */
function asIso(vfs: Vfs): Vfs {
  return new Proxy(vfs, { get: (t, p) => (p === 'kind' ? 'iso' : (Reflect.get(t, p, t) as unknown)) }) as Vfs;
}

async function plan(
  tree: F.Tree,
  opts: { iso?: boolean; label?: string; size?: number; elTorito?: unknown } = {},
): Promise<SourcePlan> {
  const dir = await F.writeTree(tree);
  const folder = await FolderSource.open(dir);
  const vfs = opts.iso === false ? folder : asIso(folder);
  const info = {
    label: opts.label ?? 'TEST_LABEL',
    size: opts.size ?? 1024 * 1048576,
    fileSystems: ['ISO 9660'],
    elTorito: opts.elTorito ?? [BIOS_NO_EMUL],
  };
  return planSource(vfs, info, { sourceId: 'src1', hostPath: `/isos/test.iso` });
}

const SRV = 'http://<server>/iso/src1';

/** El Torito catalogue entries as main/iso reports them (isolinux's no-emulation BIOS entry). */
const BIOS_NO_EMUL = {
  index: 1,
  platform: 'bios',
  emulation: 'none',
  bootable: true,
  imagePath: '/[BOOT]/1-BIOS-NoEmul.img',
  imageSize: 2048,
};

describe('planSource: recipe detection per family', () => {
  it('archiso: imports the CD menu, swaps the CD search for archiso_http_srv, keeps memtest, skips modules and the PXE menu', async () => {
    const p = await plan(F.ARCH_TREE);
    const s = p.summary;
    expect(s.family).toBe('archiso');
    expect(s.osName).toBe('Arch Linux');
    expect(s.entries.map((e) => e.label)).toEqual([
      'Arch Linux install medium (x86_64, BIOS)',
      'Arch Linux install medium (x86_64, BIOS) with speech',
      'Run Memtest86+ (RAM test)',
    ]);
    const e = s.entries[0]!;
    expect(e).toMatchObject({
      id: 'src1:arch-linux-install-medium-x86-64-bios',
      kind: 'linux',
      kernel: '/arch/boot/x86_64/vmlinuz-linux',
      initrd: ['/arch/boot/intel-ucode.img', '/arch/boot/amd-ucode.img', '/arch/boot/x86_64/initramfs-linux.img'],
      origin: 'iso-menu',
      isDefault: true,
      firmware: ['bios', 'uefi'],
    });
    expect(e.cmdline).toBe(`archisobasedir=arch archiso_http_srv=${SRV}/ ip=dhcp`);
    expect(s.entries[1]!.cmdline).toBe(`accessibility=on archisobasedir=arch archiso_http_srv=${SRV}/ ip=dhcp`);
    expect(e.minRamMiB).toBe(2048);
    expect(s.entries[2]).toMatchObject({
      kind: 'linux',
      kernel: '/boot/memtest86+/memtest',
      cmdline: '',
      firmware: ['bios'],
    });
    expect(s.warnings.join('\n')).toMatch(/2048 MiB/);
    expect(p.classicPxelinux).toMatchObject({
      loader: '/boot/syslinux/lpxelinux.0',
      config: '/boot/syslinux/archiso_pxe.cfg',
      defaultFile: '/boot/syslinux/pxelinux.cfg/default',
      httpPort: 80,
    });
    expect(p.classicPxelinux!.defaultText).toContain('INCLUDE archiso_pxe.cfg');
    expect(p.rawIsoPath).toBe('/iso/src1.iso');
  });

  it('archiso without a usable menu falls back to the recipe files (ucode first); SystemRescue uses its own base dir', async () => {
    const tree: F.Tree = {
      'sysresccd/boot/x86_64/vmlinuz': 'k',
      'sysresccd/boot/x86_64/sysresccd.img': 'i',
      'sysresccd/boot/intel_ucode.img': 'u',
      'sysresccd/x86_64/airootfs.sfs': 's',
    };
    const s = (await plan(tree)).summary;
    expect(s.osName).toBe('SystemRescue');
    expect(s.entries).toHaveLength(1);
    expect(s.entries[0]).toMatchObject({
      origin: 'recipe',
      kernel: '/sysresccd/boot/x86_64/vmlinuz',
      initrd: ['/sysresccd/boot/intel_ucode.img', '/sysresccd/boot/x86_64/sysresccd.img'],
      isDefault: true,
    });
    expect(s.entries[0]!.cmdline).toBe(`archisobasedir=sysresccd archiso_http_srv=${SRV}/ ip=dhcp`);
  });

  it('casper: url= of the raw ISO before ---, RAM = ISO size + 1 GiB, GRUB memtest kept as BIOS-only', async () => {
    const s = (await plan(F.UBUNTU_TREE, { size: 4800 * 1048576 })).summary;
    expect(s.family).toBe('casper');
    expect(s.osName).toBe('Ubuntu 22.04.3 LTS Jammy Jellyfish');
    expect(s.entries.map((e) => e.label)).toEqual([
      'Try or Install Ubuntu',
      'Ubuntu (safe graphics)',
      'OEM install (for manufacturers)',
      'Test memory',
    ]);
    expect(s.entries[0]!.cmdline).toBe(
      `file=/cdrom/preseed/ubuntu.seed maybe-ubiquity quiet splash boot=casper netboot=url url=http://<server>/iso/src1.iso ip=dhcp cloud-config-url=/dev/null ---`,
    );
    expect(s.entries[0]!.minRamMiB).toBe(4800 + 1024);
    expect(s.entries[3]).toMatchObject({ kernel: '/boot/memtest86+.bin', firmware: ['bios'] });
  });

  it('casper from a folder cannot fetch anything: entries disabled, with a clear warning', async () => {
    const s = (await plan(F.UBUNTU_TREE, { iso: false })).summary;
    expect(s.kind).toBe('folder');
    expect(s.entries.filter((e) => e.kind === 'linux' && e.kernel === '/casper/vmlinuz').every((e) => !e.enabled)).toBe(
      true,
    );
    expect(s.warnings.join()).toMatch(/serve the \.iso file/);
  });

  it('Pop!_OS-style casper_<id> folder adds live-media-path', async () => {
    const s = (
      await plan({
        'casper_pop-os_22.04_amd64_intel/vmlinuz.efi': 'k',
        'casper_pop-os_22.04_amd64_intel/initrd.gz': 'i',
      })
    ).summary;
    expect(s.family).toBe('casper');
    expect(s.entries[0]!.cmdline).toContain('live-media-path=/casper_pop-os_22.04_amd64_intel');
  });

  it('live-boot (Debian live): fetch= of the squashfs, findiso dropped, the CD-only installer left out with a reason', async () => {
    const s = (await plan(F.DEBIAN_TREE)).summary;
    expect(s.family).toBe('live-boot');
    expect(s.osName).toBe('Debian GNU/Linux 12.0.0 Bookworm - Official amd64 Live');
    expect(s.entries.map((e) => e.label)).toEqual(['Live system (amd64)', 'Live system (amd64 fail-safe mode)']);
    expect(s.entries[0]!.cmdline).toBe(
      `components quiet splash boot=live fetch=${SRV}/live/filesystem.squashfs ip=dhcp`,
    );
    expect(s.entries[0]!.isDefault).toBe(true);
    expect(s.warnings.join()).toMatch(/Start installer.*\/install\/gtk\/vmlinuz/);
  });

  it('live-boot (Clonezilla, no menu): recipe entry and name from Clonezilla-Live-Version', async () => {
    const s = (await plan(F.CLONEZILLA_TREE)).summary;
    expect(s.osName).toBe('Clonezilla live');
    expect(s.entries[0]).toMatchObject({ origin: 'recipe', kernel: '/live/vmlinuz', initrd: ['/live/initrd.img'] });
    expect(s.entries[0]!.cmdline).toBe(`boot=live fetch=${SRV}/live/filesystem.squashfs ip=dhcp`);
  });

  it('dracut live (Fedora): root=live: of the ISO, CDLABEL removed, BIOS and GRUB menus merged', async () => {
    const s = (await plan(F.FEDORA_LIVE_TREE, { label: 'Fedora-WS-Live-38-1-6' })).summary;
    expect(s.family).toBe('dracut-live');
    const cmd = `quiet rhgb root=live:http://<server>/iso/src1.iso rd.live.image ip=dhcp`;
    expect(s.entries[0]).toMatchObject({
      kernel: '/isolinux/vmlinuz',
      initrd: ['/isolinux/initrd.img'],
      cmdline: cmd,
      isDefault: true,
    });
    // GRUB repeats the ISOLINUX entries with the same title and arguments: shown once
    expect(s.entries.map((e) => e.label)).toEqual([
      'Start Fedora-Workstation-Live 38',
      'Test this media & start Fedora-Workstation-Live 38',
      'Start Fedora-Workstation-Live 38 in basic graphics mode',
      'Troubleshooting --> › Start Fedora-Workstation-Live 38 in basic graphics mode',
    ]);
    expect(s.entries[1]!.cmdline).toBe(
      'rd.live.check quiet root=live:http://<server>/iso/src1.iso rd.live.image ip=dhcp',
    );
    expect(s.entries[3]!.kernel).toBe('/images/pxeboot/vmlinuz');
    const folder = (await plan(F.FEDORA_LIVE_TREE, { iso: false })).summary;
    expect(folder.entries[0]!.cmdline).toContain(`root=live:${SRV}/LiveOS/squashfs.img`);
  });

  it('Anaconda (Rocky DVD, packages in BaseOS/): inst.stage2= and inst.repo= at the tree replace hd:LABEL', async () => {
    const s = (await plan(F.ROCKY_TREE)).summary;
    expect(s.family).toBe('anaconda');
    expect(s.osName).toBe('Rocky Linux 9.2');
    expect(s.entries.map((e) => e.label)).toEqual(['Install Rocky Linux 9.2']);
    expect(s.entries[0]!.cmdline).toBe(`quiet inst.stage2=${SRV}/ inst.repo=${SRV}/ ip=dhcp`);
    expect(s.entries[0]!.minRamMiB).toBe(3072);
    expect(s.warnings.join()).not.toMatch(/without packages/);
  });

  it('openSUSE installer (install=) and openSUSE live (root=live:)', async () => {
    const inst = (await plan(F.OPENSUSE_TREE)).summary;
    expect(inst.family).toBe('opensuse');
    expect(inst.entries[0]).toMatchObject({
      kernel: '/boot/x86_64/loader/linux',
      initrd: ['/boot/x86_64/loader/initrd'],
    });
    expect(inst.entries[0]!.cmdline).toBe(`splash=silent showopts install=${SRV}/`);
    const live = (await plan(F.OPENSUSE_LIVE_TREE)).summary;
    expect(live.family).toBe('opensuse');
    // 1024 MiB ISO → a 1025 MiB RAM disk for kiwi-live's /dev/ram0
    expect(live.entries[0]!.cmdline).toBe(
      'root=live:http://<server>/iso/src1.iso rd.live.image ip=dhcp ramdisk_size=1049600',
    );
    expect(live.warnings.join()).toMatch(/kiwi 10\.2\.24/);
  });

  it('Alpine: alpine_repo and modloop follow the kernel flavour; BIOS and GRUB entries with equal args merge', async () => {
    const s = (await plan(F.ALPINE_TREE)).summary;
    expect(s.family).toBe('alpine');
    expect(s.osName).toBe('Alpine Linux alpine-3.19.1');
    expect(s.entries).toHaveLength(1);
    const virt = (
      await plan({
        ...F.ALPINE_TREE,
        'boot/vmlinuz-virt': 'k',
        'boot/initramfs-virt': 'i',
        'boot/grub/grub.cfg': 'menuentry "virt" {\n linux /boot/vmlinuz-virt quiet\n initrd /boot/initramfs-virt\n}\n',
      })
    ).summary;
    expect(virt.entries.map((e) => e.label)).toEqual([
      'Linux lts (virtual machines only)',
      'virt (virtual machines only)',
    ]);
    expect(s.warnings.join()).toMatch(/only virtio network drivers/);
    expect(virt.entries[1]!.cmdline).toBe(`quiet alpine_repo=${SRV}/apks modloop=${SRV}/boot/modloop-virt ip=dhcp`);
    expect(s.entries[0]!.cmdline).toBe(
      `modules=loop,squashfs,sd-mod,usb-storage quiet console=tty0 console=ttyS0,115200 alpine_repo=${SRV}/apks modloop=${SRV}/boot/modloop-lts ip=dhcp`,
    );
  });

  it('memtest86+: BIOS image as a kernel, EFI image chained, each for its firmware only', async () => {
    const s = (await plan(F.MEMTEST_TREE, { label: 'MT86PLUS_64' })).summary;
    expect(s.family).toBe('memtest');
    expect(s.entries.map((e) => [e.kind, e.kernel, e.firmware])).toEqual([
      ['linux', '/boot/memtest86+x64.bin', ['bios']],
      ['chain', '/EFI/BOOT/BOOTX64.EFI', ['uefi']],
    ]);
  });

  it('generic: unknown ISO with El Torito → sanboot (+ memdisk when small), labelled and warned', async () => {
    const s = (await plan(F.UNKNOWN_TREE, { label: 'FD13-LIVE', size: 300 * 1048576 })).summary;
    expect(s.family).toBe('generic');
    expect(s.osName).toBe('Unknown (generic boot)');
    expect(s.entries.map((e) => [e.kind, e.label, e.firmware])).toEqual([
      ['sanboot', 'FD13-LIVE (whole ISO as a virtual CD, sanboot)', ['bios']],
    ]);
    expect(s.warnings.join()).toMatch(/generic boot — may not reach the desktop/);
    const small = (await plan(F.UNKNOWN_TREE, { label: 'FD13', size: 40 * 1048576 })).summary;
    expect(small.entries.map((e) => e.kind)).toEqual(['sanboot', 'memdisk']);
    expect(small.entries[1]).toMatchObject({ firmware: ['bios'], cmdline: 'iso raw' });
    const none = (await plan(F.UNKNOWN_TREE, { elTorito: [] })).summary;
    expect(none.entries).toEqual([]);
    expect(none.warnings.join()).toMatch(/not bootable/);
  });

  it('refuses source ids that are unsafe in URLs', async () => {
    const dir = await F.writeTree({ a: 'b' });
    await expect(
      planSource(
        await FolderSource.open(dir),
        { label: 'x', size: 1, fileSystems: [] },
        { sourceId: '../x', hostPath: dir },
      ),
    ).rejects.toThrow(/source id/);
  });
});

describe('planSource: older layouts and odd cases', () => {
  it('archiso 2020: CONFIG + APPEND /arch/ working dir, relative paths, classic menu via a CONFIG label', async () => {
    const p = await plan(F.ARCH2020_TREE);
    const s = p.summary;
    expect(s.family).toBe('archiso');
    expect(s.entries.map((e) => e.label)).toEqual(['Boot Arch Linux (x86_64)']);
    expect(s.entries[0]).toMatchObject({
      kernel: '/arch/boot/x86_64/vmlinuz',
      initrd: ['/arch/boot/intel_ucode.img', '/arch/boot/amd_ucode.img', '/arch/boot/x86_64/archiso.img'],
      isDefault: true,
    });
    expect(s.entries[0]!.cmdline).toBe(`archisobasedir=arch archiso_http_srv=${SRV}/ ip=dhcp`);
    expect(p.menuFiles).toEqual([
      '/isolinux/isolinux.cfg',
      '/arch/boot/syslinux/archiso.cfg',
      '/arch/boot/syslinux/archiso_sys.cfg',
      '/arch/boot/syslinux/archiso_head.cfg',
      '/arch/boot/syslinux/archiso_tail.cfg',
    ]);
    expect(p.classicPxelinux).toMatchObject({
      loader: '/arch/boot/syslinux/lpxelinux.0',
      config: '/arch/boot/syslinux/archiso_pxe.cfg',
      workDir: '/arch',
      defaultFile: '/arch/boot/syslinux/pxelinux.cfg/default',
    });
    expect(p.classicPxelinux!.defaultText).toContain(
      'LABEL bootdrop-iso-menu\n  CONFIG ::/arch/boot/syslinux/archiso_pxe.cfg\n  APPEND ::/arch/\n',
    );
  });

  it('generic ISO whose own menu boots a self-contained kernel (iPXE ISO): offered as-is, after the virtual CD', async () => {
    const s = (
      await plan(
        { 'isolinux.cfg': 'DEFAULT ipxe.lkrn\nLABEL ipxe.lkrn\n KERNEL ipxe.krn\n', 'ipxe.krn': 'k' },
        { label: 'ISOIMAGE', size: 2 << 20 },
      )
    ).summary;
    expect(s.family).toBe('generic');
    expect(s.entries.map((e) => [e.kind, e.label, e.isDefault])).toEqual([
      ['sanboot', 'ISOIMAGE (whole ISO as a virtual CD, sanboot)', true],
      ['memdisk', 'ISOIMAGE (whole ISO in RAM, memdisk)', false],
      ['linux', 'ipxe.lkrn (its kernel, as its menu boots it)', false],
    ]);
    expect(s.entries[2]!.kernel).toBe('/ipxe.krn');
  });

  it('reports oversized menu files instead of reading them', async () => {
    const s = (await plan({ ...F.UBUNTU_TREE, 'boot/grub/grub.cfg': 'x'.repeat(300 * 1024) })).summary;
    expect(s.warnings.join()).toMatch(/grub\.cfg: 307200 bytes is too large/);
    expect(s.entries[0]!.origin).toBe('recipe'); // still bootable from the recipe table
  });
});
