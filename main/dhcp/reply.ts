/** Building reply packets and choosing where they go (RFC 2131 4.1), pure. */
import type { BootDecision } from '../boot/policy';
import { BOOTREPLY, BROADCAST_FLAG, type DhcpOption, type DhcpPacket } from './codec';
import { discoveryControl, DISCOVERY_USE_BOOTFILE, encodeSubOptions, PxeSub } from './codec-pxe';
import { byteOption, findOption, ipOption, MessageType, Opt, textOption } from './options';

export interface Endpoint {
  address: string;
  port: number;
}

const CLIENT_PORT = 68;
const SERVER_PORT = 67;
const ZERO = '0.0.0.0';
const LIMITED_BROADCAST = '255.255.255.255';

/** A reply skeleton for `req`: same transaction, same client hardware address. */
export function replySkeleton(req: DhcpPacket, type: number, serverIp: string): DhcpPacket {
  const reply: DhcpPacket = {
    op: BOOTREPLY,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags & BROADCAST_FLAG,
    ciaddr: type === MessageType.ack || type === MessageType.nak ? req.ciaddr : ZERO,
    yiaddr: ZERO,
    siaddr: ZERO,
    giaddr: req.giaddr,
    chaddr: req.chaddr, // shared with the request, like every option value echoed below: read-only
    sname: '',
    file: '',
    options: [
      { code: Opt.messageType, data: MESSAGE_TYPE_DATA[type] ?? byteOption(Opt.messageType, type).data },
      serverIdOption(serverIp),
    ],
  };
  // RFC 6842: a server echoes the client identifier (option 61) so clients can match replies.
  const id = findOption(req, Opt.clientId);
  if (id) reply.options.push({ code: Opt.clientId, data: id });
  return reply;
}

// Option values every reply carries, built once (encode only reads them; nothing writes to them).
const MESSAGE_TYPE_DATA: Readonly<Record<number, Buffer>> = Object.fromEntries(
  Object.values(MessageType).map((t) => [t, Buffer.from([t])]),
);
const VENDOR_CLASS_DATA = {
  pxe: Buffer.from('PXEClient', 'latin1'),
  http: Buffer.from('HTTPClient', 'latin1'),
} as const;
const USE_BOOTFILE_43 = encodeSubOptions([discoveryControl(DISCOVERY_USE_BOOTFILE)]);
let serverId: { ip: string; data: Buffer } = { ip: '', data: Buffer.alloc(4) };

/** Option 54 for `serverIp`; its Buffer is reused while the address stays the same (one per service). */
function serverIdOption(serverIp: string): DhcpOption {
  if (serverId.ip !== serverIp) serverId = { ip: serverIp, data: ipOption(Opt.serverId, serverIp).data };
  return { code: Opt.serverId, data: serverId.data };
}

const FILE_FIELD_MAX = 127; // 128 bytes with the terminating NUL some ROMs insist on

/**
 * Put the boot instructions into a reply: siaddr + file, vendor class, option 43 for PXE ROMs, the
 * client's machine id echoed. `kind` is what the client announced (PXEClient or HTTPClient).
 */
export function addBootInstructions(
  reply: DhcpPacket,
  req: DhcpPacket,
  decision: Exclude<BootDecision, { kind: 'ignore' }>,
  kind: 'pxe' | 'http',
  serverIp: string,
  bootItem: Buffer | null = null,
): void {
  const name = decision.kind === 'tftp' ? decision.file : decision.url;
  reply.siaddr = serverIp; // TFTP server (next-server); harmless for HTTP URLs
  const extra = reply.options;
  if (name.length <= FILE_FIELD_MAX)
    reply.file = name; // latin1: one byte per character
  else extra.push(textOption(Opt.bootFileName, name)); // long URLs only fit in option 67
  // PXE 2.1: a PXE server must identify itself with vendor class "PXEClient"; UEFI HTTP Boot
  // firmware (EDK2 HttpBootDxe) only accepts offers that say "HTTPClient".
  extra.push({ code: Opt.vendorClass, data: VENDOR_CLASS_DATA[kind] });
  if (kind === 'pxe') {
    // Discovery control 8: boot the file named in this offer now, no menu and no boot server
    // discovery. BIOS PXE ROMs (Intel, Realtek) and EDK2 (OVMF, checked in
    // dhcp-firmware.test.ts) download at once; firmware that ignores option 43 treats us as a
    // BINL server and asks again on port 4011, which we also answer.
    const data = bootItem
      ? encodeSubOptions([discoveryControl(DISCOVERY_USE_BOOTFILE), { code: PxeSub.bootItem, data: bootItem }])
      : USE_BOOTFILE_43;
    extra.push({ code: Opt.vendorSpecific, data });
  }
  const uuid = findOption(req, Opt.clientUuid);
  if (uuid) extra.push({ code: Opt.clientUuid, data: uuid }); // PXE spec: echo option 97
}

/**
 * Where a reply goes. Port 4011 replies go back to the sender's address and port (EDK2 sends from
 * 4011, iPXE from 68). On port 67 (RFC 2131 4.1): a relayed request's reply goes to the relay agent
 * (giaddr) on the server port, and the relay passes it on to the client; NAKs are broadcast; a
 * client with an address that did not ask for broadcast gets unicast; everything else is broadcast
 * to 255.255.255.255:68. RFC
 * 2131 also allows unicast to yiaddr/chaddr, which needs ARP-table injection Node cannot do, so
 * those are broadcast as the RFC permits.
 */
export function replyDestination(req: DhcpPacket, reply: DhcpPacket, from: Endpoint, via: 'dhcp' | 'pxe'): Endpoint {
  if (via === 'pxe') return { address: from.address, port: from.port };
  if (req.giaddr !== ZERO) return { address: req.giaddr, port: SERVER_PORT };
  const type = findOption(reply, Opt.messageType)?.[0];
  if (type !== MessageType.nak && req.ciaddr !== ZERO && (req.flags & BROADCAST_FLAG) === 0) {
    return { address: req.ciaddr, port: CLIENT_PORT };
  }
  return { address: LIMITED_BROADCAST, port: CLIENT_PORT };
}

/** Broadcast replies must carry the broadcast flag so clients that check it accept them. */
export function markBroadcast(reply: DhcpPacket, to: Endpoint): void {
  if (to.address === LIMITED_BROADCAST) reply.flags |= BROADCAST_FLAG;
}

/** Through which relay agent a request came, for log lines ('' when it came straight from the link). */
export function throughRelay(req: DhcpPacket): string {
  return req.giaddr === ZERO ? '' : ` through relay ${req.giaddr}`;
}
