/**
 * Fits this PC? (issue 14) in real iPXE: QEMU with 256 MiB of RAM, SeaBIOS + its iPXE NIC ROM (the
 * same 2019 iPXE Bootdrop ships), fetches Bootdrop's menu from the product's HttpServer over QEMU user
 * networking (the guest's 10.0.2.2 is the host's 127.0.0.1: nothing leaves the machine). The generic
 * menu chains to itself with the PC's facts (SMBIOS RAM, maker, model, platform, NIC) in the query
 * string; the server answers with this PC's menu: the Arch entry (needs ~1 GiB: archiso copies its root
 * image to RAM) is marked and explained, and the default is the first entry that fits (a memtest), which
 * iPXE fetches by itself after the timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOOT_SCRIPT_PATH,
  DEFAULT_MENU,
  defaultLoadersDir,
  layoutServedTree,
  parsePcFacts,
  planSource,
  type ServedLayout,
} from '../../main/boot';
import type { MenuSettings, PcInfo } from '../../main/contract';
import { HttpServer, type HttpRequestEvent } from '../../main/http';
import { TransferTracker } from '../../main/transfer';
import { FolderSource, MountedTree } from '../../main/vfs';
import { removeTempDirs, requireFiles, tempDir } from '../helpers/mkiso';
import { stripAnsi } from '../helpers/qemu';
import * as F from '../unit/boot/fixtures';

const MEMTEST_BIN = '/boot/memtest86+x64.bin';
const MEMTEST_EFI = '/boot/memtest86+x64.efi';
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const GUEST_IP = '10.0.2.2'; // QEMU user networking's address for the host

let work: string;
let server: HttpServer;
let layout: ServedLayout;
const requests: HttpRequestEvent[] = [];
const rawQueries: string[] = [];
const facts: PcInfo[] = [];
const tree = new MountedTree();
const menu: MenuSettings = { ...DEFAULT_MENU, timeoutSec: 1 };
let archLabel = '';

beforeAll(async () => {
  requireFiles({
    [MEMTEST_BIN]: 'memtest86+',
    [MEMTEST_EFI]: 'memtest86+',
    [OVMF_CODE]: 'ovmf',
    '/usr/bin/qemu-system-x86_64': 'qemu-system-x86',
  });
  work = await tempDir('ipxe-fits');
  const mtDir = join(work, 'mt');
  await fsp.mkdir(join(mtDir, 'boot'), { recursive: true });
  await fsp.copyFile(MEMTEST_BIN, join(mtDir, 'boot', 'memtest86+x64.bin'));
  await fsp.copyFile(MEMTEST_EFI, join(mtDir, 'boot', 'memtest86+x64.efi'));
  const archDir = await F.writeTree(F.ARCH_TREE);
  const mtVfs = await FolderSource.open(mtDir);
  const archVfs = await FolderSource.open(archDir);
  // Arch first, and its own default: without the PC's facts it would be the default
  const arch = await planSource(
    archVfs,
    { label: 'ARCH_202403', size: 1, fileSystems: [] },
    { sourceId: 'arch', hostPath: archDir },
  );
  const mt = await planSource(
    mtVfs,
    { label: 'MT86PLUS_64', size: 1, fileSystems: [] },
    { sourceId: 'mt', hostPath: mtDir },
  );
  expect(arch.summary.entries[0]!.minRamMiB, 'archiso needs its image size + 1 GiB').toBe(1025);
  archLabel = arch.summary.entries[0]!.label;

  // The product's HTTP server, with the session's glue for the PC's own menu (session.ts pcMenu).
  server = new HttpServer({
    vfs: tree,
    address: '127.0.0.1',
    port: 0,
    tracker: new TransferTracker(() => undefined),
    log: () => undefined,
    onRequest: (e) => requests.push(e),
    generate: (r) => {
      if (r.path !== BOOT_SCRIPT_PATH) return null;
      const pc = parsePcFacts(r.query);
      if (!pc) return null;
      rawQueries.push(r.query);
      facts.push(pc);
      return layout.menuFor(pc);
    },
  });
  await server.start();
  layout = await layoutServedTree(
    tree,
    [
      { id: 'arch', vfs: archVfs, plan: arch, hostPath: archDir },
      { id: 'mt', vfs: mtVfs, plan: mt, hostPath: mtDir },
    ],
    { loadersDir: defaultLoadersDir(), server: { ip: GUEST_IP, httpPort: server.port }, menu: () => menu },
  );
});

afterAll(async () => {
  await server?.stop();
  await removeTempDirs();
  F.cleanupTrees();
});

let serial = '';

/** Run a 256 MiB guest until `done` holds for the paths fetched (or the deadline); always killed. */
async function runGuest(firmware: 'bios' | 'uefi', done: (paths: string[]) => boolean, deadlineMs = 180_000) {
  requests.length = 0;
  facts.length = 0;
  rawQueries.length = 0;
  serial = '';
  const args = ['-accel', 'tcg', '-m', '256', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot'];
  const netdev = `user,id=n0,bootfile=http://${GUEST_IP}:${server.port}${BOOT_SCRIPT_PATH}`;
  if (firmware === 'bios') {
    const sercon = join(work, 'sercon-port');
    await fsp.writeFile(sercon, Buffer.from([0xf8, 0x03])); // COM1 (SeaBIOS etc/sercon-port)
    args.push('-fw_cfg', `name=etc/sercon-port,file=${sercon}`);
    args.push('-netdev', netdev, '-device', 'e1000,netdev=n0', '-boot', 'n');
  } else {
    const vars = join(work, `vars-${Date.now()}.fd`);
    await fsp.copyFile(OVMF_VARS, vars);
    args.push(
      '-drive',
      `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
      '-drive',
      `if=pflash,format=raw,file=${vars}`,
    );
    // OVMF starts the bundled ipxe.efi given as -kernel, as a PXE ROM would
    args.push('-kernel', join(defaultLoadersDir(), 'ipxe.efi'));
    args.push('-netdev', netdev, '-device', 'virtio-net-pci,netdev=n0,romfile=');
  }
  const qemu: ChildProcess = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  qemu.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  qemu.stdout!.on('data', (d: Buffer) => (serial += stripAnsi(d.toString('latin1'))));
  try {
    const start = Date.now();
    while (!done(requests.map((r) => r.path)) && Date.now() - start < deadlineMs) {
      if (qemu.exitCode !== null) throw new Error(`qemu exited (${qemu.exitCode}): ${stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return requests.map((r) => r.path);
  } finally {
    qemu.kill('SIGKILL');
  }
}

describe('fits this PC? — a 256 MiB PC gets its own menu', () => {
  it('BIOS: iPXE sends its RAM, maker and model; Arch is marked too big, memtest is the default and boots', async () => {
    const paths = await runGuest('bios', (p) => p.some((x) => x.includes('memtest86') || x.includes('vmlinuz')));
    // The generic menu, then the same path again with the facts: the server rendered this PC's menu.
    expect(paths.slice(0, 2)).toEqual([BOOT_SCRIPT_PATH, BOOT_SCRIPT_PATH]);
    expect(rawQueries[0]).toMatch(/^pc=1&memsize=&t19s=[0-9a-f]{8}&t19e=[0-9a-f]{8}&t17=[0-9a-f]{4}&/);
    expect(facts[0]).toMatchObject({
      maker: 'QEMU',
      ramMiB: 256,
      ramSource: 'smbios',
      platform: 'pcbios',
      arch: 'i386',
      nic: '82540em',
    });
    expect(facts[0]!.model).toMatch(/^Standard PC \(i440FX \+ PIIX, 1996\)$/);
    // What the PC showed: who it is, the marked entry and why
    expect(serial).toMatch(/This PC: QEMU Standard PC \(i440FX \+ PIIX, 1996\), 256 MiB RAM, BIOS/);
    expect(serial).toContain(`[too little RAM] ${archLabel}`.slice(0, 40));
    expect(serial).toMatch(/Arch Linux needs ~1 GiB, this PC reports 256 MiB/);
    // The default is the first entry that fits, fetched after the timeout: on BIOS that is the Arch
    // ISO's own memtest entry (a BIOS-only entry, listed after Arch's live entry)
    expect(paths.find((x) => x.includes('memtest86'))).toBe('/iso/arch/boot/memtest86+/memtest');
    expect(paths.some((x) => x.includes('vmlinuz'))).toBe(false);
  });

  it('UEFI (ipxe.efi): the same facts from SMBIOS on EFI, and the UEFI memtest is the default', async () => {
    const paths = await runGuest('uefi', (p) => p.some((x) => x.includes('memtest86') || x.includes('vmlinuz')));
    expect(facts[0]).toMatchObject({ maker: 'QEMU', ramMiB: 256, platform: 'efi', arch: 'x86_64', nic: 'virtio-net' });
    expect(serial).toMatch(/Arch Linux needs ~1 GiB, this PC reports 256 MiB/);
    expect(paths.find((x) => x.includes('memtest86'))).toBe('/iso/mt/boot/memtest86+x64.efi');
    expect(paths.some((x) => x.includes('vmlinuz'))).toBe(false);
  });
});
