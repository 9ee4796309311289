import { describe, expect, it } from 'vitest';
import {
  dataHeader,
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodeRequest,
  parsePacket,
  type TftpPacket,
} from '../../../main/tftp/packet';

function ok(buf: Buffer): TftpPacket {
  const r = parsePacket(buf);
  if (!r.ok) throw new Error(`expected a packet, got: ${r.reason}`);
  return r.packet;
}

function bad(buf: Buffer): string {
  const r = parsePacket(buf);
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.packet)}`);
  return r.reason;
}

const bytes = (...parts: Array<number[] | string>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('TFTP packet codec', () => {
  it('parses a plain RFC 1350 read request', () => {
    const p = ok(bytes([0, 1], 'pxelinux.0\0octet\0'));
    expect(p).toEqual({ op: 'rrq', filename: 'pxelinux.0', mode: 'octet', options: new Map() });
  });

  it('parses options case-insensitively, keeping values and order (OVMF size probe)', () => {
    const p = ok(bytes([0, 1], 'EFI\\BOOT\\BOOTX64.EFI\0OCTET\0TSize\x000\0BLKSIZE\x001468\0'));
    expect(p.op).toBe('rrq');
    if (p.op !== 'rrq') return;
    expect(p.mode).toBe('octet');
    expect(p.filename).toBe('EFI\\BOOT\\BOOTX64.EFI');
    expect([...p.options]).toEqual([
      ['tsize', '0'],
      ['blksize', '1468'],
    ]);
  });

  it('keeps the first value of a repeated option', () => {
    const p = ok(bytes([0, 1], 'f\0octet\0blksize\x001432\0BlkSize\x00512\0'));
    expect(p.op === 'rrq' && p.options.get('blksize')).toBe('1432');
  });

  it('parses write requests (refused later by the server, not by the codec)', () => {
    expect(ok(bytes([0, 2], 'x\0netascii\0')).op).toBe('wrq');
  });

  it('round-trips RRQ, OACK, DATA, ACK and ERROR', () => {
    const rrq = encodeRequest({ op: 'rrq', filename: 'boot/vmlinuz', mode: 'octet', options: [['windowsize', '4']] });
    expect(ok(rrq)).toEqual({
      op: 'rrq',
      filename: 'boot/vmlinuz',
      mode: 'octet',
      options: new Map([['windowsize', '4']]),
    });
    expect(
      ok(
        encodeOack([
          ['tsize', '123'],
          ['blksize', '1468'],
        ]),
      ),
    ).toEqual({
      op: 'oack',
      options: new Map([
        ['tsize', '123'],
        ['blksize', '1468'],
      ]),
    });
    expect(ok(encodeData(65535, Buffer.from('abc')))).toEqual({
      op: 'data',
      block: 65535,
      payload: Buffer.from('abc'),
    });
    expect(ok(encodeData(7, Buffer.alloc(0)))).toEqual({ op: 'data', block: 7, payload: Buffer.alloc(0) });
    expect(ok(encodeAck(0))).toEqual({ op: 'ack', block: 0 });
    expect(ok(encodeAck(65536))).toEqual({ op: 'ack', block: 0 });
    expect(ok(encodeError(8, 'option refused'))).toEqual({ op: 'error', code: 8, message: 'option refused' });
  });

  it('encodes ERROR exactly as RFC 1350 lays it out', () => {
    expect(encodeError(1, 'File not found')).toEqual(bytes([0, 5, 0, 1], 'File not found\0'));
  });

  it('encodes OACK as NUL-terminated name/value pairs', () => {
    expect(encodeOack([['blksize', '1432']])).toEqual(bytes([0, 6], 'blksize\x001432\0'));
  });

  it('accepts an ERROR whose message lacks the trailing NUL', () => {
    expect(ok(bytes([0, 5, 0, 8], 'abort'))).toEqual({ op: 'error', code: 8, message: 'abort' });
  });

  it('has immutable per-block DATA headers that roll over at 65536', () => {
    expect(dataHeader(1)).toEqual(Buffer.from([0, 3, 0, 1]));
    expect(dataHeader(65535)).toEqual(Buffer.from([0, 3, 0xff, 0xff]));
    expect(dataHeader(65536)).toEqual(Buffer.from([0, 3, 0, 0]));
    expect(dataHeader(65537)).toEqual(Buffer.from([0, 3, 0, 1]));
  });

  it.each([
    ['empty', bytes([]), /too short/],
    ['one byte', bytes([0]), /too short/],
    ['unknown opcode', bytes([0, 9, 0, 0]), /unknown opcode 9/],
    ['opcode 0', bytes([0, 0]), /unknown opcode 0/],
    ['RRQ without NUL', bytes([0, 1], 'file'), /not NUL-terminated/],
    ['RRQ without mode', bytes([0, 1], 'file\0'), /missing filename or mode/],
    ['RRQ with empty filename', bytes([0, 1], '\0octet\0'), /empty filename/],
    ['RRQ with unknown mode', bytes([0, 1], 'f\0binary\0'), /unknown mode "binary"/],
    ['RRQ option without value', bytes([0, 1], 'f\0octet\0blksize\0'), /option "blksize" has no value/],
    ['RRQ with trailing garbage', bytes([0, 1], 'f\0octet\0blksize\x00512'), /not NUL-terminated/],
    ['RRQ with empty option name', bytes([0, 1], 'f\0octet\0\x00512\0'), /empty option name/],
    ['short ACK', bytes([0, 4, 0]), /ACK: shorter/],
    ['short DATA', bytes([0, 3, 1]), /DATA: shorter/],
    ['short ERROR', bytes([0, 5, 0]), /ERROR: shorter/],
    ['OACK without NUL', bytes([0, 6], 'tsize\x00123'), /not NUL-terminated/],
  ])('rejects %s with a reason', (_name, buf, reason) => {
    expect(bad(buf)).toMatch(reason);
  });

  it('never throws on random input (small fuzz)', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 3000; i++) {
      const len = rnd() % 40;
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) buf[j] = j === 0 ? 0 : j === 1 ? rnd() % 8 : rnd() % 4 === 0 ? 0 : rnd();
      parsePacket(buf); // a throw fails the test
    }
  });
});
