import { afterAll, describe, expect, it } from 'vitest';
import { bootRig, Guest, randomMac, ServeProcess, stagesOf, type BootRig } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// A UEFI PC (OVMF) with its own EDK2 PXE client (the NIC's iPXE ROM is removed with romfile=): the
// proxyDHCP offer, the 4011 exchange and TFTP deliver Bootdrop's ipxe.efi, which then loads the menu,
// the archiso kernel and initrd over HTTP; the guest fetches airootfs.sfs (archiso_http_srv=).
describe('UEFI (OVMF PXE) network boot, proxy mode', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('boots an archiso ISO through ipxe.efi to its marker and the root image', async () => {
    const fx = await buildFixture('arch');
    rig = await bootRig('upx', '10.213.52', { router: true });
    rig.serve = ServeProcess.start(rig.server.ns, [
      fx.iso,
      '--interface',
      'eth0',
      '--mode',
      'proxy',
      '--append',
      'console=ttyS0 quiet',
      '--timeout',
      '1',
    ]);
    await rig.serve.ready();

    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'uefi', tap: await rig.lan.addTap(), mac, memMiB: 1536 });
    await rig.guest.waitFor(markerOf(fx.token), 300_000);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1], 'airootfs.sfs as fetched by the guest').toBe(fx.rootSha256);

    const stages = stagesOf(rig.serve, mac);
    expect(stages[0]).toBe('dhcp');
    expect(stages).toEqual(expect.arrayContaining(['loader', 'kernel', 'initrd']));
    const last = rig.serve.events
      .filter((e) => e.type === 'client' && (e.client as { mac: string }).mac === mac)
      .at(-1)!.client as { firmware: string; arch: number };
    expect(last, 'still the UEFI PC after it chained into ipxe.efi').toMatchObject({ firmware: 'uefi', arch: 7 });
    const tftp = rig.serve.events.filter(
      (e) =>
        e.type === 'transfer' &&
        (e.transfer as { protocol: string; outcome: string }).protocol === 'tftp' &&
        (e.transfer as { outcome: string }).outcome === 'done',
    );
    expect(
      tftp.map((e) => (e.transfer as { file: string }).file).join(' '),
      'the firmware loaded an EFI loader over TFTP',
    ).toMatch(/\.efi\b/);
    expect(await rig.serve.stop()).toBe(0);
  });
});
