import { describe, expect, it } from 'vitest';
import type { BootPolicy, ClientFacts } from '../../../main/boot/policy';
import { decode } from '../../../main/dhcp/codec';
import { LeasePool } from '../../../main/dhcp/lease-pool';
import { Responder } from '../../../main/dhcp/responder';
import { warmResponder } from '../../../main/dhcp/warm-up';
import { clientBytes, staticPolicy } from '../../helpers/dhcp/packets';

const SERVER = '10.60.0.1';

/** staticPolicy, recording what it was asked. */
function recording(): { policy: BootPolicy; asked: ClientFacts[] } {
  const asked: ClientFacts[] = [];
  return { asked, policy: { decide: (f, ip) => (asked.push(f), staticPolicy.decide(f, ip)) } };
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

  it('leaves the live server alone: its lease pool still offers the first address, nothing remembered', () => {
    const pool = new LeasePool({ subnet: { address: SERVER, prefix: 24 }, size: 4 });
    const live = new Responder({ serverIp: SERVER, prefix: 24, policy: staticPolicy, pool });
    live.mode = 'dhcp';
    warmResponder({ serverIp: SERVER, prefix: 24, policy: staticPolicy, ownDhcp: true });
    for (const ip of pool.addresses) expect(pool.macForIp(ip)).toBeNull();
    const out = live.handle(
      clientBytes('bios', { mac: '52:54:00:60:00:01' }),
      { address: '0.0.0.0', port: 68 },
      'dhcp',
    );
    expect(out.replies).toHaveLength(1);
    expect(decode(out.replies[0]!.data).yiaddr).toBe(pool.addresses[0]);
    expect(out.events.map((e) => e.mac)).toEqual(['52:54:00:60:00:01']);
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
      warmResponder({ serverIp: '10.60.0.255', prefix: 32, policy: staticPolicy, ownDhcp: true, rounds: 1 }),
    ).not.toThrow();
    expect(() => warmResponder({ serverIp: 'not-an-ip', prefix: 24, policy: staticPolicy, rounds: 1 })).not.toThrow();
  });
});
