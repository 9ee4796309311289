import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIso, makeTree, removeTempDirs, tempDir } from '../helpers/mkiso';
import { bootRig, Guest, randomMac, ServeProcess, type BootRig } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

type ClientEv = { client: { mac: string; chain?: string | null; notice?: string | null } };
type TransferEv = { transfer: { file: string; outcome: string; protocol: string } };

function fetched(serve: ServeProcess): string[] {
  return serve.events
    .filter((e) => e.type === 'transfer' && (e as unknown as TransferEv).transfer.outcome === 'done')
    .map((e) => (e as unknown as TransferEv).transfer.file);
}

function serveArgs(iso: string, mode: string): string[] {
  return [iso, '--interface', 'eth0', '--mode', mode, '--append', 'console=ttyS0 quiet', '--timeout', '1'];
}

const CLI = path.resolve(__dirname, '..', '..', 'bin', 'bootdrop.js');

describe('bootdrop inspect: which entries a Secure Boot PC can boot', () => {
  it('the Debian-signed kernel: yes, through Debian shim → GRUB; the same kernel unsigned: no, and why', async () => {
    const signed = await buildFixture('live', 'sb');
    const unsigned = await buildFixture('live', 'unsigned', { unsignedKernel: true });
    const out = (iso: string) => execFileSync(process.execPath, [CLI, 'inspect', iso], { encoding: 'utf8' });
    expect(out(signed.iso)).toMatch(
      /secure boot {2}yes, Debian shim → GRUB · x64 — kernel signed by Debian Secure Boot Signer [^\n]*\(issued by Debian Secure Boot CA\)/,
    );
    expect(out(unsigned.iso)).toMatch(/secure boot {2}no · x64 — unsigned kernel: Secure Boot refuses it/);
    const grub = execFileSync(process.execPath, [CLI, 'inspect', unsigned.iso, '--server-ip', '10.0.0.2', '--grub'], {
      encoding: 'utf8',
    });
    expect(grub).toMatch(/menuentry 'Live system \(amd64\) \(needs Secure Boot off\)'/);
  });
});

// OVMF with Secure Boot enforced (Microsoft's keys, q35 + SMM): the firmware refuses iPXE, so Bootdrop
// must boot it through Debian's signed shim → GRUB → Debian-signed kernel (issue 13).
describe('Secure Boot PC (OVMF, Secure Boot enforced)', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('bare cable, auto mode: shim → GRUB → signed Debian kernel boots to its marker and root image', async () => {
    const fx = await buildFixture('live', 'sb');
    rig = await bootRig('sbc', '10.213.61', { router: false });
    rig.serve = ServeProcess.start(rig.server.ns, serveArgs(fx.iso, 'auto'));
    await rig.serve.ready();
    await rig.serve.waitEvent(
      (e) => e.type === 'state' && (e.state as { effectiveMode: string | null }).effectiveMode === 'dhcp',
      30_000,
      'auto mode to settle on own DHCP',
    );
    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'uefi-secure-boot', tap: await rig.lan.addTap(), mac, memMiB: 1024 });
    await rig.guest.waitFor(markerOf(fx.token), 360_000);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1], 'filesystem.squashfs as fetched by the guest (live-boot fetch=)').toBe(fx.rootSha256);

    const files = fetched(rig.serve);
    expect(files).toEqual(expect.arrayContaining(['/loaders/shimx64.efi', '/loaders/grubx64.efi', '/grub/grub.cfg']));
    expect(
      files.filter((f) => /^\/loaders\/(ipxe|snponly)\.efi$/.test(f)),
      'iPXE is never offered on this path',
    ).toEqual([]);
    expect(files.some((f) => /\/live\/vmlinuz$/.test(f))).toBe(true);
    const chains = rig.serve.events
      .filter((e) => e.type === 'client' && (e as unknown as ClientEv).client.mac.toLowerCase() === mac.toLowerCase())
      .map((e) => (e as unknown as ClientEv).client.chain);
    expect(chains).toContain('Secure Boot chain: Debian shim → GRUB');
    expect(await rig.serve.stop()).toBe(0);
    rig.serve = null;
    await rig.guest.kill();
    rig.guest = null;
  });

  it('the same ISO with an unsigned kernel: GRUB shows why instead of booting, and Bootdrop reports it', async () => {
    const fx = await buildFixture('live', 'unsigned', { unsignedKernel: true });
    rig ??= await bootRig('sbc', '10.213.61', { router: false });
    rig.serve = ServeProcess.start(rig.server.ns, serveArgs(fx.iso, 'dhcp'));
    await rig.serve.ready();
    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'uefi-secure-boot', tap: await rig.lan.addTap(), mac, memMiB: 1024 });
    // GRUB prints the title line first and the reason a moment later: wait for the reason itself.
    await rig.guest.waitFor(/unsigned kernel: Secure Boot refuses it/, 360_000);
    expect(rig.guest.serial).toMatch(/cannot boot under it/);
    await rig.serve.waitEvent(
      (e) =>
        e.type === 'client' &&
        (e as unknown as ClientEv).client.mac === mac &&
        /Secure Boot is on and refused/.test((e as unknown as ClientEv).client.notice ?? ''),
      60_000,
      "the PC's notice that Secure Boot refused the entry",
    );
    expect(rig.guest.serial).not.toMatch(markerOf(fx.token));
    expect(await rig.serve.stop()).toBe(0);
    rig.serve = null;
  });
});

