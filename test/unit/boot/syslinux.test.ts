import { describe, expect, it } from 'vitest';
import { parseSyslinuxConfig, readSyslinuxMenu, resolveSyslinuxPath } from '../../../main/boot/syslinux';
import * as F from './fixtures';

/** A loader over an in-memory map of absolute paths (the parser never sees a file system). */
function mapLoader(files: Record<string, string>, reads: string[] = []) {
  return async (p: string) => {
    reads.push(p);
    return files[p] ?? null;
  };
}

describe('parseSyslinuxConfig', () => {
  it('splits keywords (case-insensitive, two-word MENU keywords) and skips comments and help text', () => {
    const st = parseSyslinuxConfig(F.ARCH_SYS_LINUX_CFG);
    expect(st.map((s) => s.keyword)).toEqual([
      'LABEL',
      'MENU LABEL',
      'LINUX',
      'INITRD',
      'APPEND',
      'LABEL',
      'MENU LABEL',
      'LINUX',
      'INITRD',
      'APPEND',
    ]);
    expect(st[1]!.arg).toBe('Arch Linux install medium (x86_64, BIOS)');
    expect(parseSyslinuxConfig('  menu   label   ^Live\r\n# x\n\n').map((s) => [s.keyword, s.arg])).toEqual([
      ['MENU LABEL', '^Live'],
    ]);
  });
});

describe('resolveSyslinuxPath', () => {
  it.each([
    ['vmlinuz', '/isolinux', '/isolinux/vmlinuz'],
    ['::/arch/boot/x', '/boot/syslinux', '/arch/boot/x'],
    ['::arch/boot/x', '/boot/syslinux', '/arch/boot/x'],
    ['/live/vmlinuz', '/isolinux', '/live/vmlinuz'],
    ['../live/initrd.img', '/isolinux', '/live/initrd.img'],
    ['boot\\x86_64\\linux', '/arch', '/arch/boot/x86_64/linux'],
  ])('%s in %s → %s', (p, dir, want) => expect(resolveSyslinuxPath(p, dir)).toBe(want));
});

describe('readSyslinuxMenu', () => {
  it("follows archiso's CONFIG/INCLUDE chain and finds the default and memtest", async () => {
    const files: Record<string, string> = {};
    for (const [k, v] of Object.entries(F.ARCH_TREE)) if (k.endsWith('.cfg')) files['/' + k] = v as string;
    const menu = await readSyslinuxMenu('/boot/syslinux/syslinux.cfg', mapLoader(files), {
      skipConfig: (p) => p.includes('pxe'),
    });
    const linux = menu.entries.filter((e) => e.kind === 'linux');
    expect(linux.map((e) => e.title)).toEqual([
      'Arch Linux install medium (x86_64, BIOS)',
      'Arch Linux install medium (x86_64, BIOS) with speech',
      'Run Memtest86+ (RAM test)',
    ]);
    expect(linux[0]!.kernel).toBe('/arch/boot/x86_64/vmlinuz-linux');
    expect(linux[0]!.initrd).toEqual([
      '/arch/boot/intel-ucode.img',
      '/arch/boot/amd-ucode.img',
      '/arch/boot/x86_64/initramfs-linux.img',
    ]);
    expect(linux[0]!.args).toEqual(['archisobasedir=arch', 'archisosearchuuid=2024-03-01-17-20-28-00']);
    expect(linux[0]!.isDefault).toBe(true);
    expect(linux[0]!.workDir).toBe('/boot/syslinux');
    expect(menu.entries.filter((e) => e.kind === 'com32').map((e) => e.name)).toEqual([
      'select',
      'existing',
      'hdt',
      'reboot',
    ]);
    expect(menu.files).not.toContain('/boot/syslinux/archiso_pxe.cfg');
  });

  it('reads initrd= from APPEND (comma-separated) and MENU DEFAULT after the kernel lines (Fedora)', async () => {
    const menu = await readSyslinuxMenu(
      '/isolinux/isolinux.cfg',
      mapLoader({ '/isolinux/isolinux.cfg': F.FEDORA_ISOLINUX_CFG }),
    );
    const linux = menu.entries.filter((e) => e.kind === 'linux');
    expect(linux.map((e) => e.name)).toEqual(['linux', 'check', 'basic']);
    expect(linux[0]!).toMatchObject({
      kernel: 'vmlinuz',
      initrd: ['initrd.img'],
      isDefault: true,
      title: 'Start Fedora-Workstation-Live 38',
    });
    expect(linux[0]!.args).toEqual(['root=live:CDLABEL=Fedora-WS-Live-38-1-6', 'rd.live.image', 'quiet', 'rhgb']);
    expect(menu.entries.find((e) => e.name === 'local')!.kind).toBe('localboot');
    const multi = await readSyslinuxMenu(
      '/a.cfg',
      mapLoader({ '/a.cfg': 'LABEL x\nKERNEL k\nAPPEND initrd=/a.img,/b.img quiet\nINITRD c.img\n' }),
    );
    expect(multi.entries[0]!.initrd.sort()).toEqual(['/a.img', '/b.img', 'c.img']);
  });

  it("nests Debian live's menu begin/include files and keeps the lowercase directives", async () => {
    const files: Record<string, string> = {};
    for (const [k, v] of Object.entries(F.DEBIAN_TREE)) if (k.endsWith('.cfg')) files['/' + k] = v as string;
    const menu = await readSyslinuxMenu('/isolinux/isolinux.cfg', mapLoader(files));
    expect(menu.entries.map((e) => e.name)).toEqual([
      'live-6.1.0-9-amd64',
      'live-6.1.0-9-amd64-failsafe',
      'installstart',
      'mainmenu',
    ]);
    expect(menu.entries[0]!.isDefault).toBe(true);
    expect(menu.entries[0]!.title).toBe('Live system (amd64)');
    expect(menu.entries[2]!.args).toEqual(['vga=788', '---', 'quiet']);
  });

  it('is bounded: include loops stop, depth and file count are limited', async () => {
    const reads: string[] = [];
    const loop = await readSyslinuxMenu(
      '/a.cfg',
      mapLoader({ '/a.cfg': 'INCLUDE b.cfg\nLABEL a\nKERNEL k', '/b.cfg': 'INCLUDE a.cfg\nLABEL b\nKERNEL k' }, reads),
    );
    expect(loop.entries.map((e) => e.name)).toEqual(['b', 'a']);
    expect(reads).toEqual(['/a.cfg', '/b.cfg']);
    const chain: Record<string, string> = {};
    for (let i = 0; i < 50; i++) chain[`/c${i}.cfg`] = `LABEL l${i}\nKERNEL k\nINCLUDE c${i + 1}.cfg\n`;
    const deep = await readSyslinuxMenu('/c0.cfg', mapLoader(chain), { maxDepth: 5 });
    expect(deep.entries).toHaveLength(6);
    expect(deep.warnings.join()).toMatch(/deeper than 5/);
  });
});
