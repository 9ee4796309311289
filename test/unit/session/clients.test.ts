import { describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../../main/contract';
import { ClientTable } from '../../../main/session/clients';

const MAC = '52:54:00:12:34:56';
function transfer(
  id: string,
  file: string,
  outcome: TransferProgress['outcome'],
  mac: string | null = null,
): TransferProgress {
  return {
    id,
    protocol: 'http',
    clientIp: '10.0.0.100',
    mac,
    file,
    bytes: 10,
    total: 10,
    rate: 1,
    startedAt: 0,
    endedAt: null,
    outcome,
    error: null,
  };
}

describe('ClientTable', () => {
  it('follows one boot from DHCP to the root image', () => {
    const t = new ClientTable();
    expect(t.sawDhcp({ mac: MAC.toUpperCase(), ip: null, firmware: 'bios', arch: 0 }, 1)!.stage).toBe('dhcp');
    t.sawDhcp({ mac: MAC, ip: '10.0.0.100', firmware: 'ipxe', arch: 0 }, 2); // our undionly.kpxe asking
    const steps = [
      transfer('t1', '/undionly.kpxe', 'done'),
      transfer('h1', '/boot.ipxe', 'done'),
      transfer('h2', '/iso/u/casper/vmlinuz', 'active'),
      transfer('h2', '/iso/u/casper/vmlinuz', 'done'),
      transfer('h3', '/iso/u/casper/initrd', 'done'),
      transfer('h4', '/iso/u.iso', 'done'),
    ];
    const entries = new Map([['/iso/u/casper/vmlinuz', 'u:live']]);
    const stages = steps.map((s, i) => t.sawTransfer(s, new Map(), 3 + i, entries)!.stage);
    expect(stages).toEqual(['loader', 'menu', 'kernel', 'kernel', 'initrd', 'done']);
    const c = t.get(MAC)!;
    expect(c).toMatchObject({ mac: MAC, ip: '10.0.0.100', firmware: 'bios', arch: 0, entryId: 'u:live', firstSeen: 1 });
    expect(c.transfers.map((x) => x.id)).toEqual(['t1', 'h1', 'h2', 'h3', 'h4']);
  });

  it('does not list machines that are not network-booting, but remembers their address', () => {
    const t = new ClientTable();
    expect(t.sawDhcp({ mac: MAC, ip: '10.0.0.7', firmware: 'unknown', arch: null }, 1)).toBeNull();
    expect(t.list()).toEqual([]);
    expect(t.macForIp('10.0.0.7')).toBe(MAC);
  });

  it('does not attribute transfers from unknown addresses, and finds MACs by IP', () => {
    const t = new ClientTable();
    expect(t.sawTransfer(transfer('x', '/boot.ipxe', 'done'), new Map(), 1)).toBeNull();
    t.sawDhcp({ mac: MAC, ip: '10.0.0.100', firmware: 'uefi', arch: 7 }, 2);
    expect(t.macForIp('10.0.0.100')).toBe(MAC);
    expect(t.sawTransfer(transfer('x', '/boot.ipxe', 'done'), new Map(), 3)?.mac).toBe(MAC);
  });

  it('keeps firmware once known and restarts after a finished boot', () => {
    const t = new ClientTable();
    t.sawDhcp({ mac: MAC, ip: '10.0.0.100', firmware: 'uefi', arch: 7 }, 1);
    t.sawTransfer(transfer('r', '/iso/a/live/filesystem.squashfs', 'done'), new Map(), 2);
    const again = t.sawDhcp({ mac: MAC, ip: '10.0.0.100', firmware: 'unknown', arch: null }, 3);
    expect(again).toMatchObject({ stage: 'dhcp', firmware: 'uefi', arch: 7, transfers: [] });
  });

  it('bounds the transfers it keeps per client', () => {
    const t = new ClientTable();
    t.sawDhcp({ mac: MAC, ip: '10.0.0.100', firmware: 'bios', arch: 0 }, 1);
    for (let i = 0; i < 50; i++) t.sawTransfer(transfer(`t${i}`, '/x.c32', 'done'), new Map(), 2);
    expect(t.get(MAC)!.transfers.length).toBe(20);
    expect(t.get(MAC)!.transfers.at(-1)!.id).toBe('t49');
  });
  it('keeps at most 500 clients, forgetting the least recently seen (not the first seen), and lists by first sighting', () => {
    const t = new ClientTable();
    const mac = (i: number) =>
      `52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    for (let i = 0; i < 500; i++)
      t.sawDhcp({ mac: mac(i), ip: `10.1.${i >> 8}.${i & 255}`, firmware: 'bios', arch: 0 }, i);
    t.sawTransfer(transfer('t0', '/undionly.kpxe', 'active', mac(0)), new Map(), 1000); // client 0 is busy again
    t.sawDhcp({ mac: mac(1), ip: null, firmware: 'bios', arch: 0 }, 1001); // so is client 1
    for (let i = 500; i < 503; i++) t.sawDhcp({ mac: mac(i), ip: null, firmware: 'uefi', arch: 7 }, 2000 + i);
    const list = t.list();
    expect(list).toHaveLength(500);
    // Clients 2, 3 and 4 were the least recently seen.
    for (const gone of [2, 3, 4]) expect(t.get(mac(gone))).toBeUndefined();
    expect(t.macForIp('10.1.0.2')).toBeNull();
    for (const kept of [0, 1, 5, 499, 502]) expect(t.get(mac(kept))).toBeDefined();
    expect(list.slice(0, 3).map((c) => c.mac)).toEqual([mac(0), mac(1), mac(5)]);
    expect(list.at(-1)!.mac).toBe(mac(502));
  });

  it('bounds the addresses it remembers for machines that are not network-booting', () => {
    const t = new ClientTable();
    for (let i = 0; i < 2100; i++)
      t.sawDhcp({ mac: MAC, ip: `10.2.${i >> 8}.${i & 255}`, firmware: 'unknown', arch: null }, i);
    expect(t.macForIp('10.2.0.0')).toBeNull(); // the oldest were forgotten
    expect(t.macForIp('10.2.8.51')).toBe(MAC); // 2099
  });
});
