import { afterAll, describe, expect, it } from 'vitest';
import { bootRig, Guest, randomMac, ServeProcess, stagesOf, type BootRig } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// A bare cable: laptop to PC, no router. `--mode auto` finds no DHCP server and hands out addresses
// itself; the BIOS iPXE client and then the booted kernel's udhcpc both get theirs from Bootdrop.
describe('BIOS (iPXE ROM) network boot on a bare cable, auto mode', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('switches to own DHCP and boots a live-boot ISO to its marker and root image', async () => {
    const fx = await buildFixture('live');
    rig = await bootRig('aut', '10.213.53', { router: false });
    rig.serve = ServeProcess.start(rig.server.ns, [
      fx.iso,
      '--interface',
      'eth0',
      '--mode',
      'auto',
      '--append',
      'console=ttyS0 quiet',
      '--timeout',
      '1',
    ]);
    await rig.serve.ready();
    await rig.serve.waitEvent(
      (e) => e.type === 'state' && (e.state as { effectiveMode: string | null }).effectiveMode === 'dhcp',
      30_000,
      'auto mode to settle on own DHCP',
    );

    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'bios', tap: await rig.lan.addTap(), mac, memMiB: 1536 });
    await rig.guest.waitFor(markerOf(fx.token), 240_000);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1], 'filesystem.squashfs as fetched by the guest (live-boot fetch=)').toBe(fx.rootSha256);
    expect(rig.guest.serial).toMatch(/BOOTDROP-DHCP 10\.213\.53\.\d+/);
    expect(stagesOf(rig.serve, mac)[0]).toBe('dhcp');
    expect(await rig.serve.stop()).toBe(0);
  });
});
