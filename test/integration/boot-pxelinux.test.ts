import { afterAll, describe, expect, it } from 'vitest';
import { bootRig, Guest, randomMac, ServeProcess, type BootRig } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// The classic path, as "dnsmasq + loop-mounted ISO + PXELINUX + darkhttpd" serves it: an Arch-like
// ISO with its own lpxelinux.0 and archiso_pxe.cfg. PXELINUX loads the ISO's own menu, substitutes
// ${pxeserver}, boots the kernel over TFTP/HTTP, and the kernel fetches airootfs.sfs from
// http://<server>/arch/x86_64/airootfs.sfs (port 80, the ISO root as HTTP root).
describe('classic PXELINUX path (ISO ships lpxelinux.0)', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('lpxelinux.0 loads the ISO menu and boots the kernel that fetches its root image', async () => {
    const fx = await buildFixture('arch');
    rig = await bootRig('pxl', '10.213.55', { router: true });
    rig.serve = ServeProcess.start(rig.server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy', '--http-port', '80', '--timeout', '1']);
    await rig.serve.ready();
    const entries = (rig.serve.events.filter((e) => e.type === 'sources').at(-1)?.sources as Array<{ entries: Array<{ id: string; kind: string }> }>)[0]!.entries;
    const classic = entries.find((e) => e.kind === 'pxelinux');
    expect(classic, `a pxelinux entry among ${JSON.stringify(entries)}`).toBeDefined();
    // Choosing the classic entry as default is how a user asks for the ISO's own PXELINUX menu.
    await rig.serve.stop();
    rig.serve = ServeProcess.start(rig.server.ns, [fx.iso, '--default', classic!.id, '--interface', 'eth0', '--mode', 'proxy', '--http-port', '80', '--timeout', '1']);
    await rig.serve.ready();

    rig.guest = await Guest.start({ firmware: 'bios', tap: await rig.lan.addTap(), mac: randomMac(), memMiB: 1536 });
    await rig.guest.waitFor(/PXELINUX/, 180_000);
    await rig.guest.waitFor(markerOf(fx.token), 300_000);
    // The ISO's own APPEND line (archiso_pxe.cfg), with ${pxeserver} filled in by PXELINUX.
    expect(rig.guest.serial).toMatch(/BOOTDROP-CMDLINE [^\n]*archiso_http_srv=http:\/\/10\.213\.55\.2\//);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1]).toBe(fx.rootSha256);
    expect(await rig.serve.stop()).toBe(0);
  });
});
