import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { rewriteGuestDhcp, type DhcpRewrite } from '../helpers/dhcp-rewrite';
import { bootRig, Guest, randomMac, ServeProcess, stagesOf, type BootRig, bootServeArgs } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

function tftpDone(serve: ServeProcess): string[] {
  return serve.events
    .filter(
      (e) =>
        e.type === 'transfer' &&
        (e.transfer as { protocol: string; outcome: string }).protocol === 'tftp' &&
        (e.transfer as { outcome: string }).outcome === 'done',
    )
    .map((e) => (e.transfer as { file: string }).file);
}

function logLines(serve: ServeProcess): string[] {
  return serve.events.filter((e) => e.type === 'log').map((e) => (e.entry as { message: string }).message);
}

describe('UEFI (OVMF PXE) network boot, proxy mode', () => {
  let rig: BootRig | undefined;
  let rewrite: DhcpRewrite | undefined;
  afterEach(async () => {
    await rewrite?.stop();
    rewrite = undefined;
    await rig?.cleanup();
    rig = undefined;
  });
  afterAll(async () => rig?.cleanup());

  // A UEFI PC (OVMF) with its own EDK2 PXE client (the NIC's iPXE ROM is removed with romfile=). The
  // proxy offer's option 43 says "boot this file now" (discovery control bit 3 with a boot file name,
  // PXE 2.1 table 2-1), which EDK2 honours (PxeBcBoot.c, PxeBcSelectBootPrompt): it loads snponly.efi
  // over TFTP straight away, without a 4011 exchange. snponly.efi, on the firmware's own network
  // driver, then loads the menu, the archiso kernel and initrd over HTTP; the guest fetches
  // airootfs.sfs (archiso_http_srv=).
  it('boots an archiso ISO through snponly.efi (the firmware NIC driver) to its marker and the root image', async () => {
    const fx = await buildFixture('arch');
    rig = await bootRig('upx', '10.213.52', { router: true, ipv6Ra: true });
    rig.serve = ServeProcess.start(rig.server.ns, bootServeArgs([fx.iso], 'proxy'));
    await rig.serve.ready();

    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'uefi', tap: await rig.lan.addTap(), mac, memMiB: 1536 });
    await rig.guest.waitFor(markerOf(fx.token), 240_000);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1], 'airootfs.sfs as fetched by the guest').toBe(fx.rootSha256);

    const stages = stagesOf(rig.serve, mac);
    expect(stages[0]).toBe('dhcp');
    expect(stages).toEqual(expect.arrayContaining(['loader', 'kernel', 'initrd']));
    const last = rig.serve.events
      .filter((e) => e.type === 'client' && (e.client as { mac: string }).mac === mac)
      .at(-1)!.client as { firmware: string; arch: number };
    expect(last, 'still the UEFI PC after it chained into snponly.efi').toMatchObject({ firmware: 'uefi', arch: 7 });
    expect(tftpDone(rig.serve), 'the firmware loaded snponly.efi over TFTP').toContain('/loaders/snponly.efi');
    // iPXE said which network driver it runs on when it asked for this PC's menu (issue 14)
    const pc = (last as { pc?: { nic: string | null; platform: string | null } }).pc;
    expect(pc, "the PC's facts from its menu request").toMatchObject({ nic: 'SNP', platform: 'efi' });
    expect(logLines(rig.serve).join('\n')).toMatch(/iPXE on the firmware's network driver \(SNP\)/);
    expect(
      logLines(rig.serve).filter((l) => l.startsWith('PXE ACK (port 4011)')),
      'OVMF booted the offered file without asking on 4011',
    ).toEqual([]);
    expect(await rig.serve.stop()).toBe(0);
  });

  // Firmware that ignores option 43 sees a BINL offer and asks the proxy server again by unicast to
  // port 4011 before loading anything (EDK2 PxeBcDhcp4.c: PxeBcParseDhcp4Packet files a PXEClient
  // offer without discovery options as ProxyBinl; PxeBcHandleDhcp4Offer → PxeBcRetryBinlOffer). The
  // test drops option 43 from the offers OVMF receives, so real EDK2 code does that exchange with
  // Bootdrop, then boots a casper ISO with the boot file from the 4011 ACK.
  it('answers the 4011 request of EDK2 that saw a BINL offer, and the PC boots a casper ISO', async () => {
    const fx = await buildFixture('casper');
    rig = await bootRig('u41', '10.213.62', { router: true, ipv6Ra: true });
    rig.serve = ServeProcess.start(rig.server.ns, bootServeArgs([fx.iso], 'proxy'));
    await rig.serve.ready();

    const mac = randomMac();
    const tap = await rig.lan.addTap();
    rewrite = await rewriteGuestDhcp(tap, 'no-43');
    rig.guest = await Guest.start({ firmware: 'uefi', tap, mac, memMiB: 1536 });
    await rig.guest.waitFor(markerOf(fx.token), 240_000);
    const m = await rig.guest.waitFor(rootMarkerOf(fx.token), 120_000);
    expect(m[1], 'the ISO the guest downloaded (casper url=)').toBe(fx.rootSha256);

    expect(
      rewrite.log.some((l) => / type 2 dport 68 removed \[43\]$/.test(l)),
      `Bootdrop's proxy offer reached OVMF without option 43:\n${rewrite.log.join('\n')}`,
    ).toBe(true);
    const acks = logLines(rig.serve).filter((l) => l.startsWith('PXE ACK (port 4011)'));
    expect(acks.length, logLines(rig.serve).join('\n')).toBeGreaterThan(0);
    expect(acks[0]).toMatch(/\/loaders\/snponly\.efi/);
    expect(tftpDone(rig.serve), 'the firmware loaded snponly.efi over TFTP').toContain('/loaders/snponly.efi');
    const stages = stagesOf(rig.serve, mac);
    expect(stages).toEqual(expect.arrayContaining(['dhcp', 'loader', 'menu', 'kernel', 'initrd']));
    expect(await rig.serve.stop()).toBe(0);
  });
});
