import { describe, expect, it } from 'vitest';
import { decode, DhcpDecodeError, DhcpEncodeError, encode, type DhcpPacket } from '../../../main/dhcp/codec';
import { findOption, messageType } from '../../../main/dhcp/options';
import { clientBytes, clientPacket } from '../../helpers/dhcp/packets';
import { prng } from '../../helpers/dhcp/prng';

describe('DHCP codec', () => {
  it('round-trips a PXE DISCOVER exactly, both ways', () => {
    const p = clientPacket('uefi');
    const bytes = encode(p);
    expect(bytes.length).toBe(314);
    expect(encode(clientPacket('plain')).length).toBe(300); // small packets are padded to the BOOTP minimum
    expect(decode(bytes)).toEqual(p);
    expect(encode(decode(bytes)).equals(bytes)).toBe(true);
  });

  it('keeps unknown options and their order', () => {
    const p = clientPacket('bios', {
      extra: [
        { code: 250, data: Buffer.from('xyz') },
        { code: 12, data: Buffer.from('host') },
        { code: 224, data: Buffer.alloc(0) },
      ],
    });
    const back = decode(encode(p));
    expect(back.options.map((o) => o.code)).toEqual(p.options.map((o) => o.code));
    expect(back.options.find((o) => o.code === 250)!.data.toString()).toBe('xyz');
  });

  it('reads the header fields', () => {
    const p = decode(clientBytes('bios', { xid: 0xdeadbeef, ciaddr: '10.1.2.3', flags: 0 }));
    expect(p.xid).toBe(0xdeadbeef);
    expect(p.ciaddr).toBe('10.1.2.3');
    expect(p.flags).toBe(0);
    expect(messageType(p)).toBe(1);
  });

  it('decodes options overloaded into file and sname (option 52) and re-encodes them', () => {
    const p: DhcpPacket = {
      ...clientPacket('bios'),
      options: [
        { code: 53, data: Buffer.from([1]) },
        { code: 52, data: Buffer.from([3]) },
        { code: 60, data: Buffer.from('PXEClient:Arch:00000') },
      ],
      fileOptions: [
        { code: 67, data: Buffer.from('pxelinux.0') },
        { code: 200, data: Buffer.from([1, 2]) },
      ],
      snameOptions: [{ code: 66, data: Buffer.from('10.0.0.1') }],
    };
    const bytes = encode(p);
    // File field starts at 108 with option 67.
    expect(bytes[108]).toBe(67);
    expect(bytes[44]).toBe(66);
    const back = decode(bytes);
    expect(back).toEqual(p);
    expect(findOption(back, 67)!.toString()).toBe('pxelinux.0');
    expect(encode(back).equals(bytes)).toBe(true);
  });

  it('concatenates a long option split over several instances (RFC 3396)', () => {
    const p = clientPacket('bios', {
      extra: [
        { code: 240, data: Buffer.from('abc') },
        { code: 240, data: Buffer.from('def') },
      ],
    });
    expect(findOption(decode(encode(p)), 240)!.toString()).toBe('abcdef');
  });

  it('tolerates PAD options and a missing END', () => {
    const b = clientBytes('bios');
    const withPad = Buffer.concat([b.subarray(0, 240), Buffer.from([0, 0]), b.subarray(240)]);
    expect(decode(withPad).options.length).toBe(decode(b).options.length);
    const end = b.indexOf(255, 240);
    expect(decode(b.subarray(0, end)).options.length).toBe(decode(b).options.length);
  });

  const malformed: Array<[string, (b: Buffer) => Buffer, RegExp]> = [
    ['too short', (b) => b.subarray(0, 100), /at least 240/],
    ['bad op', (b) => Object.assign(Buffer.from(b), { 0: 7 }), /op is 7/],
    ['huge hlen', (b) => Object.assign(Buffer.from(b), { 2: 40 }), /hardware address length/],
    ['no magic cookie', (b) => Object.assign(Buffer.from(b), { 236: 0 }), /magic cookie/],
    [
      'option overruns packet',
      (b) => Buffer.concat([b.subarray(0, 240), Buffer.from([60, 50, 1, 2])]),
      /claims 50 bytes/,
    ],
    [
      'option without length',
      (b) => Buffer.concat([b.subarray(0, 240), Buffer.from([53, 1, 1, 60])]),
      /no length byte/,
    ],
    ['bad overload value', (b) => Buffer.concat([b.subarray(0, 240), Buffer.from([52, 1, 9, 255])]), /option 52/],
    [
      'overloaded file overruns',
      (b) => {
        const x = Buffer.concat([b.subarray(0, 240), Buffer.from([52, 1, 1, 255])]);
        x[108] = 67;
        x[109] = 200;
        return x;
      },
      /in file field claims/,
    ],
  ];
  for (const [name, mutate, msg] of malformed) {
    it(`rejects a malformed packet: ${name}`, () => {
      const bad = mutate(clientBytes('bios'));
      expect(() => decode(bad)).toThrow(DhcpDecodeError);
      expect(() => decode(bad)).toThrow(msg);
    });
  }

  it('refuses to encode what does not fit', () => {
    expect(() => encode({ ...clientPacket('bios'), file: 'x'.repeat(129) })).toThrow(DhcpEncodeError);
    expect(() => encode({ ...clientPacket('bios'), options: [{ code: 60, data: Buffer.alloc(256) }] })).toThrow(
      /at most 255/,
    );
    expect(() => encode({ ...clientPacket('bios'), ciaddr: '1.2.3' })).toThrow(/ciaddr/);
    expect(() => encode({ ...clientPacket('bios'), fileOptions: [] })).toThrow(/overload/);
  });

  it('survives a seeded fuzz loop: every input decodes or throws DhcpDecodeError', () => {
    const rand = prng(0xb007);
    const seeds = [clientBytes('bios'), clientBytes('uefi'), clientBytes('ipxe'), clientBytes('http')];
    const deadline = Date.now() + 1000;
    let n = 0;
    while (Date.now() < deadline && n < 200_000) {
      n++;
      const base = seeds[n % seeds.length]!;
      const b = Buffer.from(rand() < 0.2 ? base.subarray(0, Math.floor(rand() * base.length)) : base);
      const flips = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < flips && b.length > 0; i++) {
        // Bias mutations towards the options area, where parsing is interesting.
        const at =
          rand() < 0.7 ? 236 + Math.floor(rand() * Math.max(1, b.length - 236)) : Math.floor(rand() * b.length);
        if (at < b.length) b[at] = Math.floor(rand() * 256);
      }
      try {
        const p = decode(b);
        // Whatever decodes must re-encode and decode to the same packet.
        if (!p.fileOptions && !p.snameOptions && p.options.every((o) => o.code !== 52))
          expect(decode(encode(p))).toEqual(p);
      } catch (err) {
        if (!(err instanceof DhcpDecodeError) && !(err instanceof DhcpEncodeError)) throw err;
      }
    }
    expect(n).toBeGreaterThan(100);
  });
});
