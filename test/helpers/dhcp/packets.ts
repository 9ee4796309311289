/** Client packets for tests: what BIOS PXE ROMs, OVMF, iPXE, HTTP Boot and plain OS clients send. */
import { BOOTREQUEST, BROADCAST_FLAG, encode, type DhcpOption, type DhcpPacket } from '../../../main/dhcp/codec';
import type { BootPolicy } from '../../../main/boot/policy';
import { PxePolicy } from '../../../main/boot/pxe-policy';

export type ClientKind = 'bios' | 'uefi' | 'uefi9' | 'ipxe' | 'http' | 'plain' | 'arm64' | 'itanium';

function opt(code: number, data: number[] | string | Buffer): DhcpOption {
  return {
    code,
    data: Buffer.isBuffer(data) ? data : typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data),
  };
}

const UUID = Buffer.from([0, ...Array.from({ length: 16 }, (_, i) => 0x10 + i)]);

export function clientPacket(
  kind: ClientKind,
  o: {
    mac?: string;
    type?: number;
    xid?: number;
    ciaddr?: string;
    giaddr?: string;
    extra?: DhcpOption[];
    flags?: number;
  } = {},
): DhcpPacket {
  const mac = o.mac ?? '52:54:00:12:34:56';
  const chaddr = Buffer.alloc(16);
  Buffer.from(mac.replace(/:/g, ''), 'hex').copy(chaddr);
  const options: DhcpOption[] = [opt(53, [o.type ?? 1])];
  const arch = { bios: 0, uefi: 7, uefi9: 9, ipxe: 0, http: 16, plain: -1, arm64: 11, itanium: 2 }[kind];
  if (kind === 'http') options.push(opt(60, 'HTTPClient:Arch:00016:UNDI:003001'));
  else if (kind !== 'plain') options.push(opt(60, `PXEClient:Arch:${String(arch).padStart(5, '0')}:UNDI:002001`));
  if (arch >= 0) options.push(opt(93, [0, arch]), opt(94, [1, 2, 1]), opt(97, UUID));
  if (kind === 'ipxe') options.push(opt(77, 'iPXE'), opt(175, [177, 5, 1, 0x80, 0x86, 0x10, 0x0e, 0xff]));
  options.push(opt(55, [1, 3, 43, 60, 66, 67]), ...(o.extra ?? []));
  return {
    op: BOOTREQUEST,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: o.xid ?? 0x1234abcd,
    secs: 4,
    flags: o.flags ?? BROADCAST_FLAG,
    ciaddr: o.ciaddr ?? '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: o.giaddr ?? '0.0.0.0',
    chaddr,
    sname: '',
    file: '',
    options,
  };
}

export function clientBytes(kind: ClientKind, o: Parameters<typeof clientPacket>[1] = {}): Buffer {
  return encode(clientPacket(kind, o));
}

/**
 * The product's own boot policy (main/boot/pxe-policy.ts, HTTP on port 80), so the DHCP tests check
 * the file names Bootdrop really offers: BIOS PXE → /loaders/undionly.kpxe over TFTP, x64 UEFI →
 * /loaders/snponly.efi, UEFI HTTP Boot → http://<server>/loaders/ipxe.efi, any iPXE → /boot.ipxe.
 */
export const productPolicy: BootPolicy = new PxePolicy({ httpPort: 80 });
