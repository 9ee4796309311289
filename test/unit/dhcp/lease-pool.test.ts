import { describe, expect, it } from 'vitest';
import { LeasePool, poolAddresses } from '../../../main/dhcp/lease-pool';

describe('lease pool', () => {
  it('avoids the server, network and broadcast addresses, wrapping around', () => {
    expect(poolAddresses({ address: '10.0.0.253', prefix: 24 }, 4)).toEqual([
      '10.0.0.254',
      '10.0.0.1',
      '10.0.0.2',
      '10.0.0.3',
    ]);
    expect(poolAddresses({ address: '192.168.7.1', prefix: 30 }, 10)).toEqual(['192.168.7.2']);
    expect(poolAddresses({ address: '192.168.7.1', prefix: 31 }, 10)).toEqual([]);
    expect(() => new LeasePool({ subnet: { address: '10.0.0.1', prefix: 32 } })).toThrow(/no room/);
  });

  it('offers, commits, releases and keeps a client on its address', () => {
    let now = 0;
    const pool = new LeasePool({ subnet: { address: '10.0.0.1', prefix: 24 }, size: 3, leaseSec: 100, now: () => now });
    expect(pool.offer('aa', null)).toBe('10.0.0.2');
    expect(pool.offer('bb', '10.0.0.2')).toBe('10.0.0.3'); // held for aa
    expect(pool.offer('aa', null)).toBe('10.0.0.2');
    expect(pool.commit('bb', '10.0.0.2')).toBe(false);
    expect(pool.commit('aa', '10.0.0.2')).toBe(true);
    expect(pool.macForIp('10.0.0.2')).toBe('aa');
    expect(pool.commit('aa', '10.0.0.99')).toBe(false); // not in the pool
    expect(pool.release('bb', '10.0.0.2')).toBe(false);
    expect(pool.release('aa', '10.0.0.2')).toBe(true);
    expect(pool.macForIp('10.0.0.2')).toBeNull();
    now = 50_000;
    expect(pool.offer('cc', null)).toBe('10.0.0.2');
    expect(pool.commit('cc', '10.0.0.2')).toBe(true);
    now = 200_000; // lease and offers expired
    expect(pool.leases()).toEqual([]);
  });

  it('is bounded and parks declined addresses', () => {
    const pool = new LeasePool({ subnet: { address: '10.0.0.1', prefix: 24 }, size: 2 });
    expect(pool.offer('a', null)).toBe('10.0.0.2');
    expect(pool.offer('c', null)).toBe('10.0.0.3');
    expect(pool.decline('c', '10.0.0.3')).toBe(true);
    pool.forgetOffer('c');
    expect(pool.offer('b', null)).toBeNull();
    pool.forgetOffer('a');
    expect(pool.offer('b', null)).toBe('10.0.0.2');
  });

  it('binds only what was offered to or held by the client: 80 unsolicited REQUESTs leave the pool free', () => {
    const pool = new LeasePool({ subnet: { address: '10.0.0.1', prefix: 24 }, size: 64 });
    for (let i = 0; i < 80; i++) {
      const ip = pool.addresses[i % 64]!;
      expect(pool.commit(`02:00:00:00:01:${i.toString(16).padStart(2, '0')}`, ip)).toBe(false);
    }
    expect(pool.leases()).toEqual([]);
    expect(pool.freeCount()).toBe(64);
    // A real client still gets its address afterwards.
    const ip = pool.offer('aa', null)!;
    expect(pool.commit('aa', ip)).toBe(true);
    expect(pool.freeCount()).toBe(63);
  });

  it('takes a DECLINE only from the client holding the address', () => {
    const pool = new LeasePool({ subnet: { address: '10.0.0.1', prefix: 24 }, size: 4 });
    const ip = pool.offer('aa', null)!;
    expect(pool.commit('aa', ip)).toBe(true);
    expect(pool.decline('evil', ip)).toBe(false);
    expect(pool.macForIp(ip)).toBe('aa');
    for (const free of pool.addresses.slice(1)) expect(pool.decline('evil', free)).toBe(false); // parks nothing
    expect(pool.freeCount()).toBe(3);
    expect(pool.decline('aa', ip)).toBe(true);
    expect(pool.macForIp(ip)).toBeNull();
    expect(pool.decline('aa', ip)).toBe(false); // already parked
  });
});
