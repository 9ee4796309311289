/**
 * Release ISOs as their projects build them, planned by `inspect --json` and network-booted in QEMU
 * through Bootdrop's real menu (issue 14):
 *  - memtest86+'s release ISO (MT86PLUS_64, /boot/floppy.img + EFI/BOOT/bootx64.efi): memtest runs on
 *    BIOS (iPXE ROM, floppy.img as a Linux-protocol kernel) and UEFI (OVMF + ipxe.efi, bootx64.efi
 *    chained) and prints its banner on the serial console it was told to use;
 *  - an unknown ISO booted through its own El Torito images: the floppy-emulation image through memdisk
 *    on BIOS (its boot sector prints a marker over INT 14h), and on UEFI the BOOTX64.EFI that exists
 *    only inside the El Torito FAT image, read out by Bootdrop and chained;
 *  - a KIWI-layout (Fedora 42+) dracut live ISO: the ($root)-prefixed GRUB entry boots the test kernel,
 *    whose initramfs fetches the whole ISO from root=live:http… and prints its checksum.
 * The guest uses QEMU user networking (its 10.0.2.2 is the host's loopback): nothing leaves the machine.
 */
import { execFile, spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MENU, defaultLoadersDir, layoutServedTree, planSource, type SourcePlan } from '../../main/boot';
import type { BootEntry, MenuSettings } from '../../main/contract';
import { openSource } from '../../main/iso';
import { MountedTree } from '../../main/vfs';
import { removeTempDirs, requireFiles, tempDir } from '../helpers/mkiso';
import { stripAnsi } from '../helpers/qemu';
import { elToritoOnlyIso, FLOPPY_MARKER, MEMTEST_BIN, MEMTEST_EFI, memtestReleaseIso } from '../helpers/release-iso';
import { buildFixture, rootMarkerOf, type BootFixture } from '../helpers/testiso';

const execFileP = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const GUEST_IP = '10.0.2.2';
// nobench: memtest skips its start-up memory benchmark (slow under TCG)
const SERIAL = 'console=ttyS0,115200 nobench';

let work: string;
let server: http.Server;
let port: number;
const tree = new MountedTree();
let menu: MenuSettings = DEFAULT_MENU;
const plans: Record<'mt' | 'et' | 'kiwi', SourcePlan> = {} as Record<'mt' | 'et' | 'kiwi', SourcePlan>;
const isos: Record<'mt' | 'et' | 'kiwi', string> = {} as Record<'mt' | 'et' | 'kiwi', string>;
let kiwi: BootFixture;
const closers: Array<() => Promise<void>> = [];
const requests: Array<{ url: string; at: number }> = [];

async function inspectJson(iso: string): Promise<{ family: string; plan: SourcePlan }> {
  const { stdout } = await execFileP('node', [join(ROOT, 'bin', 'bootdrop.js'), 'inspect', '--json', iso], {
    maxBuffer: 16 << 20,
  });
  return JSON.parse(stdout) as { family: string; plan: SourcePlan };
}

beforeAll(async () => {
  requireFiles({
    [MEMTEST_BIN]: 'memtest86+',
    [MEMTEST_EFI]: 'memtest86+',
    [OVMF_CODE]: 'ovmf',
    '/usr/bin/qemu-system-x86_64': 'qemu-system-x86',
    '/usr/bin/mformat': 'mtools',
  });
  work = await tempDir('release-isos');
  kiwi = await buildFixture('kiwi');
  isos.mt = await memtestReleaseIso();
  isos.et = await elToritoOnlyIso();
  isos.kiwi = kiwi.iso;
  const opened: Array<{ id: 'mt' | 'et' | 'kiwi'; o: Awaited<ReturnType<typeof openSource>> }> = [];
  for (const id of ['mt', 'et', 'kiwi'] as const) {
    const o = await openSource(isos[id]);
    closers.push(() => o.vfs.close());
    opened.push({ id, o });
    plans[id] = await planSource(o.vfs, o.info, { sourceId: id, hostPath: isos[id] });
  }
  server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', at: Date.now() });
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
  await layoutServedTree(
    tree,
    opened.map(({ id, o }) => ({ id, vfs: o.vfs, plan: plans[id], hostPath: isos[id] })),
    { loadersDir: defaultLoadersDir(), server: { ip: GUEST_IP, httpPort: port }, menu: () => menu },
  );
}, 600_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  for (const c of closers) await c().catch(() => undefined);
  await removeTempDirs();
});

