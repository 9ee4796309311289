import { afterAll, describe, expect, it } from 'vitest';
import { rewriteGuestDhcp, type DhcpRewrite } from '../helpers/dhcp-rewrite';
import { bootRig, Guest, randomMac, ServeProcess, stagesOf, type BootRig, bootServeArgs } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// The README's main path: a BIOS PC whose NIC ROM is a plain (vendor) PXE ROM, on a LAN with a home
// router handing out addresses. Bootdrop answers as proxyDHCP with undionly.kpxe over TFTP; that
// iPXE asks again, gets boot.ipxe over HTTP, then the casper kernel, initrd and (casper url=) the
// whole ISO. QEMU's ROM is iPXE, so rewriteGuestDhcp strips its iPXE identification from what it
// sends until it requests its loader (test/helpers/dhcp-rewrite.ts) — the server is not told anything.
describe('BIOS (plain PXE ROM → undionly.kpxe) network boot, proxy mode', () => {
  let rig: BootRig | undefined;
  let rom: DhcpRewrite | undefined;
  afterAll(async () => {
    await rom?.stop();
    await rig?.cleanup();
  });

  it('chains undionly.kpxe over TFTP into the menu, boots a casper ISO to its marker and fetches the ISO', async () => {
    const fx = await buildFixture('casper');
    rig = await bootRig('bpx', '10.213.51', { router: true, ipv6Ra: true });
    rig.serve = ServeProcess.start(rig.server.ns, bootServeArgs([fx.iso], 'proxy'));
    const state = await rig.serve.ready();
    expect(state).toMatchObject({ address: '10.213.51.2', effectiveMode: 'proxy' });

    const mac = randomMac();
    const tap = await rig.lan.addTap();
    rom = await rewriteGuestDhcp(tap, 'plain-pxe');
    rig.guest = await Guest.start({ firmware: 'bios', tap, mac, memMiB: 1536 });
    await rig.guest.waitFor(markerOf(fx.token), 240_000);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1], 'the ISO the guest downloaded (casper url=)').toBe(fx.rootSha256);

    // The ROM's requests went out without iPXE's identification, and it then read undionly.kpxe.
    expect(
      rom.log.some((l) => l.startsWith(`rewrote ${mac} type 1 `) && l.includes('77, 175')),
      rom.log.join('\n'),
    ).toBe(true);
    expect(rom.log, 'rewriting ended at the loader request').toContain('pass tftp read request: rewriting ends');
    const tftpDone = rig.serve.events
      .filter(
        (e) =>
          e.type === 'transfer' &&
          (e.transfer as { protocol: string; outcome: string }).protocol === 'tftp' &&
          (e.transfer as { outcome: string }).outcome === 'done',
      )
      .map((e) => (e.transfer as { file: string }).file);
    expect(tftpDone).toContain('/loaders/undionly.kpxe');

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
    expect(stages).toEqual(expect.arrayContaining(['loader', 'menu', 'kernel', 'initrd', 'done']));
    // undionly.kpxe (iPXE, identified this time) asked again and fetched the menu script over HTTP.
    expect(stages.indexOf('loader'), stages.join(' ')).toBeLessThan(stages.indexOf('menu'));
    const entryId = (
      rig.serve.events.find((e) => e.type === 'sources')!.sources as Array<{ entries: Array<{ id: string }> }>
    )[0]!.entries[0]!.id;
    const last = rig.serve.events
      .filter((e) => e.type === 'client' && (e.client as { mac: string }).mac === mac)
      .at(-1)!.client as { firmware: string; entryId: string };
    expect(last, 'still the BIOS PC after it chained into undionly.kpxe').toMatchObject({ firmware: 'bios', entryId });
    expect(await rig.serve.stop()).toBe(0);
  });
});
