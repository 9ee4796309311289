/** Option codes and typed readers/writers for the option values Bootdrop uses (RFC 2132, 4578, 3004). */
import { DhcpEncodeError, type DhcpOption, type DhcpPacket } from './codec';
import { readIpBytes, writeIpBytes } from './ipv4';

export const Opt = {
  subnetMask: 1,
  router: 3,
  dnsServers: 6,
  hostName: 12,
  broadcastAddress: 28,
  vendorSpecific: 43,
  requestedIp: 50,
  leaseTime: 51,
  overload: 52,
  messageType: 53,
  serverId: 54,
  parameterList: 55,
  message: 56,
  maxMessageSize: 57,
  renewalTime: 58,
  rebindingTime: 59,
  vendorClass: 60,
  clientId: 61,
  tftpServerName: 66,
  bootFileName: 67,
  userClass: 77,
  clientArch: 93,
  clientNdi: 94,
  clientUuid: 97,
  ipxeEncap: 175,
} as const;

export const MessageType = {
  discover: 1,
  offer: 2,
  request: 3,
  decline: 4,
  ack: 5,
  nak: 6,
  release: 7,
  inform: 8,
} as const;
type MessageTypeName = keyof typeof MessageType;

const TYPE_NAMES = Object.fromEntries(Object.entries(MessageType).map(([k, v]) => [v, k])) as Record<
  number,
  MessageTypeName
>;

export function messageTypeName(code: number | null): string {
  return code === null ? 'BOOTP' : `DHCP${(TYPE_NAMES[code] ?? `type-${code}`).toUpperCase()}`;
}

/**
 * An option's value, wherever it was carried (options, file, sname fields in that order), with
 * repeated instances concatenated (RFC 3396 long options). null when absent. The usual single
 * instance is returned as is (no copy, no array): it runs several times per packet.
 */
export function findOption(p: DhcpPacket, code: number): Buffer | null {
  let found: Buffer | null = null;
  let parts: Buffer[] | null = null;
  for (let l = 0; l < 3; l++) {
    const list = l === 0 ? p.options : l === 1 ? p.fileOptions : p.snameOptions;
    if (!list) continue;
    for (const o of list) {
      if (o.code !== code) continue;
      if (found === null) found = o.data;
      else (parts ??= [found]).push(o.data);
    }
  }
  return parts ? Buffer.concat(parts) : found;
}

export function hasOption(p: DhcpPacket, code: number): boolean {
  return findOption(p, code) !== null;
}

export function messageType(p: DhcpPacket): number | null {
  const v = findOption(p, Opt.messageType);
  return v && v.length === 1 ? v[0]! : null;
}

export function optionIp(p: DhcpPacket, code: number): string | null {
  const v = findOption(p, code);
  return v && v.length === 4 ? readIpBytes(v, 0) : null;
}

export function optionText(p: DhcpPacket, code: number): string | null {
  const v = findOption(p, code);
  if (!v) return null;
  const nul = v.indexOf(0); // some ROMs NUL-terminate strings
  return v.toString('latin1', 0, nul < 0 ? v.length : nul);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `hlen` bytes of a hardware address at `off` as aa:bb:cc:… (at most 16). */
export function hardwareAddress(b: Uint8Array, off: number, hlen: number): string {
  const n = Math.min(hlen, 16, b.length - off);
  let s = n > 0 ? HEX[b[off]!]! : '';
  for (let i = 1; i < n; i++) s += ':' + HEX[b[off + i]!]!;
  return s;
}

/** Client MAC as aa:bb:cc:dd:ee:ff (Ethernet), or the raw chaddr bytes in hex otherwise. */
export function clientMac(p: DhcpPacket): string {
  return hardwareAddress(p.chaddr, 0, p.hlen);
}

export function macToChaddr(mac: string): Buffer {
  const b = Buffer.alloc(16);
  Buffer.from(mac.replace(/[:-]/g, ''), 'hex').copy(b);
  return b;
}

// Builders for reply options.
export function ipOption(code: number, ip: string): DhcpOption {
  const data = Buffer.allocUnsafe(4);
  if (!writeIpBytes(data, 0, ip)) throw new DhcpEncodeError(`option ${code} needs an IPv4 address, got "${ip}"`);
  return { code, data };
}
export function u32Option(code: number, n: number): DhcpOption {
  const data = Buffer.alloc(4);
  data.writeUInt32BE(n >>> 0);
  return { code, data };
}
export function byteOption(code: number, n: number): DhcpOption {
  const data = Buffer.allocUnsafe(1);
  data[0] = n;
  return { code, data };
}
export function textOption(code: number, s: string): DhcpOption {
  return { code, data: Buffer.from(s, 'latin1') };
}
