import { describe, expect, it } from 'vitest';
import { MAX_BLKSIZE, maxBlksizeFor, negotiate } from '../../../main/tftp/options';

const req = (...pairs: Array<[string, string]>) => new Map(pairs);

describe('TFTP option negotiation', () => {
  it('with no options: 512-byte blocks, window 1, no OACK (RFC 1350 client, curl --tftp-no-options)', () => {
    expect(negotiate(req(), { fileSize: 1000 })).toEqual({
      blksize: 512,
      windowsize: 1,
      timeoutMs: null,
      oack: [],
      ignored: [],
    });
  });

  it('answers the OVMF size probe with the real size', () => {
    const n = negotiate(req(['tsize', '0']), { fileSize: 987654, mtu: 1500 });
    expect(n.oack).toEqual([['tsize', '987654']]);
  });

  it('grants OVMF blksize 1468 + windowsize 4 on a 1500-byte MTU', () => {
    const n = negotiate(req(['blksize', '1468'], ['windowsize', '4']), { fileSize: 10, mtu: 1500 });
    expect(n).toMatchObject({
      blksize: 1468,
      windowsize: 4,
      oack: [
        ['blksize', '1468'],
        ['windowsize', '4'],
      ],
    });
  });

  it('grants iPXE 1432 and PXELINUX 1408', () => {
    expect(negotiate(req(['blksize', '1432'], ['tsize', '0']), { fileSize: 5, mtu: 1500 }).oack).toEqual([
      ['blksize', '1432'],
      ['tsize', '5'],
    ]);
    expect(negotiate(req(['tsize', '0'], ['blksize', '1408']), { fileSize: 5, mtu: 1500 }).blksize).toBe(1408);
  });

  it('caps blksize to the MTU (mtu − 28 IP/UDP − 4 TFTP) and tells the client', () => {
    expect(maxBlksizeFor(1500)).toBe(1468);
    expect(maxBlksizeFor(9000)).toBe(8968);
    expect(maxBlksizeFor(undefined)).toBe(MAX_BLKSIZE);
    const n = negotiate(req(['blksize', '8192']), { fileSize: 1, mtu: 1500 });
    expect(n.blksize).toBe(1468);
    expect(n.oack).toEqual([['blksize', '1468']]);
    expect(negotiate(req(['blksize', '65535']), { fileSize: 1 }).blksize).toBe(65464);
  });

  it('ignores invalid values instead of failing the transfer', () => {
    const n = negotiate(
      req(['blksize', '7'], ['windowsize', '0'], ['timeout', '256'], ['tsize', 'x'], ['blksize2', '1']),
      { fileSize: 1 },
    );
    expect(n.oack).toEqual([]);
    expect(n.blksize).toBe(512);
    expect(n.ignored).toHaveLength(5);
    expect(negotiate(req(['blksize', '-1']), { fileSize: 1 }).oack).toEqual([]);
    expect(negotiate(req(['blksize', '1e3']), { fileSize: 1 }).oack).toEqual([]);
  });

  it('accepts timeout (RFC 2349) in seconds', () => {
    const n = negotiate(req(['timeout', '6']), { fileSize: 1 });
    expect(n.timeoutMs).toBe(6000);
    expect(n.oack).toEqual([['timeout', '6']]);
  });

  it('caps the window so one burst stays within 64 KiB, whatever the option order', () => {
    expect(negotiate(req(['windowsize', '16'], ['blksize', '8192']), { fileSize: 1 })).toMatchObject({
      windowsize: 8,
      oack: [
        ['windowsize', '8'],
        ['blksize', '8192'],
      ],
    });
    expect(negotiate(req(['windowsize', '1000']), { fileSize: 1 }).windowsize).toBe(64);
    expect(negotiate(req(['blksize', '65464'], ['windowsize', '4']), { fileSize: 1 }).windowsize).toBe(1);
  });
});
