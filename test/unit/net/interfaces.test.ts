import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listInterfaces } from '../../../main/net';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-sysfs-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function link(
  name: string,
  o: { oper?: string; flags?: string; type?: string; mtu?: number; wireless?: boolean; virtual?: boolean },
): void {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'operstate'), `${o.oper ?? 'up'}\n`);
  fs.writeFileSync(path.join(dir, 'flags'), `${o.flags ?? '0x1003'}\n`);
  fs.writeFileSync(path.join(dir, 'type'), `${o.type ?? '1'}\n`);
  fs.writeFileSync(path.join(dir, 'mtu'), `${o.mtu ?? 1500}\n`);
  if (o.wireless) fs.mkdirSync(path.join(dir, 'wireless'));
  if (o.virtual) fs.mkdirSync(path.join(dir, 'virtual')); // stands in for a /sys/devices/virtual target
}

function addr(address: string, prefix: number, mac: string, internal = false): os.NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac, internal, cidr: `${address}/${prefix}` };
}

describe('interface listing', async () => {
  link('lo', { type: '772', oper: 'unknown', mtu: 65536 });
  link('docker0', { virtual: true });
  link('wlp2s0', { wireless: true });
  link('enp3s0', { mtu: 9000 });
  link('enp4s0', { oper: 'down' });

  it('classifies links from sysfs and recommends the connected wired one', async () => {
    const list = await listInterfaces({
      sysfsNet: root,
      platform: 'linux',
      addresses: {
        lo: [addr('127.0.0.1', 8, '00:00:00:00:00:00', true)],
        docker0: [addr('172.17.0.1', 16, '02:42:00:00:00:01')],
        wlp2s0: [
          addr('192.168.1.20', 24, 'AA:BB:CC:00:00:01'),
          {
            address: 'fe80::1',
            netmask: 'ffff:ffff:ffff:ffff::',
            family: 'IPv6',
            mac: 'aa:bb:cc:00:00:01',
            internal: false,
            cidr: 'fe80::1/64',
            scopeid: 2,
          },
        ],
        enp3s0: [addr('169.254.10.1', 16, 'aa:bb:cc:00:00:02'), addr('10.9.0.1', 24, 'aa:bb:cc:00:00:02')],
        enp4s0: [addr('10.8.0.1', 24, 'aa:bb:cc:00:00:03')],
      },
    });
    const by = Object.fromEntries(list.map((i) => [i.name, i]));
    expect(by.lo!.kind).toBe('loopback');
    expect(by.docker0!.kind).toBe('virtual');
    expect(by.wlp2s0).toMatchObject({ kind: 'wireless', mac: 'aa:bb:cc:00:00:01', prefix: 24 });
    expect(by.enp3s0).toMatchObject({ kind: 'wired', address: '10.9.0.1', mtu: 9000, up: true, recommended: true });
    expect(by.enp4s0).toMatchObject({ up: false, recommended: false });
    expect(list.filter((i) => i.recommended)).toHaveLength(1);
  });

  it('falls back to Wi-Fi, then to virtual links, never to loopback', async () => {
    const wifiOnly = await listInterfaces({
      sysfsNet: root,
      addresses: {
        lo: [addr('127.0.0.1', 8, '00:00:00:00:00:00', true)],
        docker0: [addr('172.17.0.1', 16, '02:42:00:00:00:01')],
        wlp2s0: [addr('192.168.1.20', 24, 'aa:bb:cc:00:00:01')],
      },
    });
    expect(wifiOnly.find((i) => i.recommended)!.name).toBe('wlp2s0');
    expect(
      (
        await listInterfaces({ sysfsNet: root, addresses: { lo: [addr('127.0.0.1', 8, '00:00:00:00:00:00', true)] } })
      ).some((i) => i.recommended),
    ).toBe(false);
  });

  it('guesses kinds by name where there is no sysfs (macOS)', async () => {
    const list = await listInterfaces({
      platform: 'darwin',
      addresses: {
        en0: [addr('192.168.1.5', 24, 'aa:bb:cc:00:00:09')],
        utun3: [addr('10.7.0.2', 24, '00:00:00:00:00:00')],
      },
    });
    expect(list.map((i) => [i.name, i.kind, i.recommended])).toEqual([
      ['en0', 'wired', true],
      ['utun3', 'virtual', false],
    ]);
  });

  it('lists this machine without throwing', async () => {
    expect(Array.isArray(await listInterfaces())).toBe(true);
  });

  // iproute2 stuck (a wedged netlink, a hung NSS lookup): the listing must come back without the
  // carrier-less links, and DHCP/TFTP/HTTP on the same event loop must keep running meanwhile.
  it('does not block on a hanging `ip` and gives up after its time limit', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-fake-ip-'));
    fs.writeFileSync(path.join(bin, 'ip'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const list = await listInterfaces({ platform: 'linux', ipTimeoutMs: 300 });
      clearInterval(timer);
      expect(ticks, 'the event loop ran while `ip` hung').toBeGreaterThan(0);
      const names = Object.keys(os.networkInterfaces());
      expect(list.map((i) => i.name).sort()).toEqual(
        names.filter((n) => (os.networkInterfaces()[n] ?? []).some((a) => a.family === 'IPv4')).sort(),
      );
    } finally {
      process.env.PATH = savedPath;
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
