/**
 * DHCP reply latency from a packet capture (kernel timestamps), so a busy client process cannot
 * inflate the figure: for each xid, the first request seen on the wire to the first reply.
 * Reads classic pcap files (tcpdump -w) of Ethernet frames carrying IPv4/UDP.
 */
import { readFileSync } from 'node:fs';

export interface DhcpTiming {
  xid: number;
  /** Reply time minus first request time, ms. */
  ms: number;
  /** UDP destination port of the request: 67 (DISCOVER/REQUEST) or 4011. */
  port: number;
}

export function dhcpTimings(file: string): DhcpTiming[] {
  const b = readFileSync(file);
  if (b.length < 24) return [];
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d)
    throw new Error(`${file}: not a pcap file`);
  const nano = (le ? magic : b.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const requests = new Map<number, { t: number; port: number }>();
  const out: DhcpTiming[] = [];
  const answered = new Set<number>();
  for (let at = 24; at + 16 <= b.length;) {
    const t = u32(at) * 1000 + u32(at + 4) / (nano ? 1e6 : 1e3);
    const len = u32(at + 8);
    const frame = b.subarray(at + 16, at + 16 + len);
    at += 16 + len;
    if (frame.length < 14 + 20 + 8 + 8 || frame.readUInt16BE(12) !== 0x0800) continue;
    const ihl = (frame[14]! & 0x0f) * 4;
    if (frame[14 + 9] !== 17) continue;
    const udp = 14 + ihl;
    const dport = frame.readUInt16BE(udp + 2);
    const dhcp = frame.subarray(udp + 8);
    if (dhcp.length < 8) continue;
    const op = dhcp[0];
    const xid = dhcp.readUInt32BE(4);
    if (op === 1 && !requests.has(xid)) requests.set(xid, { t, port: dport });
    else if (op === 2 && !answered.has(xid)) {
      const req = requests.get(xid);
      if (!req) continue;
      answered.add(xid);
      out.push({ xid, ms: t - req.t, port: req.port });
    }
  }
  return out;
}
