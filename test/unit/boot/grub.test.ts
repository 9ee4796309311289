import { describe, expect, it } from 'vitest';
import { parseGrubConfig, readGrubMenu } from '../../../main/boot/grub';
import * as F from './fixtures';

const one = (text: string, extra: Record<string, string> = {}) =>
  readGrubMenu('/boot/grub/grub.cfg', async (p) => ({ '/boot/grub/grub.cfg': text, ...extra })[p] ?? null);

describe('parseGrubConfig', () => {
  it('builds menuentry/submenu/if blocks with quoted titles', () => {
    const st = parseGrubConfig(F.FEDORA_GRUB_CFG);
    const types = st.map((s) => s.type);
    expect(types.filter((t) => t === 'menuentry')).toHaveLength(2);
    expect(types).toContain('submenu');
    expect(types).toContain('function');
  });
});

describe('readGrubMenu', () => {
  it("reads Ubuntu's grub.cfg: titles, kernel args with ---, both branches of if, no chain/fwsetup entries", async () => {
    const m = await one(F.UBUNTU_GRUB_CFG);
    expect(m.entries.map((e) => e.title)).toEqual([
      'Try or Install Ubuntu',
      'Ubuntu (safe graphics)',
      'OEM install (for manufacturers)',
      'Test memory',
    ]);
    expect(m.entries[0]).toMatchObject({ kernel: '/casper/vmlinuz', initrd: ['/casper/initrd'], isDefault: true });
    expect(m.entries[0]!.args).toEqual(['file=/cdrom/preseed/ubuntu.seed', 'maybe-ubiquity', 'quiet', 'splash', '---']);
    expect(m.entries[3]!.kernel).toBe('/boot/memtest86+.bin');
  });

  it('reads Fedora\'s: set default="1", --class options, submenu path, linuxefi/initrdefi', async () => {
    const m = await one(F.FEDORA_GRUB_CFG);
    expect(m.entries.map((e) => e.title)).toEqual([
      'Start Fedora-Workstation-Live 38',
      'Test this media & start Fedora-Workstation-Live 38',
      'Start Fedora-Workstation-Live 38 in basic graphics mode',
    ]);
    expect(m.entries[1]!.isDefault).toBe(true);
    expect(m.entries[2]!.submenu).toEqual(['Troubleshooting -->']);
    expect(m.entries[0]!.args).toEqual(['root=live:CDLABEL=Fedora-WS-Live-38-1-6', 'rd.live.image', 'quiet', 'rhgb']);
  });

  it('expands set variables, follows source/configfile, takes several initrds and strips (device) prefixes', async () => {
    const m = await one(`set base=/boot/x86_64\nset opts="quiet  splash"\nsource /boot/grub/more.cfg\n`, {
      '/boot/grub/more.cfg': `menuentry "With \\"quotes\\" and 'x'" {\n  linux ($root)$base/vmlinuz $opts archisobasedir=arch\n  initrd (loop)/boot/intel-ucode.img \${base}/initramfs.img\n}\nmenuentry 'Unknown var' { linux $nosuch/vmlinuz\n }\nmenuentry 'literal $opts' { linux /k '$opts'\n}\nset default='literal $opts'\n`,
    });
    expect(m.files).toEqual(['/boot/grub/grub.cfg', '/boot/grub/more.cfg']);
    expect(m.entries[0]).toMatchObject({
      title: 'With "quotes" and \'x\'',
      kernel: '/boot/x86_64/vmlinuz',
      initrd: ['/boot/intel-ucode.img', '/boot/x86_64/initramfs.img'],
      args: ['quiet', 'splash', 'archisobasedir=arch'],
    });
    expect(m.entries.map((e) => e.title)).toEqual(['With "quotes" and \'x\'', 'literal $opts']);
    expect(m.entries[1]!.args).toEqual(['$opts']);
    expect(m.entries[1]!.isDefault).toBe(true);
    expect(m.warnings.join()).toMatch(/Unknown var/);
  });

  it('runs a command named by a variable (openSUSE: set linux=linuxefi; $linux ...)', async () => {
    const m =
      await one(`if [ "$grub_platform" = "efi" ]; then set linux=linuxefi; set initrd=initrdefi; else set linux=linux; set initrd=initrd; fi
menuentry 'Installation' --class opensuse --class gnu-linux {
  set gfxpayload=keep
  echo 'Loading kernel ...'
  $linux /boot/x86_64/loader/linux splash=silent
  echo 'Loading initial ramdisk ...'
  $initrd /boot/x86_64/loader/initrd
}
`);
    expect(m.entries).toEqual([
      expect.objectContaining({
        title: 'Installation',
        kernel: '/boot/x86_64/loader/linux',
        initrd: ['/boot/x86_64/loader/initrd'],
        args: ['splash=silent'],
      }),
    ]);
  });

  it('is bounded against source loops and unbalanced input', async () => {
    const m = await one('source /boot/grub/grub.cfg\nmenuentry "a" {\n linux /k\n');
    expect(m.entries.map((e) => e.title)).toEqual(['a']);
    const deep: Record<string, string> = {};
    for (let i = 0; i < 40; i++) deep[`/c${i}.cfg`] = `source /c${i + 1}.cfg\nmenuentry "e${i}" { linux /k\n}\n`;
    const d = await readGrubMenu('/c0.cfg', async (p) => deep[p] ?? null, { maxDepth: 4 });
    expect(d.entries).toHaveLength(5);
  });
});
