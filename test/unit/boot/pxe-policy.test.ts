import { describe, expect, it } from 'vitest';
import { PxePolicy, type ClientArch, type ClientFacts } from '../../../main/boot';

function facts(arch: ClientArch, archCode: number | null, isIpxe = false): ClientFacts {
  return {
    mac: '52:54:00:12:34:56',
    archCode,
    arch,
    vendorClass: `PXEClient:Arch:0000${archCode ?? 0}`,
    userClass: isIpxe ? 'iPXE' : null,
    isIpxe,
    uuid: null,
    ip: null,
  };
}

const IP = '10.1.2.3';

describe('PxePolicy.decide', () => {
  const policy = new PxePolicy({ httpPort: 8080 });
  it.each([
    ['BIOS PXE ROM', facts('bios', 0), { kind: 'tftp', file: '/loaders/undionly.kpxe' }],
    ['BIOS without option 93', facts('bios', null), { kind: 'tftp', file: '/loaders/undionly.kpxe' }],
    ['UEFI x64 PXE (7)', facts('efi-x64', 7), { kind: 'tftp', file: '/loaders/snponly.efi' }],
    ['UEFI x64 PXE (9)', facts('efi-x64', 9), { kind: 'tftp', file: '/loaders/snponly.efi' }],
    [
      'UEFI HTTP Boot (16)',
      facts('efi-x64-http', 16),
      { kind: 'http', url: 'http://10.1.2.3:8080/loaders/snponly.efi' },
    ],
    ['iPXE on BIOS', facts('bios', 0, true), { kind: 'http', url: 'http://10.1.2.3:8080/boot.ipxe' }],
    ['iPXE on UEFI', facts('efi-x64', 7, true), { kind: 'http', url: 'http://10.1.2.3:8080/boot.ipxe' }],
  ] as const)('%s', (_name, f, want) => expect(policy.decide(f, IP)).toEqual(want));

  it.each([
    ['efi-ia32', 6, /32-bit x86 UEFI client \(option 93 = 6\): Bootdrop has no boot loader/],
    ['efi-arm64', 11, /64-bit ARM UEFI/],
    ['efi-arm32', 10, /32-bit ARM UEFI/],
    ['unsupported', 99, /unknown architecture/],
  ] as const)('%s is ignored with a reason', (arch, code, reason) => {
    const d = policy.decide(facts(arch, code), IP);
    expect(d.kind).toBe('ignore');
    expect(d.kind === 'ignore' && d.reason).toMatch(reason);
  });

  it('uses configured loaders (ipxe.efi, an arm64 build) and the classic PXELINUX for BIOS', () => {
    const p = new PxePolicy({
      httpPort: 80,
      loaders: { 'efi-x64': 'ipxe.efi', 'efi-arm64': 'ipxe-arm64.efi' },
      classicPxelinuxLoader: '/boot/syslinux/lpxelinux.0',
    });
    expect(p.decide(facts('efi-x64', 7), IP)).toEqual({ kind: 'tftp', file: '/loaders/ipxe.efi' });
    expect(p.decide(facts('efi-arm64', 11), IP)).toEqual({ kind: 'tftp', file: '/loaders/ipxe-arm64.efi' });
    expect(p.decide(facts('bios', 0), IP)).toEqual({ kind: 'tftp', file: '/boot/syslinux/lpxelinux.0' });
    expect(p.decide(facts('bios', 0, true), IP)).toEqual({ kind: 'http', url: 'http://10.1.2.3/boot.ipxe' });
  });
});
