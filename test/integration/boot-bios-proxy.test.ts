import { afterAll, describe, expect, it } from 'vitest';
import { bootRig, Guest, randomMac, ServeProcess, stagesOf, type BootRig } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// A BIOS PC whose NIC ROM is iPXE (QEMU's e1000 ROM), on a LAN with a home router handing out
// addresses: Bootdrop answers as proxyDHCP, iPXE fetches boot.ipxe over HTTP, then the casper kernel,
// initrd, and (casper url=) the whole ISO.
describe('BIOS (iPXE ROM) network boot, proxy mode', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('boots a casper ISO to its marker and the guest fetches the ISO over HTTP', async () => {
    const fx = await buildFixture('casper');
    rig = await bootRig('bpx', '10.213.51', { router: true });
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
    const state = await rig.serve.ready();
    expect(state).toMatchObject({ address: '10.213.51.2', effectiveMode: 'proxy' });

    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'bios', tap: await rig.lan.addTap(), mac, memMiB: 1536 });
    await rig.guest.waitFor(markerOf(fx.token), 240_000);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1], 'the ISO the guest downloaded (casper url=)').toBe(fx.rootSha256);

    await rig.serve.waitEvent(
      (e) =>
        e.type === 'client' &&
        (e.client as { mac: string; stage: string }).mac === mac &&
        (e.client as { stage: string }).stage === 'done',
      30_000,
      'client done',
    );
    const stages = stagesOf(rig.serve, mac);
    expect(stages[0]).toBe('dhcp');
    expect(stages).toEqual(expect.arrayContaining(['menu', 'kernel', 'initrd', 'done']));
    const entryId = (
      rig.serve.events.find((e) => e.type === 'sources')!.sources as Array<{ entries: Array<{ id: string }> }>
    )[0]!.entries[0]!.id;
    const last = rig.serve.events
      .filter((e) => e.type === 'client' && (e.client as { mac: string }).mac === mac)
      .at(-1)!.client as { firmware: string; entryId: string };
    expect(last).toMatchObject({ firmware: 'ipxe', entryId });
    expect(await rig.serve.stop()).toBe(0);
  });
});
