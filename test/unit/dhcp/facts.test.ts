import { describe, expect, it } from 'vitest';
import { decodeClientArch, decodeSubOptions, decodeUserClass, encodeSubOptions, encodeUserClassRfc3004, bootItem, decodeBootItem } from '../../../main/dhcp/codec-pxe';
import { archFromCode, bootClientKind, clientFacts } from '../../../main/dhcp/facts';
import { DhcpDecodeError } from '../../../main/dhcp/codec';
import { clientPacket } from '../../helpers/dhcp/packets';

describe('client facts', () => {
  it('maps option 93 per RFC 4578 (7 and 9 are both x64 UEFI)', () => {
    expect([null, 0, 6, 7, 9, 10, 11, 16, 2, 15, 1234].map(archFromCode)).toEqual([
      'bios', 'bios', 'efi-ia32', 'efi-x64', 'efi-x64', 'efi-arm32', 'efi-arm64', 'efi-x64-http', 'unsupported', 'unsupported', 'unsupported',
    ]);
  });

  it('reads a BIOS PXE ROM', () => {
    const f = clientFacts(clientPacket('bios', { mac: '52:54:00:aa:bb:cc' }), null);
    expect(f).toMatchObject({ mac: '52:54:00:aa:bb:cc', archCode: 0, arch: 'bios', isIpxe: false, userClass: null, ip: null });
    expect(f.vendorClass).toMatch(/^PXEClient/);
    expect(f.uuid).toBe('101112131415161718191a1b1c1d1e1f');
  });

  it('recognises iPXE by option 77 or option 175 alone', () => {
    expect(clientFacts(clientPacket('ipxe'), null)).toMatchObject({ isIpxe: true, userClass: 'iPXE' });
    const only175 = clientPacket('bios', { extra: [{ code: 175, data: Buffer.from([177, 1, 1]) }] });
    expect(clientFacts(only175, null).isIpxe).toBe(true);
    const rfc3004 = clientPacket('bios', { extra: [{ code: 77, data: encodeUserClassRfc3004(['foo', 'iPXE']) }] });
    expect(clientFacts(rfc3004, null)).toMatchObject({ isIpxe: true, userClass: 'foo,iPXE' });
  });

  it('reads the user class in both formats', () => {
    expect(decodeUserClass(Buffer.from('iPXE'))).toEqual({ format: 'raw', classes: ['iPXE'] });
    expect(decodeUserClass(encodeUserClassRfc3004(['a', 'bc']))).toEqual({ format: 'rfc3004', classes: ['a', 'bc'] });
    expect(decodeUserClass(Buffer.from('gPXE\0'))).toEqual({ format: 'raw', classes: ['gPXE'] });
  });

  it('classifies vendor classes', () => {
    expect(bootClientKind('PXEClient:Arch:00007:UNDI:003016')).toBe('pxe');
    expect(bootClientKind('HTTPClient:Arch:00016:UNDI:003001')).toBe('http');
    expect(bootClientKind('udhcp 1.35.0')).toBeNull();
    expect(bootClientKind(null)).toBeNull();
  });

  it('rejects malformed PXE options with a reason', () => {
    expect(() => decodeClientArch(Buffer.from([0]))).toThrow(DhcpDecodeError);
    expect(() => clientFacts(clientPacket('plain', { extra: [{ code: 97, data: Buffer.from([1, 2]) }] }), null)).toThrow(/option 97/);
    expect(() => decodeSubOptions(Buffer.from([6, 5, 1]))).toThrow(/overruns/);
  });

  it('round-trips PXE sub-options', () => {
    const subs = [{ code: 6, data: Buffer.from([8]) }, bootItem(0x8000, 0)];
    expect(decodeSubOptions(encodeSubOptions(subs))).toEqual(subs);
    expect(decodeBootItem(bootItem(3, 1).data)).toEqual({ type: 3, layer: 1 });
  });
});
