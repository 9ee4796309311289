/**
 * Auto mode's question: "is there another DHCP server on this link?" A probe DISCOVER from a made-up,
 * locally administered MAC, with the broadcast flag so any answer reaches us (pure parts here; the
 * service sends and listens).
 */
import { randomBytes } from 'node:crypto';
import { BOOTREPLY, BOOTREQUEST, BROADCAST_FLAG, decode, encode, type DhcpPacket } from './codec';
import { byteOption, macToChaddr, MessageType, messageType, Opt, optionIp, textOption } from './options';

export interface Probe {
  xid: number;
  mac: string;
  data: Buffer;
}

export function makeProbe(random: (n: number) => Buffer = randomBytes): Probe {
  const r = random(9);
  const xid = r.readUInt32BE(0);
  // 02:... = locally administered unicast: can never collide with a real NIC's burned-in address.
  const mac = ['02', 'bd', ...[...r.subarray(4, 8)].map((x) => x.toString(16).padStart(2, '0'))].join(':');
  const p: DhcpPacket = {
    op: BOOTREQUEST,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid,
    secs: 0,
    flags: BROADCAST_FLAG,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: macToChaddr(mac),
    sname: '',
    file: '',
    options: [
      byteOption(Opt.messageType, MessageType.discover),
      textOption(Opt.vendorClass, 'bootdrop-probe'),
      { code: Opt.parameterList, data: Buffer.from([1, 3, 6, 51, 54]) },
    ],
  };
  return { xid, mac, data: encode(p) };
}

/**
 * The server behind a reply seen on the client port, if it is an OFFER/ACK from someone other than
 * us (any client's exchange counts, not only our probe's). null otherwise.
 */
export function foreignServerIn(data: Buffer, from: string, ourIp: string): string | null {
  let p: DhcpPacket;
  try {
    p = decode(data);
  } catch {
    return null;
  }
  if (p.op !== BOOTREPLY) return null;
  const t = messageType(p);
  if (t !== MessageType.offer && t !== MessageType.ack) return null;
  const server = optionIp(p, Opt.serverId) ?? from;
  if (server === ourIp || from === ourIp) return null;
  // A proxyDHCP offer (yiaddr 0) is another PXE server, not a DHCP server: it gives no addresses.
  if (p.yiaddr === '0.0.0.0') return null;
  return server;
}
