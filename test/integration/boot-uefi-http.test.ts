/**
 * UEFI HTTP Boot (DHCP architecture 16, vendor class HTTPClient) to the kernel (issue 14). OVMF with its
 * PXE client switched off asks for an HTTPClient offer beside a home router; Bootdrop's proxy offer names
 * http://<server>/loaders/snponly.efi, EDK2 HttpBootDxe downloads and starts it, and iPXE — on the
 * firmware's own network driver (SNP), found through the HTTP Boot device path — fetches the PC's menu
 * and boots a casper ISO. (The offer exchange alone, after a failed PXE attempt: dhcp-firmware.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bootRig, Guest, randomMac, ServeProcess, stagesOf, type BootRig, bootServeArgs } from '../helpers/qemu';
import { buildFixture, markerOf } from '../helpers/testiso';

type Transfer = { protocol: string; file: string; outcome: string; clientIp: string };

describe('UEFI HTTP Boot (OVMF, arch 16), proxy mode', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it("boots a casper ISO through snponly.efi over HTTP, iPXE on the firmware's network driver", async () => {
    const fx = await buildFixture('casper');
    rig = await bootRig('uhb', '10.213.64', { router: true, ipv6Ra: true });
    rig.serve = ServeProcess.start(rig.server.ns, bootServeArgs([fx.iso], 'proxy'));
    await rig.serve.ready();

    const mac = randomMac();
    rig.guest = await Guest.start({
      firmware: 'uefi',
      tap: await rig.lan.addTap(),
      mac,
      memMiB: 1536,
      httpBootOnly: true,
    });
    // EDK2 HttpBootDxe prints the URI it took from the HTTPClient offer before it downloads it.
    await rig.guest.waitFor(
      />>Start HTTP Boot over IPv4[\s\S]*URI: http:\/\/10\.213\.64\.2\/loaders\/snponly\.efi/,
      240_000,
    );
    await rig.guest.waitFor(markerOf(fx.token), 240_000);

    const mine = rig.serve.events
      .filter((e) => e.type === 'client' && (e.client as { mac: string }).mac === mac)
      .map(
        (e) =>
          e.client as {
            firmware: string;
            arch: number | null;
            chain?: string | null;
            notice?: string | null;
            pc?: { nic: string | null } | null;
          },
      );
    expect(mine[0], 'the firmware asked as UEFI HTTP Boot').toMatchObject({ firmware: 'uefi-http', arch: 16 });
    // iPXE said which network driver it runs on when it asked for this PC's menu (the PCs panel's row)
    expect(mine.at(-1)!.pc, "the PC's facts from its menu request").toMatchObject({ nic: 'SNP', platform: 'efi' });
    expect(mine.at(-1), 'the PCs panel: the iPXE chain, and no Secure Boot notice').toMatchObject({ chain: 'iPXE' });
    expect(mine.at(-1)!.notice ?? null).toBeNull();
    const logs = rig.serve.events.filter((e) => e.type === 'log').map((e) => (e.entry as { message: string }).message);
    expect(logs.join('\n')).toMatch(/iPXE on the firmware's network driver \(SNP\)/);

    const done = rig.serve.events
      .filter((e) => e.type === 'transfer' && (e.transfer as Transfer).outcome === 'done')
      .map((e) => e.transfer as Transfer);
    expect(
      done.filter((t) => t.protocol === 'http' && t.file === '/loaders/snponly.efi'),
      'the firmware downloaded snponly.efi over HTTP',
    ).toHaveLength(1);
    expect(
      done.filter((t) => t.protocol === 'tftp'),
      'nothing over TFTP: the PC has no PXE client',
    ).toEqual([]);
    expect(stagesOf(rig.serve, mac)).toEqual(expect.arrayContaining(['dhcp', 'loader', 'menu', 'kernel', 'initrd']));
    expect(await rig.serve.stop()).toBe(0);
  });
});
