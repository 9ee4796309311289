/** Option codes and typed readers/writers for the option values Bootdrop uses (RFC 2132, 4578, 3004). */
import type { DhcpOption, DhcpPacket } from './codec';

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
export type MessageTypeName = keyof typeof MessageType;

const TYPE_NAMES = Object.fromEntries(Object.entries(MessageType).map(([k, v]) => [v, k])) as Record<number, MessageTypeName>;

export function messageTypeName(code: number | null): string {
  return code === null ? 'BOOTP' : `DHCP${(TYPE_NAMES[code] ?? `type-${code}`).toUpperCase()}`;
}

/**
 * An option's value, wherever it was carried (options, file, sname fields in that order), with
 * repeated instances concatenated (RFC 3396 long options). null when absent.
 */
export function findOption(p: DhcpPacket, code: number): Buffer | null {
  const parts: Buffer[] = [];
  for (const list of [p.options, p.fileOptions ?? [], p.snameOptions ?? []]) {
    for (const o of list) if (o.code === code) parts.push(o.data);
  }
  return parts.length === 0 ? null : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
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
  return v && v.length === 4 ? `${v[0]}.${v[1]}.${v[2]}.${v[3]}` : null;
}

export function optionText(p: DhcpPacket, code: number): string | null {
  const v = findOption(p, code);
  if (!v) return null;
  const nul = v.indexOf(0); // some ROMs NUL-terminate strings
  return v.subarray(0, nul < 0 ? v.length : nul).toString('latin1');
}

/** Client MAC as aa:bb:cc:dd:ee:ff (Ethernet), or the raw chaddr bytes in hex otherwise. */
export function clientMac(p: DhcpPacket): string {
  const hw = p.chaddr.subarray(0, Math.min(p.hlen, 16));
  return [...hw].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function macToChaddr(mac: string): Buffer {
  const b = Buffer.alloc(16);
  Buffer.from(mac.replace(/[:-]/g, ''), 'hex').copy(b);
  return b;
}

// Builders for reply options.
export function ipOption(code: number, ip: string): DhcpOption {
  return { code, data: Buffer.from(ip.split('.').map(Number)) };
}
export function u32Option(code: number, n: number): DhcpOption {
  const data = Buffer.alloc(4);
  data.writeUInt32BE(n >>> 0);
  return { code, data };
}
export function byteOption(code: number, n: number): DhcpOption {
  return { code, data: Buffer.from([n]) };
}
export function textOption(code: number, s: string): DhcpOption {
  return { code, data: Buffer.from(s, 'latin1') };
}
