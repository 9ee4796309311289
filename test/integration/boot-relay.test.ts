import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { rewriteGuestDhcp, type DhcpRewrite } from '../helpers/dhcp-rewrite';
import { requirePeers } from '../helpers/dhcp/harness';
import { Guest, randomMac, ServeProcess, stagesOf, bootServeArgs } from '../helpers/qemu';
import { BOOTDROP, CAMPUS_DHCP, campus, CLIENT_NET, RELAY, requireRelay, type Campus } from '../helpers/relay';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// A campus PC on another subnet than Bootdrop: its BIOS PXE ROM's broadcasts reach the campus DHCP
// server and Bootdrop only through the router's DHCP relay (ISC dhcrelay, test/helpers/relay.ts).
// Bootdrop's proxy offer goes back through the relay; undionly.kpxe comes over TFTP and iPXE's 4011
// request, the menu, kernel, initrd and ISO over HTTP, all routed. As in boot-bios-proxy.test.ts the
// BIOS ROM's iPXE identification is stripped until it asks for its loader, so it takes a plain PXE
// ROM's path.
describe('network boot through a DHCP relay (proxy mode, PC on another subnet)', () => {
  let net: Campus | undefined;
  let serve: ServeProcess | undefined;
  let guest: Guest | undefined;
  let rom: DhcpRewrite | undefined;
  let procs: ChildProcess[] = [];
  afterEach(async () => {
    await guest?.kill();
    await rom?.stop();
    if (serve && !serve.exited) await serve.stop();
    for (const p of procs) p.kill('SIGKILL');
    await net?.destroy();
    guest = rom = serve = net = undefined;
    procs = [];
  });

  /** The campus network, its DHCP server, the relay to it and Bootdrop, and `bootdrop serve` in proxy mode. */
  async function start(iso: string, tag: string): Promise<{ net: Campus; serve: ServeProcess }> {
    requirePeers();
    requireRelay();
    net = await campus(tag);
    procs.push(await net.startCampusDhcp());
    procs.push(await net.startRelay([CAMPUS_DHCP, BOOTDROP]));
    procs.push(await net.startRouterAdverts());
    serve = ServeProcess.start(net.bootdrop.ns, bootServeArgs([iso], 'proxy'));
    expect(await serve.ready()).toMatchObject({ address: BOOTDROP, effectiveMode: 'proxy' });
    return { net, serve };
  }

  function doneTransfers(s: ServeProcess) {
    return s.events
      .filter((e) => e.type === 'transfer')
      .map(
        (e) => e.transfer as { protocol: string; outcome: string; file: string; clientIp: string; mac: string | null },
      )
      .filter((t) => t.outcome === 'done');
  }

  function throughRelayLogged(s: ServeProcess): boolean {
    return s.events.some(
      (e) => e.type === 'log' && (e.entry as { message: string }).message.includes(`through relay ${RELAY}`),
    );
  }

  const ROUTED = new RegExp(`^${CLIENT_NET.replace(/\./g, '\\.')}\\.`);

  it('BIOS: a PXE ROM chains undionly.kpxe over TFTP into the menu and boots a casper ISO to its marker', async () => {
    const fx = await buildFixture('casper');
    const { net, serve } = await start(fx.iso, 'brl');
    const mac = randomMac();
    const tap = await net.clients.addTap();
    rom = await rewriteGuestDhcp(tap, 'plain-pxe');
    guest = await Guest.start({ firmware: 'bios', tap, mac, memMiB: 1536 });
    try {
      await guest.waitFor(markerOf(fx.token), 240_000);
      const m = await guest.waitFor(rootMarkerOf(fx.token), 120_000);
      expect(m[1], 'the ISO the guest downloaded (casper url=)').toBe(fx.rootSha256);
    } catch (err) {
      throw new Error(`${String(err)}\nrelay:\n${net.relayLog().slice(-3000)}\n${serve.describe()}`);
    }
    expect(rom.log, 'rewriting ended at the loader request').toContain('pass tftp read request: rewriting ends');

    // Bootdrop saw the PC only through the relay, and put the routed transfers down to it.
    expect(throughRelayLogged(serve), serve.describe()).toBe(true);
    const transfers = doneTransfers(serve);
    const loader = transfers.find((t) => t.protocol === 'tftp' && t.file === '/loaders/undionly.kpxe');
    expect(loader?.clientIp, JSON.stringify(transfers)).toMatch(ROUTED);
    expect(transfers.some((t) => t.protocol === 'http' && t.mac === mac)).toBe(true);

    await serve.waitEvent(
      (e) =>
        e.type === 'client' &&
        (e.client as { mac: string; stage: string }).mac === mac &&
        (e.client as { stage: string }).stage === 'done',
      30_000,
      'client done',
    );
    const stages = stagesOf(serve, mac);
    expect(stages[0]).toBe('dhcp');
    expect(stages).toEqual(expect.arrayContaining(['loader', 'menu', 'kernel', 'initrd', 'done']));
    expect(await serve.stop()).toBe(0);
  });

  // OVMF's own EDK2 PXE client takes the relayed proxy offer, loads snponly.efi (iPXE on the firmware's
  // own NIC driver) over routed TFTP, and iPXE asks again through the relay and fetches the menu and kernel over routed HTTP.
  it('UEFI: OVMF loads snponly.efi over TFTP through the relay and boots a casper ISO to its marker', async () => {
    const fx = await buildFixture('casper');
    const { net, serve } = await start(fx.iso, 'url');
    const mac = randomMac();
    guest = await Guest.start({ firmware: 'uefi', tap: await net.clients.addTap(), mac, memMiB: 1536 });
    try {
      await guest.waitFor(markerOf(fx.token), 240_000);
    } catch (err) {
      throw new Error(`${String(err)}\nrelay:\n${net.relayLog().slice(-3000)}\n${serve.describe()}`);
    }
    expect(throughRelayLogged(serve), serve.describe()).toBe(true);
    const transfers = doneTransfers(serve);
    const loader = transfers.find((t) => t.protocol === 'tftp' && t.file === '/loaders/snponly.efi');
    expect(loader?.clientIp, JSON.stringify(transfers)).toMatch(ROUTED);
    const stages = stagesOf(serve, mac);
    expect(stages[0]).toBe('dhcp');
    expect(stages).toEqual(expect.arrayContaining(['loader', 'menu', 'kernel', 'initrd']));
    expect(await serve.stop()).toBe(0);
  });
});
