/**
 * Real firmware against the proxy: QEMU's BIOS PXE ROM (iPXE) and OVMF's own EDK2 PXE stack (the
 * virtio NIC's iPXE ROM disabled), beside dnsmasq. The proof is what each firmware says on its own
 * console it got from the offer, and what it asks for next: iPXE fetches the boot script URL by HTTP,
 * EDK2 reads the x64 loader by TFTP. A recorder stands in for the file servers and answers "not
 * found", so nothing boots further (whole boots with the product's files: boot-*.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestLan, waitForOutput, type NetnsHost } from '../helpers/netns';
import { Guest, type GuestOptions } from '../helpers/qemu';
import { requirePeers, startBootdrop, startDnsmasq, type BootdropProcess } from '../helpers/dhcp/harness';

const ROUTER = '10.213.34.1';
const SERVER = '10.213.34.2';
const here = path.dirname(new URL(import.meta.url).pathname);

function requireFirmware(): void {
  for (const f of [
    '/usr/bin/qemu-system-x86_64',
    '/usr/share/OVMF/OVMF_CODE_4M.fd',
    '/usr/lib/ipxe/qemu/efi-virtio.rom',
  ]) {
    if (!fs.existsSync(f))
      throw new Error(`${f} is missing: run scripts/install-deps.sh (qemu-system-x86, ovmf, ipxe-qemu)`);
  }
}

describe('real firmware against the proxy', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let dnsmasq: ChildProcess;
  let bd: BootdropProcess;
  let recorder: ChildProcess;
  let recorded = '';

  beforeAll(async () => {
    requirePeers();
    requireFirmware();
    lan = await TestLan.create('dhcpfw');
    const router = await lan.addHost('router', `${ROUTER}/24`);
    server = await lan.addHost('srv', `${SERVER}/24`);
    dnsmasq = await startDnsmasq(router, '10.213.34.100,10.213.34.150,255.255.255.0,5m');
    bd = await startBootdrop(server, { iface: 'eth0', mode: 'proxy' });
    recorder = server.spawn(['/usr/bin/python3', path.join(here, '../helpers/dhcp/boot_recorder.py'), SERVER]);
    recorder.stdout!.on('data', (c: Buffer) => (recorded += c.toString()));
    await waitForOutput(recorder, /ready/, 10_000);
  });
  afterAll(async () => {
    await bd?.stop();
    dnsmasq?.kill('SIGKILL');
    recorder?.kill('SIGKILL');
    await lan?.destroy();
  });

  /**
   * Boot a guest until the recorder sees `until` and the firmware's own console says `said` (what it
   * made of the offer, in its words); the guest is always killed.
   */
  async function boot(opts: Omit<GuestOptions, 'tap'>, until: RegExp, said: RegExp): Promise<void> {
    const guest = await Guest.start({ ...opts, tap: await lan.addTap() });
    try {
      const deadline = Date.now() + 240_000;
      while (Date.now() < deadline && !until.test(recorded) && !guest.exited)
        await new Promise((r) => setTimeout(r, 250));
      if (!until.test(recorded))
        throw new Error(
          `firmware never asked for ${until}; recorder saw:\n${recorded}\nBootdrop:\n${bd.dump()}\nserial:\n${guest.tail()}`,
        );
      await guest.waitFor(said, 60_000);
    } finally {
      await guest.kill();
    }
  }

  it('QEMU BIOS iPXE ROM: gets the boot script URL and fetches it by HTTP', async () => {
    // iPXE prints each URL it fetches (its screen reaches the serial console through SeaBIOS sercon).
    await boot(
      { firmware: 'bios', mac: '52:54:00:34:00:10' },
      /"http": "GET \/boot\.ipxe/,
      /http:\/\/10\.213\.34\.2\/boot\.ipxe\.\.\./,
    );
    const ev = bd.lines.find((l) => l.type === 'client' && l.mac === '52:54:00:34:00:10');
    expect(ev?.facts).toMatchObject({ isIpxe: true, arch: 'bios' });
    expect(ev?.decision).toEqual({ kind: 'http', url: `http://${SERVER}/boot.ipxe` });
  });

  it('OVMF (EDK2 PXE, arch 7): reads the x64 loader named in the proxy offer by TFTP', async () => {
    // EDK2 prints the boot server and file it took from the offer (PxeBcBoot.c, PxeBcDhcp4BootInfo).
    await boot(
      { firmware: 'uefi', mac: '52:54:00:34:00:20' },
      /"tftp": "\/loaders\/snponly\.efi"/,
      /Server IP address is 10\.213\.34\.2\s+NBP filename is \/loaders\/snponly\.efi/,
    );
    const evs = bd.lines.filter((l) => l.type === 'client' && l.mac === '52:54:00:34:00:20');
    expect(evs.map((e) => e.exchange)).toContain('discover');
    expect(evs[0]!.facts).toMatchObject({ arch: 'efi-x64', archCode: 7, isIpxe: false });
    // EDK2 treats an offer whose option 43 has discovery control as a PXE offer and loads the file
    // it names straight away, without the port 4011 exchange (which it does for offers without 43:
    // real OVMF takes it in boot-uefi-proxy.test.ts, scapy in dhcp-proxy.test.ts).
    expect(evs.map((e) => e.exchange)).not.toContain('pxe-4011');
  });

  it('OVMF HTTP Boot (arch 16): after PXE, fetches the loader URL from the HTTPClient offer', async () => {
    await boot(
      { firmware: 'uefi', mac: '52:54:00:34:00:30' },
      /"http": "GET \/loaders\/snponly\.efi/,
      // EDK2 HttpBootDxe prints the address it got and the URI it took from the HTTPClient offer.
      />>Start HTTP Boot over IPv4[\s\S]*Station IP address is 10\.213\.34\.\d+[\s\S]*URI: http:\/\/10\.213\.34\.2\/loaders\/snponly\.efi/,
    );
    const ev = bd.lines.find(
      (l) => l.type === 'client' && l.mac === '52:54:00:34:00:30' && l.facts.arch === 'efi-x64-http',
    );
    expect(ev?.decision).toEqual({ kind: 'http', url: `http://${SERVER}/loaders/snponly.efi` });
  });
});
