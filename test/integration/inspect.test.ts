/**
 * `bootdrop inspect` on real ISO images built with xorriso (real isolinux.bin / EFI El Torito, real
 * memtest86+ binaries) and on a plain folder, through the compiled CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type Ran } from '../helpers/run';
import { buildIso, makeTree, removeTempDirs, requireFiles, tempDir } from '../helpers/mkiso';
import * as F from '../unit/boot/fixtures';

const execFileP = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const MEMTEST_BIN = '/boot/memtest86+x64.bin';
const MEMTEST_EFI = '/boot/memtest86+x64.efi';

interface InspectJson {
  kind: string;
  label: string;
  size: number;
  fileSystems: string[];
  elTorito: Array<{ platform: string; imagePath: string }>;
  family: string;
  osName: string;
  plan: {
    summary: {
      entries: Array<{
        id: string;
        label: string;
        kind: string;
        kernel?: string;
        initrd: string[];
        cmdline: string;
        isDefault: boolean;
        firmware: string[];
        minRamMiB?: number;
        enabled: boolean;
      }>;
      warnings: string[];
    };
    rawIsoPath: string | null;
    classicPxelinux: { loader: string; defaultText: string } | null;
  };
  ipxeScript?: string;
}

function cli(...args: string[]): Promise<Ran> {
  return run('node', [join(ROOT, 'bin', 'bootdrop.js'), ...args]);
}

async function inspect(...args: string[]): Promise<InspectJson> {
  const r = await cli('inspect', '--json', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as InspectJson;
}

let work: string;

beforeAll(async () => {
  requireFiles({ [MEMTEST_BIN]: 'memtest86+', [MEMTEST_EFI]: 'memtest86+' });
  // The CLI runs the compiled engine; other folders' type errors must not stop ours compiling.
  await execFileP('npx', ['tsc', '-p', 'tsconfig.engine.json'], { cwd: ROOT }).catch(() => undefined);
  if (!existsSync(join(ROOT, 'dist', 'engine', 'cli', 'inspect.js')))
    throw new Error('dist/engine/cli/inspect.js missing: `npx tsc -p tsconfig.engine.json` failed');
  work = await tempDir('inspect');
});
afterAll(async () => {
  await removeTempDirs();
  F.cleanupTrees();
});

async function isoFrom(name: string, tree: F.Tree, opts: Parameters<typeof buildIso>[2]): Promise<string> {
  const src = join(work, `${name}-src`);
  await makeTree(src, {});
  for (const [p, data] of Object.entries(tree)) {
    await fsp.mkdir(join(src, p, '..'), { recursive: true });
    await fsp.writeFile(join(src, p), data);
  }
  const iso = join(work, `${name}.iso`);
  await buildIso(src, iso, opts);
  return iso;
}

describe('bootdrop inspect', () => {
  it('Arch-like ISO with BIOS + EFI El Torito: archiso plan, HTTP root fetch, classic PXELINUX', async () => {
    const iso = await isoFrom('archlinux-2024.03.01-x86_64', F.ARCH_TREE, {
      volid: 'ARCH_202403',
      bios: true,
      efi: true,
    });
    const j = await inspect(iso);
    expect(j).toMatchObject({ kind: 'iso', label: 'ARCH_202403', family: 'archiso', osName: 'Arch Linux' });
    expect(j.fileSystems).toEqual(expect.arrayContaining(['ISO 9660', 'Joliet', 'Rock Ridge', 'El Torito']));
    expect(j.elTorito.map((e) => e.platform)).toEqual(['bios', 'efi']);
    const [first] = j.plan.summary.entries;
    expect(first).toMatchObject({
      id: 'archlinux-2024.03.01-x86_64:arch-linux-install-medium-x86-64-bios',
      kernel: '/arch/boot/x86_64/vmlinuz-linux',
      isDefault: true,
    });
    expect(first!.cmdline).toBe(
      'archisobasedir=arch archiso_http_srv=http://<server>/iso/archlinux-2024.03.01-x86_64/ ip=dhcp',
    );
    expect(j.plan.rawIsoPath).toBe('/iso/archlinux-2024.03.01-x86_64.iso');
    expect(j.plan.classicPxelinux?.loader).toBe('/boot/syslinux/lpxelinux.0');

    const text = await cli('inspect', iso, '--server-ip', '10.9.8.7', '--http-port', '8080', '--id', 'arch');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Label: +ARCH_202403$/m);
    expect(text.stdout).toMatch(/^El Torito: +1\. bios, none emulation, bootable/m);
    expect(text.stdout).toMatch(/^OS: +Arch Linux \(family: archiso\)$/m);
    expect(text.stdout).toContain(
      'cmdline archisobasedir=arch archiso_http_srv=http://10.9.8.7:8080/iso/arch/ ip=dhcp',
    );
    expect(text.stdout).toMatch(
      /^Classic PXE: +\/boot\/syslinux\/lpxelinux\.0 with \/boot\/syslinux\/archiso_pxe\.cfg/m,
    );
  });

  it('Ubuntu-like EFI-only ISO: casper url= of the whole image, RAM need from the image size', async () => {
    const iso = await isoFrom('ubuntu', F.UBUNTU_TREE, { volid: 'Ubuntu 22.04.3 LTS amd64', efi: true });
    const j = await inspect(iso, '--server-ip', '192.168.7.1', '--id', 'ubu');
    expect(j.family).toBe('casper');
    expect(j.elTorito.map((e) => e.platform)).toEqual(['efi']);
    const e = j.plan.summary.entries[0]!;
    expect(e.cmdline).toBe(
      'file=/cdrom/preseed/ubuntu.seed maybe-ubiquity quiet splash boot=casper netboot=url url=http://192.168.7.1/iso/ubu.iso ip=dhcp cloud-config-url=/dev/null ---',
    );
    expect(e.minRamMiB).toBe(Math.ceil(j.size / 1048576) + 1024);
    expect(j.plan.summary.warnings.join()).toMatch(/RAM/);
  });

  it('memtest86+ ISO with the real binaries: kernel for BIOS, chain for UEFI; --script renders both', async () => {
    const bin = await fsp.readFile(MEMTEST_BIN);
    const efi = await fsp.readFile(MEMTEST_EFI);
    const iso = await isoFrom(
      'memtest',
      { 'boot/memtest86+x64.bin': bin, 'EFI/BOOT/BOOTX64.EFI': efi },
      { volid: 'MT86PLUS_64' },
    );
    const j = await inspect(iso, '--server-ip', '10.0.0.1', '--http-port', '8080', '--script', '--id', 'mt');
    expect(j.family).toBe('memtest');
    expect(j.plan.summary.entries.map((e) => [e.kind, e.kernel, e.firmware.join()])).toEqual([
      ['linux', '/boot/memtest86+x64.bin', 'bios'],
      ['chain', '/EFI/BOOT/BOOTX64.EFI', 'uefi'],
    ]);
    expect(j.ipxeScript).toContain('kernel http://10.0.0.1:8080/iso/mt/boot/memtest86%2Bx64.bin');
    expect(j.ipxeScript).toContain('chain http://10.0.0.1:8080/iso/mt/EFI/BOOT/BOOTX64.EFI || goto bd-failed');
  });

  it('unknown bootable ISO: generic sanboot + memdisk, clearly labelled and warned', async () => {
    const iso = await isoFrom('freedos', { 'FREEDOS/README.TXT': 'hello' }, { volid: 'FD13LIVE', bios: true });
    const j = await inspect(iso);
    expect(j.family).toBe('generic');
    // isolinux's no-emulation BIOS entry only: the virtual CD (BIOS only) and, the ISO being small, memdisk
    expect(j.plan.summary.entries.map((e) => [e.kind, e.label, e.firmware])).toEqual([
      ['sanboot', 'FD13LIVE (whole ISO as a virtual CD, sanboot)', ['bios']],
      ['memdisk', 'FD13LIVE (whole ISO in RAM, memdisk)', ['bios']],
    ]);
    expect(j.plan.summary.warnings.join()).toContain('generic boot — may not reach the desktop');
  });

  it('a damaged El Torito catalog is reported as damaged, not as "none"', async () => {
    const iso = await isoFrom('damaged-et', { 'FREEDOS/README.TXT': 'hello' }, { volid: 'DAMAGED_ET', bios: true });
    const img = await fsp.readFile(iso);
    let record = -1;
    for (let s = 16; s < 32 && record < 0; s++)
      if (img[s * 2048] === 0 && img.toString('latin1', s * 2048 + 1, s * 2048 + 6) === 'CD001') record = s * 2048;
    expect(record).toBeGreaterThan(0);
    const catalog = img.readUInt32LE(record + 0x47) * 2048;
    img[catalog + 4] = img[catalog + 4]! ^ 0xff; // the validation entry's ID string: the checksum no longer adds up
    const badSum = join(work, 'damaged-sum.iso');
    await fsp.writeFile(badSum, img);
    const text = await cli('inspect', badSum);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^El Torito: +damaged \(boot catalog validation entry checksum is wrong\)$/m);
    const j = await inspect(badSum);
    expect(j.elTorito).toEqual([]);
    expect(j.plan.summary.warnings.join('\n')).toMatch(/El Torito boot catalog: .*checksum is wrong/);
    img.write('XX', record + 7, 'latin1'); // the boot record's "EL TORITO SPECIFICATION" identifier
    const badId = join(work, 'damaged-id.iso');
    await fsp.writeFile(badId, img);
    expect((await cli('inspect', badId)).stdout).toMatch(/^El Torito: +damaged \(.*EL TORITO SPECIFICATION.*\)$/m);
  });

  it('release layouts as ISO images (issue 14): Fedora netinstall, Fedora KIWI live, Debian netinst, Ubuntu server', async () => {
    const cases = [
      { name: 'fedora-netinst', tree: F.FEDORA_NETINST_TREE, volid: 'Fedora-E-dvd-x86_64-42', family: 'anaconda' },
      { name: 'fedora-kiwi', tree: F.FEDORA_KIWI_TREE, volid: 'Fedora-WS-Live-42', family: 'dracut-live' },
      {
        name: 'debian-netinst',
        tree: F.DEBIAN_NETINST_TREE,
        volid: 'Debian 12.5.0 amd64 n',
        family: 'debian-installer',
      },
      { name: 'ubuntu-server', tree: F.UBUNTU_SERVER_TREE, volid: 'Ubuntu-Server 24.04 LTS amd64', family: 'casper' },
    ];
    for (const c of cases) {
      const j = await inspect(await isoFrom(c.name, c.tree, { volid: c.volid, efi: true }));
      expect(j.family, c.name).toBe(c.family);
      const e = j.plan.summary.entries[0]!;
      if (c.family === 'anaconda') {
        expect(e.cmdline).toBe('quiet inst.stage2=http://<server>/iso/fedora-netinst/ ip=dhcp');
        expect(j.plan.summary.warnings.join()).toMatch(/without packages/);
      }
      if (c.family === 'dracut-live') {
        expect(e).toMatchObject({ kernel: '/boot/x86_64/loader/linux', initrd: ['/boot/x86_64/loader/initrd'] });
        expect(e.cmdline).toContain('root=live:http://<server>/iso/fedora-kiwi.iso');
      }
      if (c.family === 'debian-installer') expect(j.plan.summary.entries.every((x) => !x.enabled)).toBe(true);
      if (c.family === 'casper') expect(e.cmdline).toContain('url=http://<server>/iso/ubuntu-server.iso');
    }
  });

  it('a folder (extracted Debian live): live-boot fetch= from the folder, no raw ISO', async () => {
    const dir = await F.writeTree(F.DEBIAN_TREE);
    const j = await inspect(dir, '--id', 'deb');
    expect(j).toMatchObject({ kind: 'folder', family: 'live-boot' });
    expect(j.plan.rawIsoPath).toBeNull();
    expect(j.plan.summary.entries[0]!.cmdline).toBe(
      'components quiet splash boot=live fetch=http://<server>/iso/deb/live/filesystem.squashfs ip=dhcp',
    );
  });

  it('reports bad input clearly: missing file (1), usage errors (2)', async () => {
    const missing = await cli('inspect', join(work, 'nope.iso'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/bootdrop inspect: .*nope\.iso.*no such file/);
    const usage = await cli('inspect');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: bootdrop inspect');
    const script = await cli('inspect', join(work, 'nope.iso'), '--script');
    expect(script.code).toBe(2);
    expect(script.stderr).toContain('--script needs --server-ip');
    const junk = join(work, 'junk.iso');
    await fsp.writeFile(junk, Buffer.alloc(100_000, 7));
    const bad = await cli('inspect', junk);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^bootdrop inspect: .+junk\.iso/);
  });
});
