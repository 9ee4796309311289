import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { bootRig, Guest, randomMac, ServeProcess, stagesOf, type BootRig } from '../helpers/qemu';
import { buildFixture } from '../helpers/testiso';

// A bare cable in own-DHCP mode: iPXE's IPv6 autoconfiguration sends a router solicitation and, with no
// router on the link, keeps soliciting for ~15 s before it gives up and boots. Bootdrop's router
// advertisement ends that: tcpdump on the server's side of the cable shows every solicitation from the
// PC answered by an advertisement within iPXE's first retries — so iPXE stops soliciting — and the
// boot reaches Bootdrop's menu.
describe('bare cable, own DHCP: iPXE gets its IPv6 answer at once', () => {
  let rig: BootRig | undefined;
  let dump: ChildProcess | undefined;
  afterEach(async () => {
    dump?.kill('SIGTERM');
    await rig?.cleanup();
    rig = undefined;
  });

  it('BIOS (iPXE ROM): its router solicitations are answered within its first retries, and the menu is fetched', async () => {
    const fx = await buildFixture('casper');
    rig = await bootRig('cra', '10.213.73', { router: false });
    let lines = '';
    dump = rig.server.spawn(['tcpdump', '-i', 'eth0', '-n', '-l', '-e', '-tt', 'icmp6']);
    dump.stdout?.on('data', (c: Buffer) => (lines += c.toString()));
    rig.serve = ServeProcess.start(rig.server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'dhcp', '--timeout', '1']);
    await rig.serve.ready();

    const mac = randomMac();
    rig.guest = await Guest.start({ firmware: 'bios', tap: await rig.lan.addTap(), mac, memMiB: 1024 });
    await rig.serve.waitEvent(
      (e) =>
        e.type === 'client' &&
        (e.client as { mac: string; stage: string }).mac === mac &&
        (e.client as { stage: string }).stage === 'menu',
      240_000,
      'the PC to fetch the menu',
    );
    expect(stagesOf(rig.serve, mac)[0]).toBe('dhcp');

    // The PC's solicitations and the server's advertisements, in the order the wire saw them.
    const seq = lines
      .split('\n')
      .map((l) => l.replace(/^\S+ /, '')) // -tt: seconds since 1970, for the failure message
      .map((l) => {
        if (l.startsWith(`${mac} > `) && l.includes('router solicitation')) return 'RS';
        if (l.startsWith(`${rig!.server.mac} > 33:33:00:00:00:01`) && l.includes('router advertisement')) return 'RA';
        return null;
      })
      .filter((x) => x !== null);
    const shown = `${seq.join(' ')}\n${lines.slice(-4000)}`;
    expect(seq, shown).toContain('RS');
    // Unanswered, iPXE solicits again after 0.25, 0.5, 1, 2, 4 s (six in a row before it gives up);
    // answered, it stops. Two in a row are allowed: the answer may miss the 0.25 s retry on a busy box.
    const runs = seq
      .join(' ')
      .split('RA')
      .map((r) => r.trim().split(' ').filter(Boolean).length);
    expect(Math.max(...runs), `solicitations in a row without an answer: ${shown}`).toBeLessThanOrEqual(2);
    expect(seq.at(-1), shown).toBe('RA');
    expect(await rig.serve.stop()).toBe(0);
  });
});