/** Boot a guest until its serial console matches `want` (or the deadline); always killed. */
async function boot(
  firmware: 'bios' | 'uefi',
  want: RegExp,
  deadlineMs = 240_000,
  doneWhen?: () => boolean,
): Promise<RegExpMatchArray | null> {
  const args = ['-accel', 'tcg', '-m', '768', '-display', 'none', '-monitor', 'none', '-serial', 'stdio'];
  args.push('-no-reboot');
  const netdev = `user,id=n0,bootfile=http://${GUEST_IP}:${port}/boot.ipxe`;
  if (firmware === 'bios') args.push('-netdev', netdev, '-device', 'e1000,netdev=n0', '-boot', 'n');
  else {
    const vars = join(work, `vars-${Date.now()}.fd`);
    await fsp.copyFile(OVMF_VARS, vars);
    args.push(
      '-drive',
      `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
      '-drive',
      `if=pflash,format=raw,file=${vars}`,
      '-kernel',
      join(defaultLoadersDir(), 'ipxe.efi'),
      '-netdev',
      netdev,
      '-device',
      'virtio-net-pci,netdev=n0,romfile=',
    );
  }
  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  qemu.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  qemu.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
  try {
    const start = Date.now();
    for (;;) {
      const m = stripAnsi(out).match(want);
      if (m) return m;
      if (doneWhen?.()) return null;
      if (qemu.exitCode !== null || Date.now() - start > deadlineMs)
        throw new Error(
          `no ${want} on the ${firmware} guest's serial console (${qemu.exitCode !== null ? `qemu exited ${qemu.exitCode}` : 'timed out'}); tail:\n${stripAnsi(out).slice(-3000)}\nrequests: ${requests.map((r) => r.url).join(' ')}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    qemu.kill('SIGKILL');
  }
}

/** Menu: only `id`'s entries enabled, 1 s timeout, per-entry extra arguments. */
function only(id: 'mt' | 'et' | 'kiwi', append: Record<string, string> = {}, global = ''): MenuSettings {
  const overrides: MenuSettings['overrides'] = {};
  for (const [k, p] of Object.entries(plans))
    for (const e of p.summary.entries)
      overrides[e.id] = { enabled: k === id && e.enabled, ...(append[e.id] ? { append: append[e.id] } : {}) };
  return { ...DEFAULT_MENU, timeoutSec: 1, append: global, overrides };
}

describe('inspect --json on the release layouts', () => {
  it('memtest86+ release ISO, El Torito-only ISO and KIWI live ISO are planned as their layouts say', async () => {
    const mt = await inspectJson(isos.mt);
    expect(mt.family).toBe('memtest');
    expect(mt.plan.summary.entries.map((e) => [e.kind, e.kernel, e.firmware])).toEqual([
      ['linux', '/boot/floppy.img', ['bios']],
      ['chain', '/EFI/BOOT/bootx64.efi', ['uefi']],
    ]);
    const et = await inspectJson(isos.et);
    expect(et.family).toBe('generic');
    expect(et.plan.summary.entries.map((e) => [e.kind, e.kernel ?? null, e.firmware])).toEqual([
      ['memdisk', '/[BOOT]/1-BIOS-1.44MFloppy.img', ['bios']],
      ['chain', '/[BOOT]/2-EFI-NoEmul/EFI/BOOT/BOOTX64.EFI', ['uefi']],
      ['sanboot', null, ['uefi']],
    ]);
    const k = await inspectJson(isos.kiwi);
    expect(k.family).toBe('dracut-live');
    expect(k.plan.summary.osName).toBe('Fedora Workstation Live 42');
    expect(k.plan.summary.entries[0]).toMatchObject({
      kernel: '/boot/x86_64/loader/linux',
      initrd: ['/boot/x86_64/loader/initrd'],
      origin: 'iso-menu',
    });
  });
});

describe('QEMU network boots of the release layouts', () => {
  const memtestArgs = () => Object.fromEntries(plans.mt.summary.entries.map((e) => [e.id, SERIAL]));

  it('memtest86+ release ISO, BIOS: /boot/floppy.img runs as a kernel and memtest starts', async () => {
    menu = only('mt', memtestArgs());
    await boot('bios', /Memtest86\+ v\d/);
  });

  it('memtest86+ release ISO, UEFI: EFI/BOOT/bootx64.efi is chained and memtest starts', async () => {
    menu = only('mt', memtestArgs());
    await boot('uefi', /Memtest86\+ v\d/);
  });

  it('unknown ISO, BIOS: its El Torito floppy image boots through memdisk', async () => {
    menu = only('et');
    await boot('bios', new RegExp(FLOPPY_MARKER));
  });

  it('unknown ISO, UEFI: the BOOTX64.EFI read out of its El Torito FAT image is chained and runs', async () => {
    const chain = plans.et.summary.entries.find((e) => e.kind === 'chain')!;
    menu = only('et', { [chain.id]: SERIAL });
    await boot('uefi', /Memtest86\+ v\d/);
  });

  it('an entry that cannot start: the PC says so and reports it to the server within seconds', async () => {
    // The El Torito-only ISO's README.TXT offered as a kernel: iPXE's EFI build refuses it (Exec format
    // error; no PE header). (Its BIOS build would run any file as a PXE program, so UEFI is the test.)
    const bad: BootEntry = {
      ...plans.et.summary.entries[0]!,
      id: 'et:not-a-kernel',
      label: 'not a kernel',
      kind: 'linux',
      kernel: '/README.TXT',
      initrd: [],
      cmdline: '',
      firmware: ['bios', 'uefi'],
    };
    plans.et.summary.entries.unshift(bad);
    try {
      menu = { ...only('et'), defaultEntryId: bad.id };
      menu.overrides[bad.id] = { enabled: true };
      requests.length = 0;
      await boot('uefi', /never/, 240_000, () => requests.some((r) => r.url.startsWith('/bootdrop/boot-failed/')));
      const fetched = requests.find((r) => r.url === '/iso/et/README.TXT')!;
      const report = requests.find((r) => r.url.startsWith('/bootdrop/boot-failed/'))!;
      expect(decodeURIComponent(report.url)).toBe('/bootdrop/boot-failed/et:not-a-kernel'); // iPXE sends %3A
      expect(report.at - fetched.at, 'ms from the failed kernel to the report').toBeLessThan(10_000);
    } finally {
      plans.et.summary.entries.shift();
    }
  });

  for (const fw of ['bios', 'uefi'] as const) {
    it(`KIWI-layout live ISO, ${fw.toUpperCase()}: the GRUB entry boots and the initramfs fetches the ISO (root=live:http)`, async () => {
      menu = only('kiwi', {}, 'console=ttyS0');
      const m = await boot(fw, rootMarkerOf(kiwi.token));
      expect(m![1], 'the ISO the guest downloaded').toBe(kiwi.rootSha256);
    });
  }
});