// The same chain must boot a PC with Secure Boot off: on a bare cable every x64 UEFI PC gets it.
describe('Secure Boot off PC (OVMF) on a bare cable', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('gets the signed chain too and boots the same ISO to its marker', async () => {
    const fx = await buildFixture('live', 'sb');
    rig = await bootRig('sbo', '10.213.64', { router: false });
    rig.serve = ServeProcess.start(rig.server.ns, serveArgs(fx.iso, 'dhcp'));
    await rig.serve.ready();
    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'uefi', tap: await rig.lan.addTap(), mac, memMiB: 1024 });
    await rig.guest.waitFor(markerOf(fx.token), 360_000);
    expect(fetched(rig.serve)).toEqual(expect.arrayContaining(['/loaders/shimx64.efi', '/grub/grub.cfg']));
    expect(await rig.serve.stop()).toBe(0);
    rig.serve = null;
    await rig.guest.kill();
    rig.guest = null;
  });

  // An entry only iPXE can run (a generic ISO's virtual CD, sanboot): iPXE started by GRUB 2.06 finds no
  // network (issue 14, OVMF), so GRUB tells Bootdrop and reboots; the firmware's next PXE request gets
  // snponly.efi, and iPXE's menu for that PC starts the entry chosen in GRUB.
  it('an iPXE-only entry (sanboot): GRUB restarts the PC into iPXE, whose menu starts the entry', async () => {
    const src = await tempDir('sbo-src');
    await makeTree(src, { 'README.TXT': 'virtual CD' });
    const iso = path.join(await tempDir('sbo-iso'), 'generic-cd.iso');
    await buildIso(src, iso, { volid: 'GENERIC_CD', efi: true });
    const inspect = execFileSync(process.execPath, [CLI, 'inspect', iso, '--json'], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    const entries = (JSON.parse(inspect) as { plan: { summary: { entries: Array<{ id: string; kind: string }> } } })
      .plan.summary.entries;
    const sanboot = entries.find((e) => e.kind === 'sanboot');
    expect(sanboot, 'the generic ISO offers its virtual CD').toBeDefined();
    rig ??= await bootRig('sbo', '10.213.64', { router: false });
    rig.serve = ServeProcess.start(rig.server.ns, [...serveArgs(iso, 'dhcp'), '--default', sanboot!.id]);
    await rig.serve.ready();
    const mac = randomMac();
    const tap = await rig.lan.addTap();
    rig.guest = await Guest.start({ firmware: 'uefi', tap, mac, memMiB: 1024, reboot: true });
    await rig.guest.waitFor(/Starting the whole ISO as a virtual CD/, 360_000);
    const serial = rig.guest.serial;
    expect(serial).toMatch(/Restarting into iPXE to start "GENERIC_CD \(whole ISO as a virtual CD, sanboot\)"/);
    const files = fetched(rig.serve);
    const restart = files.findIndex((f) => f.startsWith('/secure-boot/restart-ipxe/'));
    expect(restart, 'GRUB fetched the restart note').toBeGreaterThan(files.indexOf('/grub/grub.cfg'));
    expect(files.indexOf('/grub/grub.cfg')).toBeGreaterThan(files.indexOf('/loaders/shimx64.efi'));
    // after the reboot: the firmware got snponly.efi (not shim again), then iPXE fetched its menu
    const after = files.slice(restart + 1);
    expect(after).toContain('/loaders/snponly.efi');
    expect(after).not.toContain('/loaders/shimx64.efi');
    expect(after).toContain('/boot.ipxe');
    const logs = rig.serve.events
      .filter((e) => e.type === 'log')
      .map((e) => (e.entry as { message: string }).message)
      .join('\n');
    expect(logs).toMatch(/restarting into iPXE for "GENERIC_CD \(whole ISO as a virtual CD, sanboot\)"/);
    expect(logs).toMatch(/iPXE on the firmware's network driver \(SNP\)/);
    expect(logs).toMatch(/restarted into iPXE for "GENERIC_CD/);
    const chains = rig.serve.events
      .filter((e) => e.type === 'client' && (e as unknown as ClientEv).client.mac.toLowerCase() === mac.toLowerCase())
      .map((e) => (e as unknown as ClientEv).client.chain);
    expect(chains).toContain('iPXE (restarted from GRUB for "GENERIC_CD (whole ISO as a virtual CD, sanboot)")');
    await rig.guest.kill();
    rig.guest = null;
    expect(await rig.serve.stop()).toBe(0);
    rig.serve = null;
    await removeTempDirs();
  });
});

// Beside a router (proxyDHCP): the PC gets iPXE first (Secure Boot off PCs boot as before); this one
// refuses it, and Bootdrop says why and what to do — Debian's signed GRUB ignores proxyDHCP.
describe('Secure Boot PC beside a router (proxy mode)', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('refuses iPXE; Bootdrop tells the user to use a direct cable or turn Secure Boot off', async () => {
    const fx = await buildFixture('live', 'sb');
    rig = await bootRig('sbp', '10.213.62', { router: true });
    rig.serve = ServeProcess.start(rig.server.ns, serveArgs(fx.iso, 'proxy'));
    await rig.serve.ready();
    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'uefi-secure-boot', tap: await rig.lan.addTap(), mac, memMiB: 1024 });
    const e = await rig.serve.waitEvent(
      (x) =>
        x.type === 'client' &&
        (x as unknown as ClientEv).client.mac === mac &&
        /Secure Boot probably refused it/.test((x as unknown as ClientEv).client.notice ?? ''),
      300_000,
      'the notice that Secure Boot refused iPXE',
    );
    expect((e as unknown as ClientEv).client.notice).toMatch(
      /connect this PC by cable directly to this computer, or turn Secure Boot off/,
    );
    expect(fetched(rig.serve)).toContain('/loaders/snponly.efi');
    expect(fetched(rig.serve), 'iPXE never ran: no menu script').not.toContain('/boot.ipxe');
    expect(rig.guest.serial).not.toMatch(markerOf(fx.token));
    expect(await rig.serve.stop()).toBe(0);
    rig.serve = null;
  });
});
