/**
 * The generated menu in real iPXE: QEMU with SeaBIOS + its iPXE NIC ROM (BIOS) and OVMF running our
 * bundled ipxe.efi (UEFI) fetch /boot.ipxe from a loopback HTTP server serving the laid-out tree
 * (QEMU user networking: the guest's 10.0.2.2 is the host's 127.0.0.1, nothing leaves the machine).
 * Checks what only real iPXE can: the script parses, the timeout default boots by itself, ${platform}
 * picks per-firmware entries and defaults, the kernel/initrd URLs are fetched, and labels or arguments
 * that try to inject iPXE commands do not — on both sides: the requests the server saw, and what iPXE
 * printed on the guest's console (its menu, each URL it fetched). Full OS boots are the session's tests (boot-*.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MENU, defaultLoadersDir, layoutServedTree, planSource, type SourcePlan } from '../../main/boot';
import type { MenuSettings } from '../../main/contract';
import { FolderSource, MountedTree } from '../../main/vfs';
import { removeTempDirs, requireFiles, tempDir } from '../helpers/mkiso';
import * as F from '../unit/boot/fixtures';
import { stripAnsi } from '../helpers/qemu';

const MEMTEST_BIN = '/boot/memtest86+x64.bin';
const MEMTEST_EFI = '/boot/memtest86+x64.efi';
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const GUEST_IP = '10.0.2.2'; // QEMU user networking's address for the host

let work: string;
let server: http.Server;
let port: number;
const requests: string[] = [];
const tree = new MountedTree();
let menu: MenuSettings = DEFAULT_MENU;
let plans: { mt: SourcePlan; arch: SourcePlan };

beforeAll(async () => {
  requireFiles({
    [MEMTEST_BIN]: 'memtest86+',
    [MEMTEST_EFI]: 'memtest86+',
    [OVMF_CODE]: 'ovmf',
    '/usr/bin/qemu-system-x86_64': 'qemu-system-x86',
  });
  work = await tempDir('ipxe-menu');
  // memtest86+ (real binaries) and an Arch-like tree whose "kernel" is memtest's bzImage, so iPXE
  // accepts it and goes on to fetch the initrds.
  const mtDir = join(work, 'mt');
  await fsp.mkdir(join(mtDir, 'boot'), { recursive: true });
  await fsp.copyFile(MEMTEST_BIN, join(mtDir, 'boot', 'memtest86+x64.bin'));
  await fsp.copyFile(MEMTEST_EFI, join(mtDir, 'boot', 'memtest86+x64.efi'));
  const archDir = await F.writeTree({
    ...F.ARCH_TREE,
    'arch/boot/x86_64/vmlinuz-linux': await fsp.readFile(MEMTEST_BIN),
  });

  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    void (async () => {
      try {
        const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
        const st = await tree.stat(path);
        res.writeHead(200, { 'content-length': st.size });
        (await tree.createReadStream(path)).pipe(res);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;

  const mtVfs = await FolderSource.open(mtDir);
  const archVfs = await FolderSource.open(archDir);
  plans = {
    mt: await planSource(
      mtVfs,
      { label: 'MT86PLUS_64', size: 1, fileSystems: [] },
      { sourceId: 'mt', hostPath: mtDir },
    ),
    arch: await planSource(
      archVfs,
      { label: 'ARCH_202403', size: 1, fileSystems: [] },
      { sourceId: 'arch', hostPath: archDir },
    ),
  };
  await layoutServedTree(
    tree,
    [
      { id: 'mt', vfs: mtVfs, plan: plans.mt, hostPath: mtDir },
      { id: 'arch', vfs: archVfs, plan: plans.arch, hostPath: archDir },
    ],
    { loadersDir: defaultLoadersDir(), server: { ip: GUEST_IP, httpPort: port }, menu: () => menu },
  );
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await removeTempDirs();
  F.cleanupTrees();
});

let serial = '';

/**
 * Run a guest until `done` holds for the request log (or the deadline passes); always killed. What
 * iPXE prints (its menu, each fetch and its result) is kept in `serial`: the BIOS screen reaches the
 * serial console through SeaBIOS's sercon, ipxe.efi's through OVMF's console.
 */
