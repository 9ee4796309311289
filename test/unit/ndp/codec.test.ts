import { describe, expect, it } from 'vitest';
import { decodeRouterAdvertisement, encodeBootdropAdvertisement, isRouterSolicitation } from '../../../main/ndp';

describe('router advertisement codec', () => {
  it("encodes Bootdrop's advertisement byte for byte: no prefix, not a default router, M=0 O=0", () => {
    const b = encodeBootdropAdvertisement('52:54:00:ab:cd:ef');
    expect(b.toString('hex')).toBe(
      [
        '86', // type 134 router advertisement
        '00', // code
        '0000', // checksum: the kernel fills it
        '00', // cur hop limit: unspecified
        '00', // M=0 O=0: iPXE starts no DHCPv6
        '0000', // router lifetime 0: not a default router
        '00000000', // reachable time: unspecified
        '00000000', // retrans timer: unspecified
        '01', // option: source link-layer address
        '01', // length 1 × 8 bytes
        '525400abcdef',
      ].join(''),
    );
    expect(decodeRouterAdvertisement(b)).toEqual({
      curHopLimit: 0,
      managed: false,
      otherConfig: false,
      routerLifetimeSec: 0,
      reachableTimeMs: 0,
      retransTimerMs: 0,
      sourceMac: '52:54:00:ab:cd:ef',
      otherOptions: [],
    });
  });

  it('refuses a MAC that is not six hex pairs, naming it', () => {
    expect(() => encodeBootdropAdvertisement('52:54:00:ab:cd')).toThrow(/"52:54:00:ab:cd" is not a MAC address/);
    expect(() => encodeBootdropAdvertisement('52:54:00:ab:cd:eg')).toThrow(/not a MAC address/);
  });

  it('decodes flags, lifetime and a prefix option of a router that has them', () => {
    const b = Buffer.alloc(16 + 32);
    b[0] = 134;
    b[4] = 64;
    b[5] = 0xc0;
    b.writeUInt16BE(1800, 6);
    b[16] = 3; // prefix information
    b[17] = 4;
    expect(decodeRouterAdvertisement(b)).toMatchObject({
      curHopLimit: 64,
      managed: true,
      otherConfig: true,
      routerLifetimeSec: 1800,
      sourceMac: null,
      otherOptions: [3],
    });
  });

  it('refuses other messages and broken options', () => {
    expect(() => decodeRouterAdvertisement(Buffer.from([133, 0, 0, 0, 0, 0, 0, 0]))).toThrow(
      /not a router advertisement/,
    );
    const b = encodeBootdropAdvertisement('52:54:00:ab:cd:ef');
    b[17] = 0;
    expect(() => decodeRouterAdvertisement(b)).toThrow(/bad option length at byte 16/);
  });

  it('recognises router solicitations', () => {
    expect(isRouterSolicitation(Buffer.from([133, 0, 0, 0, 0, 0, 0, 0]))).toBe(true);
    expect(isRouterSolicitation(Buffer.from([133, 0, 0, 0]))).toBe(false);
    expect(isRouterSolicitation(Buffer.from([134, 0, 0, 0, 0, 0, 0, 0]))).toBe(false);
    expect(isRouterSolicitation(Buffer.from([133, 1, 0, 0, 0, 0, 0, 0]))).toBe(false);
  });
});
