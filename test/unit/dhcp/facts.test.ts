import { describe, expect, it } from 'vitest';
import {
  bootItem,
  bootMenu,
  bootServers,
  decodeBootItem,
  decodeBootMenu,
  decodeBootServers,
  decodeClientArch,
  decodeClientNdi,
  decodeMenuPrompt,
  decodeSubOptions,
  decodeUserClass,
  encodeClientArch,
  encodeSubOptions,
  encodeUserClassRfc3004,
  menuPrompt,
} from '../../../main/dhcp/codec-pxe';
import { archFromCode, bootClientKind, clientFacts } from '../../../main/dhcp/facts';
import { DhcpDecodeError } from '../../../main/dhcp/codec';
import { clientPacket } from '../../helpers/dhcp/packets';

describe('client facts', () => {
  it('maps option 93 per RFC 4578 (7 and 9 are both x64 UEFI)', () => {
    expect([null, 0, 6, 7, 9, 10, 11, 16, 2, 15, 1234].map(archFromCode)).toEqual([
      'bios',
      'bios',
      'efi-ia32',
      'efi-x64',
      'efi-x64',
      'efi-arm32',
      'efi-arm64',
      'efi-x64-http',
      'unsupported',
      'unsupported',
      'unsupported',
    ]);
  });

  it('reads a BIOS PXE ROM', () => {
    const f = clientFacts(clientPacket('bios', { mac: '52:54:00:aa:bb:cc' }), null);
    expect(f).toMatchObject({
      mac: '52:54:00:aa:bb:cc',
      archCode: 0,
      arch: 'bios',
      isIpxe: false,
      userClass: null,
      ip: null,
    });
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
    expect(() =>
      clientFacts(clientPacket('plain', { extra: [{ code: 97, data: Buffer.from([1, 2]) }] }), null),
    ).toThrow(/option 97/);
    expect(() => decodeSubOptions(Buffer.from([6, 5, 1]))).toThrow(/overruns/);
  });

  it('round-trips PXE sub-options', () => {
    const subs = [{ code: 6, data: Buffer.from([8]) }, bootItem(0x8000, 0)];
    expect(decodeSubOptions(encodeSubOptions(subs))).toEqual(subs);
    expect(decodeBootItem(bootItem(3, 1).data)).toEqual({ type: 3, layer: 1 });
  });

  it('round-trips PXE boot servers, menu and prompt (sub-options 8, 9, 10), arch lists and NDI', () => {
    const servers = [
      { type: 0x8000, ips: ['10.0.0.1', '10.0.0.2'] },
      { type: 1, ips: [] },
    ];
    expect(decodeBootServers(bootServers(servers).data)).toEqual(servers);
    const menu = [
      { type: 0x8000, label: 'Boot from Bootdrop' },
      { type: 0, label: 'Local disk' },
    ];
    expect(decodeBootMenu(bootMenu(menu).data)).toEqual(menu);
    expect(decodeMenuPrompt(menuPrompt(5, 'Press F8').data)).toEqual({ timeoutSec: 5, prompt: 'Press F8' });
    expect(decodeClientArch(encodeClientArch([7, 0]))).toEqual([7, 0]);
    expect(decodeClientNdi(Buffer.from([1, 3, 16]))).toEqual({ type: 1, major: 3, minor: 16 });
    expect(() => decodeBootServers(Buffer.from([0x80, 0, 2, 10, 0, 0, 1]))).toThrow(/do not fit/);
    expect(() => decodeBootMenu(Buffer.from([0x80, 0, 9, 65]))).toThrow(/overruns/);
  });

  it("reads iPXE's encapsulated option 175", () => {
    // 175: sub-option 177 (bus id: PCI 8086:100e), 235 (version 1.21.1)
    const data = Buffer.from([177, 5, 1, 0x80, 0x86, 0x10, 0x0e, 235, 3, 1, 21, 1]);
    expect(decodeSubOptions(data, 'option 175').map((o) => o.code)).toEqual([177, 235]);
  });
});