async function runGuest(
  firmware: 'bios' | 'uefi',
  done: (reqs: string[]) => boolean,
  deadlineMs = 180_000,
): Promise<string[]> {
  requests.length = 0;
  serial = '';
  const args = ['-accel', 'tcg', '-m', '256', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot'];
  if (firmware === 'bios') {
    const sercon = join(work, 'sercon-port');
    await fsp.writeFile(sercon, Buffer.from([0xf8, 0x03])); // COM1, little-endian (SeaBIOS etc/sercon-port)
    args.push('-fw_cfg', `name=etc/sercon-port,file=${sercon}`);
  }
  const netdev = `user,id=n0,bootfile=http://${GUEST_IP}:${port}/boot.ipxe`;
  if (firmware === 'bios') {
    args.push('-netdev', netdev, '-device', 'e1000,netdev=n0', '-boot', 'n');
  } else {
    const vars = join(work, `vars-${Date.now()}.fd`);
    await fsp.copyFile(OVMF_VARS, vars);
    // OVMF starts an EFI application given as -kernel: our bundled ipxe.efi, as a PXE ROM would.
    args.push(
      '-drive',
      `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
      '-drive',
      `if=pflash,format=raw,file=${vars}`,
    );
    args.push(
      '-kernel',
      join(defaultLoadersDir(), 'ipxe.efi'),
      '-netdev',
      netdev,
      '-device',
      'virtio-net-pci,netdev=n0,romfile=',
    );
  }
  const qemu: ChildProcess = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  qemu.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  qemu.stdout!.on('data', (d: Buffer) => (serial += stripAnsi(d.toString('latin1'))));
  try {
    const start = Date.now();
    while (!done(requests) && Date.now() - start < deadlineMs) {
      if (qemu.exitCode !== null) throw new Error(`qemu exited (${qemu.exitCode}): ${stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // a moment more, so any request an injected command would make has time to show up
    await new Promise((r) => setTimeout(r, 1500));
    return [...requests];
  } finally {
    qemu.kill('SIGKILL');
  }
}

describe('the generated iPXE menu in real iPXE', () => {
  it('BIOS: the chosen default boots after the timeout, kernel + named initrds fetched, nothing injected', async () => {
    const archDefault = plans.arch.summary.entries[0]!.id;
    menu = {
      timeoutSec: 1,
      defaultEntryId: archDefault,
      append: `quiet ; chain http://${GUEST_IP}:${port}/injected-append`,
      overrides: {
        [archDefault]: {
          label: `Evil ; chain http://${GUEST_IP}:${port}/injected-label || shell`,
          append: `x=\${net0/mac} || chain http://${GUEST_IP}:${port}/injected-entry`,
        },
        [plans.mt.summary.entries[0]!.id]: { label: `\${x} #\nchain http://${GUEST_IP}:${port}/injected-newline` },
      },
    };
    const reqs = await runGuest('bios', (r) =>
      r.some((u) => u.endsWith('initramfs-linux.img') || u.includes('injected')),
    );
    // What iPXE itself says: it ran the script, showed the hostile label as text, fetched the kernel and
    // initrd of the default, and never fetched anything injected.
    expect(serial).toMatch(/boot\.ipxe\.\.\. ok/);
    expect(serial).toMatch(/Bootdrop network boot/);
    expect(serial).toMatch(/Evil , chain http:\/\/10\.0\.2\.2:\d+\/injected-label \| shell/);
    expect(serial).toMatch(/\/arch\/boot\/x86_64\/vmlinuz-linux\.\.\./);
    expect(serial).toMatch(/\/arch\/boot\/x86_64\/initramfs-linux\.img\.\.\./);
    expect(serial).not.toMatch(/injected[^\s]*\.\.\./);
    expect(reqs[0]).toBe('/boot.ipxe');
    // The menu asks once more with the PC's facts (fits this PC?); this server ignores the query and
    // serves the same script, which then shows its menu instead of asking again (bd-asked).
    expect(reqs[1]).toMatch(/^\/boot\.ipxe\?pc=1&memsize=&t19s=/);
    expect(reqs.filter((u) => u.startsWith('/boot.ipxe'))).toHaveLength(2);
    expect(reqs).toEqual(
      expect.arrayContaining([
        '/iso/arch/arch/boot/x86_64/vmlinuz-linux',
        '/iso/arch/arch/boot/intel-ucode.img',
        '/iso/arch/arch/boot/amd-ucode.img',
        '/iso/arch/arch/boot/x86_64/initramfs-linux.img',
      ]),
    );
    expect(reqs.filter((u) => u.includes('injected'))).toEqual([]);
  });

  it('UEFI (ipxe.efi): firmware-specific entries and default — the memtest .efi is chained, not the BIOS .bin', async () => {
    menu = { ...DEFAULT_MENU, timeoutSec: 1 };
    const reqs = await runGuest('uefi', (r) => r.some((u) => u.includes('memtest86')));
    expect(serial).toMatch(/Booting memtest86\+ \(UEFI\)/);
    expect(serial).toMatch(/\/iso\/mt\/boot\/memtest86(\+|%2B)x64\.efi\.\.\./);
    expect(reqs[0]).toBe('/boot.ipxe');
    expect(reqs.find((u) => u.includes('memtest86'))).toMatch(/^\/iso\/mt\/boot\/memtest86(\+|%2B)x64\.efi$/);
    expect(reqs.some((u) => u.endsWith('.bin'))).toBe(false);
  });

  it('BIOS: the same menu picks the memtest .bin on pcbios', async () => {
    menu = { ...DEFAULT_MENU, timeoutSec: 1 };
    const reqs = await runGuest('bios', (r) => r.some((u) => u.includes('memtest86')));
    expect(reqs.find((u) => u.includes('memtest86'))).toMatch(/^\/iso\/mt\/boot\/memtest86(\+|%2B)x64\.bin$/);
    expect(serial).toMatch(/\/iso\/mt\/boot\/memtest86(\+|%2B)x64\.bin\.\.\./);
  });
});
