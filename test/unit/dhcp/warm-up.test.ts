import { describe, expect, it } from 'vitest';
import type { BootPolicy, ClientFacts } from '../../../main/boot/policy';
import { decode } from '../../../main/dhcp/codec';
import { LeasePool } from '../../../main/dhcp/lease-pool';
import { Responder } from '../../../main/dhcp/responder';
import { warmResponder } from '../../../main/dhcp/warm-up';
import { clientBytes, productPolicy } from '../../helpers/dhcp/packets';

const SERVER = '10.60.0.1';

/** productPolicy, recording what it was asked. */
function recording(): { policy: BootPolicy; asked: ClientFacts[] } {
  const asked: ClientFacts[] = [];
  return { asked, policy: { decide: (f, ip) => (asked.push(f), productPolicy.decide(f, ip)) } };
}

describe('DHCP warm-up', () => {
  it('runs the whole per-packet path: BIOS, UEFI, iPXE and HTTP Boot on 67, the 4011 exchange, own-DHCP offers', () => {
    const { policy, asked } = recording();
    warmResponder({ serverIp: SERVER, prefix: 24, policy, ownDhcp: true, rounds: 2 });
    expect(new Set(asked.map((f) => f.arch))).toEqual(new Set(['bios', 'efi-x64', 'efi-x64-http']));
    expect(asked.some((f) => f.isIpxe)).toBe(true);
    expect(asked.some((f) => f.ip === '10.60.0.2')).toBe(true); // 4011, from a neighbour on the subnet
    expect(asked.some((f) => f.ip !== null && f.ip !== '10.60.0.2')).toBe(true); // own DHCP, from its pool
    // Synthetic, locally administered MACs only.
    for (const f of asked) expect(f.mac).toMatch(/^02:b0:07:/);
    expect(asked.length).toBe(2 * 12);
  });

  it('leaves a live server alone: the same replies before and after warm-ups, its pool and caches untouched', () => {
    const pool = new LeasePool({ subnet: { address: SERVER, prefix: 24 }, size: 4 });
    const live = new Responder({ serverIp: SERVER, prefix: 24, policy: productPolicy, pool });
    live.mode = 'dhcp';
    const ask = (mac: string) => {
      const out = live.handle(clientBytes('bios', { mac }), { address: '0.0.0.0', port: 68 }, 'dhcp');
      expect(out.replies).toHaveLength(1);
      expect(out.events.map((e) => e.mac)).toEqual([mac]);
      return decode(out.replies[0]!.data);
    };
    const before = ask('52:54:00:60:00:01');
    expect(before.yiaddr).toBe(pool.addresses[0]);
    // Warm-ups run while the live server serves: one for another interface's address (module-level
    // caches, like the server-id option, must not leak into live replies) and one for the same subnet.
    warmResponder({ serverIp: '10.61.0.1', prefix: 24, policy: productPolicy, ownDhcp: true });
    warmResponder({ serverIp: SERVER, prefix: 24, policy: productPolicy, ownDhcp: true });
    const after = ask('52:54:00:60:00:02');
    expect(after.yiaddr, 'the next free address of the live pool').toBe(pool.addresses[1]);
    const serverId = (p: typeof before) => p.options.find((o) => o.code === 54)?.data.toString('hex');
    expect(serverId(after)).toBe(serverId(before));
    expect(after.siaddr).toBe(SERVER);
    expect({ ...after, xid: 0, chaddr: null, yiaddr: null }).toEqual({ ...before, xid: 0, chaddr: null, yiaddr: null });
    // Only the two live clients hold addresses; the warm-ups' synthetic clients are nowhere.
    expect(pool.addresses.map((ip) => pool.macForIp(ip))).toEqual([
      '52:54:00:60:00:01',
      '52:54:00:60:00:02',
      null,
      null,
    ]);
  });

  it('never throws: a failing policy, a /32 without neighbours, an address that is not one', () => {
    const failing: BootPolicy = {
      decide() {
        throw new Error('policy exploded');
      },
    };
    expect(() =>
      warmResponder({ serverIp: SERVER, prefix: 24, policy: failing, ownDhcp: true, rounds: 1 }),
    ).not.toThrow();
    expect(() =>
      warmResponder({ serverIp: '10.60.0.255', prefix: 32, policy: productPolicy, ownDhcp: true, rounds: 1 }),
    ).not.toThrow();
    expect(() => warmResponder({ serverIp: 'not-an-ip', prefix: 24, policy: productPolicy, rounds: 1 })).not.toThrow();
  });
});
