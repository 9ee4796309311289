import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { bootRig, Guest, randomMac, ServeProcess, type BootRig } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// The classic path, as "dnsmasq dhcp-boot + loop-mounted ISO + PXELINUX + darkhttpd" serves it
// (`--classic`): an Arch-like ISO with its own lpxelinux.0 and archiso_pxe.cfg. The BIOS client gets
// lpxelinux.0 over TFTP, PXELINUX loads the ISO's own menu (through the synthesized
// pxelinux.cfg/default), boots its kernel with SYSAPPEND 3's ip=, and the initramfs fetches
// http://<server>/arch/x86_64/airootfs.sfs (port 80, the ISO root as HTTP root).
describe('classic PXELINUX path (ISO ships lpxelinux.0)', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('lpxelinux.0 loads the ISO menu and boots the kernel that fetches its root image', async () => {
    const fx = await buildFixture('arch');
    rig = await bootRig('pxl', '10.213.55', { router: true, ipv6Ra: true });
    rig.serve = ServeProcess.start(rig.server.ns, [
      fx.iso,
      '--classic',
      '--interface',
      'eth0',
      '--mode',
      'proxy',
      '--http-port',
      '80',
    ]);
    await rig.serve.ready();

    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'bios', tap: await rig.lan.addTap(), mac, memMiB: 1536 });
    await rig.guest.waitFor(/PXELINUX \d/, 120_000);
    await rig.guest.waitFor(markerOf(fx.token), 240_000);
    // The ISO's own APPEND line (archiso_pxe.cfg) plus PXELINUX's SYSAPPEND 3 naming this server.
    await rig.guest.waitFor(
      /BOOTDROP-CMDLINE [^\n]*archiso_http_srv=http:\/\/\$\{pxeserver\}\/[^\n]* ip=10\.213\.55\.\d+:10\.213\.55\.2:/,
      10_000,
    );
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    await rig.guest.waitFor(/BOOTDROP-FETCH http:\/\/10\.213\.55\.2\/arch\/x86_64\/airootfs\.sfs/, 1000);
    expect(m[1]).toBe(fx.rootSha256);
    const tftpFiles = rig.serve.events
      .filter(
        (e) =>
          e.type === 'transfer' &&
          (e.transfer as { protocol: string; outcome: string }).protocol === 'tftp' &&
          (e.transfer as { outcome: string }).outcome === 'done',
      )
      .map((e) => (e.transfer as { file: string }).file.toLowerCase());
    expect(tftpFiles).toContain('/arch/boot/syslinux/lpxelinux.0');
    expect(
      tftpFiles.some((f) => f.endsWith('/pxelinux.cfg/default')),
      tftpFiles.join(' '),
    ).toBe(true);
    expect(await rig.serve.stop()).toBe(0);
  });
});

// `--classic` is the command line's spelling of MenuSettings.biosMenu = 'iso' (the window's "BIOS PCs
// get: the ISO's own PXELINUX menu"). No PC boots here: the engine's own account is enough.
describe('bootdrop serve --classic maps onto the BIOS menu choice', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let serve: ServeProcess | undefined;
  beforeAll(async () => {
    lan = await TestLan.create('pxc');
    server = await lan.addHost('server', '10.213.59.2/24');
  });
  afterAll(async () => {
    await serve?.stop();
    await lan?.destroy();
  });

  it("gives BIOS PCs the ISO's own menu, and says so", async () => {
    const fx = await buildFixture('arch');
    serve = ServeProcess.start(server.ns, [fx.iso, '--classic', '--interface', 'eth0', '--mode', 'proxy']);
    await serve.ready();
    const said = await serve.waitEvent<{ type: string; entry: { message: string } }>(
      (e) => e.type === 'log' && /^BIOS PCs get/.test((e.entry as { message: string }).message),
      5000,
      'the line saying which menu BIOS PCs get',
    );
    expect(said.entry.message).toMatch(
      /^BIOS PCs get Arch Linux's own PXELINUX menu \(.+\); UEFI PCs get Bootdrop's menu$/,
    );
    expect(await serve.stop()).toBe(0);
    serve = undefined;
  }, 120_000);

  it('refuses an ISO without its own PXELINUX menu, saying what to do, before serving anything', async () => {
    const fx = await buildFixture('casper');
    serve = ServeProcess.start(server.ns, [fx.iso, '--classic', '--interface', 'eth0', '--mode', 'proxy']);
    const err = await serve.waitEvent<{ type: string; error: { code: string; message: string; remedy: string } }>(
      (e) => e.type === 'error',
      20_000,
      'the ENOCLASSIC error',
    );
    expect(err.error).toEqual({
      code: 'ENOCLASSIC',
      message: '--classic: none of the sources ships its own PXELINUX (lpxelinux.0 with a PXE menu)',
      remedy:
        'serve an ISO that has one (Arch Linux and archiso derivatives), or drop --classic to use the Bootdrop menu',
    });
    for (let i = 0; i < 100 && !serve.exited; i++) await new Promise((r) => setTimeout(r, 100)); // it exits by itself
    expect(await serve.stop()).toBe(1);
    expect(serve.events.some((e) => e.type === 'state' && (e.state as { serving: boolean }).serving)).toBe(false);
    serve = undefined;
  }, 120_000);
});
