import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForOutput } from '../helpers/netns';
import { requireTools } from '../helpers/peers';
import { bootRig, Guest, randomMac, ServeProcess, type BootRig } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';
import { errorMessage } from '../../main/errors';

const execFileP = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'bootdrop.js');
const NET = '10.213.61';

// `bootdrop export` writes a site for the classic tools; this boots PCs from it with no Bootdrop
// process running: real dnsmasq (proxyDHCP + TFTP) and real nginx, from the exported configs as the
// README says to run them, beside the LAN's home router. BIOS (iPXE ROM) and UEFI (OVMF's own PXE
// client, through the exported snponly.efi) both reach the ISO's marker and fetch the whole ISO.
describe('bootdrop export: the same menu from dnsmasq + nginx', () => {
  let rig: BootRig | undefined;
  const procs: ChildProcess[] = [];
  const guests: Guest[] = [];
  let dir = '';
  afterAll(async () => {
    for (const g of guests) await g.kill();
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    if (dir) await execFileP('sh', [path.join(dir, 'prepare.sh'), '--undo']).catch(() => undefined);
    await rig?.cleanup();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  it('boots BIOS and UEFI guests from the exported files to the marker', async () => {
    requireTools('dnsmasq', 'nginx', 'xorriso', 'qemu-system-x86_64');
    const casper = await buildFixture('casper');
    const arch = await buildFixture('arch');
    rig = await bootRig('exp', NET, { router: true });
    const ns = rig.server.ns;
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'bootdrop-export-'));
    const menuArgs = ['--append', 'console=ttyS0 quiet', '--timeout', '1'];

    const exported = await execFileP('ip', [
      'netns',
      'exec',
      ns,
      process.execPath,
      BIN,
      'export',
      casper.iso,
      arch.iso,
      '--to',
      dir,
      '--interface',
      'eth0',
      '--mode',
      'proxy',
      ...menuArgs,
    ]);
    expect(exported.stdout).toContain(`dnsmasq -k -C ${dir}/dnsmasq.conf`);
    const script = readFileSync(path.join(dir, 'www', 'boot.ipxe'), 'utf8');

    // One plan, several renderings: the exported menu is byte for byte what `bootdrop serve` serves.
    const serve = ServeProcess.start(ns, [casper.iso, arch.iso, '--interface', 'eth0', '--mode', 'proxy', ...menuArgs]);
    try {
      await serve.ready();
      const served = await execFileP('ip', ['netns', 'exec', ns, 'curl', '-sf', `http://${NET}.2/boot.ipxe`]);
      expect(script).toBe(served.stdout);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
    expect(script).toContain(`http://${NET}.2/iso/`);

    const prepared = await execFileP('sh', [path.join(dir, 'prepare.sh')]);
    expect(prepared.stdout).toMatch(/loop-mounted|extracted/);

    // The configs check out with the tools themselves before anything listens.
    await execFileP('ip', ['netns', 'exec', ns, 'dnsmasq', '--test', '-C', path.join(dir, 'dnsmasq.conf')]);
    await execFileP('ip', ['netns', 'exec', ns, 'nginx', '-t', '-c', path.join(dir, 'nginx.conf')]);

    const nginx = spawn('ip', ['netns', 'exec', ns, 'nginx', '-c', path.join(dir, 'nginx.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    procs.push(nginx);
    const dnsmasq = spawn('ip', ['netns', 'exec', ns, 'dnsmasq', '-k', '-C', path.join(dir, 'dnsmasq.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    procs.push(dnsmasq);
    await waitForOutput(dnsmasq, /TFTP root is/, 10_000);
    // nginx prints nothing when it is up: ask it for the menu (bounded).
    let menu = '';
    for (let i = 0; i < 50 && menu === ''; i++) {
      menu = (
        await execFileP('ip', ['netns', 'exec', ns, 'curl', '-sf', `http://${NET}.2/boot.ipxe`]).catch(() => ({
          stdout: '',
        }))
      ).stdout;
      if (menu === '') await new Promise((r) => setTimeout(r, 200));
    }
    expect(menu).toBe(script);
    let dnsLog = '';
    dnsmasq.stderr?.on('data', (c: Buffer) => (dnsLog += c.toString()));

    const bios = await Guest.start({ firmware: 'bios', tap: await rig.lan.addTap(), mac: randomMac(), memMiB: 1536 });
    guests.push(bios);
    const uefi = await Guest.start({ firmware: 'uefi', tap: await rig.lan.addTap(), mac: randomMac(), memMiB: 1536 });
    guests.push(uefi);
    try {
      await Promise.all([bios.waitFor(markerOf(casper.token), 300_000), uefi.waitFor(markerOf(casper.token), 360_000)]);
      const [b, u] = await Promise.all([
        bios.waitFor(rootMarkerOf(casper.token), 120_000),
        uefi.waitFor(rootMarkerOf(casper.token), 120_000),
      ]);
      expect(b[1], 'the ISO the BIOS guest downloaded from nginx').toBe(casper.rootSha256);
      expect(u[1], 'the ISO the UEFI guest downloaded from nginx').toBe(casper.rootSha256);
    } catch (err) {
      throw new Error(`${errorMessage(err)}\ndnsmasq said:\n${dnsLog.slice(-3000)}`);
    }
    // The UEFI firmware took its loader from dnsmasq's TFTP (EDK2 does not speak HTTP here).
    expect(dnsLog).toMatch(/sent .*loaders\/snponly\.efi/);
    expect(dnsLog).toMatch(/sent .*loaders\/undionly\.kpxe|PXE\(eth0\)/);
  });
});
