/** What a DHCP request says about the client, as the boot policy's ClientFacts (pure). */
import type { BootDecision, ClientArch, ClientFacts } from '../boot/policy';
import type { DhcpPacket } from './codec';
import { clientArchInUse, decodeClientUuid, decodeUserClass } from './codec-pxe';
import { clientMac, findOption, hasOption, Opt, optionText } from './options';

/**
 * Option 93 → ClientArch, following RFC 4578 and the IANA "Processor Architecture Types" registry.
 * dnsmasq's tag names for 7 and 9 are swapped relative to the RFC; real x64 UEFI firmware (OVMF,
 * most PCs) sends 7, and some (older Dell/HP, VirtualBox) send 9 for the same x64 loader.
 */
const ARCH_BY_CODE: ReadonlyMap<number, ClientArch> = new Map<number, ClientArch>([
  [0, 'bios'],
  [6, 'efi-ia32'],
  [7, 'efi-x64'],
  [9, 'efi-x64'],
  [10, 'efi-arm32'],
  [11, 'efi-arm64'],
  [16, 'efi-x64-http'],
]);

export function archFromCode(code: number | null): ClientArch {
  if (code === null) return 'bios'; // no option 93: legacy PXE ROMs that predate RFC 4578 (dnsmasq does the same)
  return ARCH_BY_CODE.get(code) ?? 'unsupported';
}

/** Which kind of network-boot firmware the vendor class announces, or null for an ordinary client. */
export function bootClientKind(vendorClass: string | null): 'pxe' | 'http' | null {
  if (vendorClass?.startsWith('PXEClient')) return 'pxe';
  if (vendorClass?.startsWith('HTTPClient')) return 'http'; // UEFI HTTP Boot (UEFI spec 24.7)
  return null;
}

/** Build ClientFacts. Throws DhcpDecodeError when a PXE option is malformed. */
export function clientFacts(p: DhcpPacket, ip: string | null): ClientFacts {
  const archOpt = findOption(p, Opt.clientArch);
  const archCode = archOpt ? clientArchInUse(archOpt) : null;
  const ucOpt = findOption(p, Opt.userClass);
  const userClasses = ucOpt ? decodeUserClass(ucOpt).classes : [];
  const uuidOpt = findOption(p, Opt.clientUuid);
  return {
    mac: clientMac(p),
    archCode,
    arch: archFromCode(archCode),
    vendorClass: optionText(p, Opt.vendorClass) ?? '',
    userClass: userClasses.length > 0 ? userClasses.join(',') : null,
    // iPXE announces itself with user class "iPXE" and its own encapsulated option 175; either is
    // enough (builds with a custom user class still send 175).
    isIpxe: userClasses.includes('iPXE') || hasOption(p, Opt.ipxeEncap),
    uuid: uuidOpt ? decodeClientUuid(uuidOpt) : null,
    ip,
  };
}

/** A client in log lines: mac (firmware, arch [option 93]). */
export function describe(f: ClientFacts): string {
  const fw = f.isIpxe ? 'iPXE' : f.vendorClass.startsWith('HTTPClient') ? 'UEFI HTTP Boot' : 'PXE';
  return `${f.mac} (${fw}, ${f.arch}${f.archCode !== null ? ` [93=${f.archCode}]` : ''})`;
}

export function target(d: Exclude<BootDecision, { kind: 'ignore' }>): string {
  return d.kind === 'tftp' ? `tftp ${d.file}` : d.url;
}
