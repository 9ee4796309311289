import { afterEach, describe, expect, it } from 'vitest';
import { bootRig, Guest, randomMac, ServeProcess, stagesOf, type BootRig, bootServeArgs } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// A bare cable: laptop to PC, no router. `--mode auto` finds no DHCP server and hands out addresses
// itself; the firmware (BIOS iPXE ROM, or OVMF's EDK2 PXE) and then the booted kernel's udhcpc all get
// theirs from Bootdrop.
describe('network boot on a bare cable, auto mode', () => {
  let rig: BootRig | undefined;
  afterEach(async () => {
    await rig?.cleanup();
    rig = undefined;
  });

  it('BIOS (iPXE ROM): switches to own DHCP and boots a live-boot ISO to its marker and root image', async () => {
    const fx = await buildFixture('live');
    rig = await bootRig('aut', '10.213.53', { router: false });
    rig.serve = ServeProcess.start(rig.server.ns, bootServeArgs([fx.iso], 'auto'));
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

  // OVMF's own EDK2 PXE client gets its address and snponly.efi from Bootdrop's own DHCP (a DHCP offer
  // with the boot file, no proxy), then snponly.efi asks again and boots the live-boot ISO.
  it('UEFI (OVMF PXE): own DHCP hands out the address and snponly.efi, and a live-boot ISO boots', async () => {
    const fx = await buildFixture('live');
    rig = await bootRig('aue', '10.213.63', { router: false });
    rig.serve = ServeProcess.start(rig.server.ns, bootServeArgs([fx.iso], 'auto'));
    await rig.serve.ready();
    await rig.serve.waitEvent(
      (e) => e.type === 'state' && (e.state as { effectiveMode: string | null }).effectiveMode === 'dhcp',
      30_000,
      'auto mode to settle on own DHCP',
    );

    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'uefi', tap: await rig.lan.addTap(), mac, memMiB: 1536 });
    // EDK2 says what it got from the DHCP offer before it loads anything.
    await rig.guest.waitFor(/Station IP address is 10\.213\.63\.\d+/, 240_000);
    await rig.guest.waitFor(markerOf(fx.token), 240_000);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1], 'filesystem.squashfs as fetched by the guest (live-boot fetch=)').toBe(fx.rootSha256);
    expect(rig.guest.serial).toMatch(/BOOTDROP-DHCP 10\.213\.63\.\d+/);
    const stages = stagesOf(rig.serve, mac);
    expect(stages[0]).toBe('dhcp');
    expect(stages).toEqual(expect.arrayContaining(['loader', 'menu', 'kernel', 'initrd']));
    const last = rig.serve.events
      .filter((e) => e.type === 'client' && (e.client as { mac: string }).mac === mac)
      .at(-1)!.client as { firmware: string; arch: number; ip: string | null };
    expect(last).toMatchObject({ firmware: 'uefi', arch: 7 });
    expect(await rig.serve.stop()).toBe(0);
  });
});
