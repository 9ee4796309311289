/**
 * DHCP/BOOTP packet codec (RFC 2131 header, RFC 2132 options, option 52 overload). Pure: bytes in,
 * packet out, and back. `decode(encode(p))` deep-equals `p`; `encode(decode(b))` equals `b` for
 * packets in canonical form (no PAD options, zero padding to BOOTP's 300-byte minimum). Options keep
 * their wire order and unknown options pass through untouched.
 */
import { readIpBytes, writeIpBytes, ZERO_IP } from './ipv4';

/** One option. `data` may be a view of a decoded datagram or a shared constant: treat it as read-only. */
export interface DhcpOption {
  code: number;
  data: Buffer;
}

export interface DhcpPacket {
  op: number; // 1 BOOTREQUEST, 2 BOOTREPLY
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number; // 0x8000 = broadcast
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  chaddr: Buffer; // always 16 bytes
  /** Text of the sname/file fields; '' when the field carries options instead (option 52). */
  sname: string;
  file: string;
  /** Options in the options field, wire order. */
  options: DhcpOption[];
  /** Options carried in the file field (option 52 value 1 or 3). */
  fileOptions?: DhcpOption[];
  /** Options carried in the sname field (option 52 value 2 or 3). */
  snameOptions?: DhcpOption[];
}

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const BROADCAST_FLAG = 0x8000;
const MAGIC = 0x63825363;
const HEADER_LEN = 236; // fixed BOOTP header, up to the magic cookie
const MIN_PACKET = 300; // BOOTP minimum; the Linux in-kernel client ignores shorter packets (dnsmasq's note)
const OPT_PAD = 0;
const OPT_END = 255;
const OPT_OVERLOAD = 52;

/** A packet that is not DHCP, or breaks its own framing. */
export class DhcpDecodeError extends Error {
  override readonly name = 'DhcpDecodeError';
  constructor(
    readonly reason: string,
    readonly offset?: number,
  ) {
    super(
      offset === undefined
        ? `malformed DHCP packet: ${reason}`
        : `malformed DHCP packet: ${reason} (at byte ${offset})`,
    );
  }
}

/** A packet we were asked to build that cannot be put on the wire. */
export class DhcpEncodeError extends Error {
  override readonly name = 'DhcpEncodeError';
}

/** Text of a NUL-padded field ('' without building anything when it is empty, the common case). */
function readText(b: Buffer, start: number, len: number): string {
  if (b[start] === 0) return '';
  const nul = b.indexOf(0, start);
  return b.toString('latin1', start, nul < 0 || nul > start + len ? start + len : nul);
}

/**
 * Parse an options area; `where` names it for error messages. Stops at END or the area's end.
 * Option data are views into `b` (decode hands in its own copy of the datagram): no copy per option.
 */
function parseOptions(b: Buffer, start: number, end: number, where: string): DhcpOption[] {
  const out: DhcpOption[] = [];
  let i = start;
  while (i < end) {
    const code = b[i]!;
    if (code === OPT_PAD) {
      i++;
      continue;
    }
    if (code === OPT_END) return out;
    if (i + 1 >= end) throw new DhcpDecodeError(`option ${code} in ${where} has no length byte`, i);
    const len = b[i + 1]!;
    if (i + 2 + len > end)
      throw new DhcpDecodeError(`option ${code} in ${where} claims ${len} bytes but only ${end - i - 2} remain`, i);
    out.push({ code, data: b.subarray(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return out; // no END: tolerated, as dnsmasq does (some ROMs omit it)
}

function findIn(opts: DhcpOption[], code: number): DhcpOption | undefined {
  return opts.find((o) => o.code === code);
}

export function decode(input: Buffer): DhcpPacket {
  if (input.length < HEADER_LEN + 4)
    throw new DhcpDecodeError(`only ${input.length} bytes, a DHCP packet has at least ${HEADER_LEN + 4}`);
  const op = input[0]!;
  if (op !== BOOTREQUEST && op !== BOOTREPLY)
    throw new DhcpDecodeError(`op is ${op}, expected 1 (request) or 2 (reply)`, 0);
  const hlen = input[2]!;
  if (hlen > 16) throw new DhcpDecodeError(`hardware address length ${hlen} exceeds 16`, 2);
  if (input.readUInt32BE(HEADER_LEN) !== MAGIC)
    throw new DhcpDecodeError('no DHCP magic cookie (plain BOOTP is not served)', HEADER_LEN);
  // One copy of the whole datagram, which the packet's Buffers (chaddr, option data) are views of:
  // the packet does not change if the caller reuses `input`, and no small Buffer is copied per option.
  const b = Buffer.from(input);
  const options = parseOptions(b, HEADER_LEN + 4, b.length, 'options');
  const p: DhcpPacket = {
    op,
    htype: b[1]!,
    hlen,
    hops: b[3]!,
    xid: b.readUInt32BE(4),
    secs: b.readUInt16BE(8),
    flags: b.readUInt16BE(10),
    ciaddr: readIpBytes(b, 12),
    yiaddr: readIpBytes(b, 16),
    siaddr: readIpBytes(b, 20),
    giaddr: readIpBytes(b, 24),
    chaddr: b.subarray(28, 44),
    sname: '',
    file: '',
    options,
  };
  const overloadOpt = findIn(options, OPT_OVERLOAD);
  let overload = 0;
  if (overloadOpt) {
    if (overloadOpt.data.length !== 1 || overloadOpt.data[0]! < 1 || overloadOpt.data[0]! > 3) {
      throw new DhcpDecodeError(
        `option 52 (overload) must be one byte 1..3, got ${overloadOpt.data.toString('hex') || 'nothing'}`,
      );
    }
    overload = overloadOpt.data[0]!;
  }
  // RFC 2131 4.1: the file field is read before sname.
  if (overload & 1) p.fileOptions = parseOptions(b, 108, 236, 'file field');
  else p.file = readText(b, 108, 128);
  if (overload & 2) p.snameOptions = parseOptions(b, 44, 108, 'sname field');
  else p.sname = readText(b, 44, 64);
  return p;
}

function optionsLength(opts: DhcpOption[]): number {
  let n = 1; // END
  for (const o of opts) n += 2 + o.data.length;
  return n;
}

function writeOptions(b: Buffer, off: number, opts: DhcpOption[], where: string): number {
  for (const o of opts) {
    if (!Number.isInteger(o.code) || o.code <= OPT_PAD || o.code >= OPT_END)
      throw new DhcpEncodeError(`option code ${o.code} in ${where} is not 1..254`);
    if (o.data.length > 255)
      throw new DhcpEncodeError(`option ${o.code} in ${where} is ${o.data.length} bytes, at most 255 fit`);
    b[off] = o.code;
    b[off + 1] = o.data.length;
    b.set(o.data, off + 2);
    off += 2 + o.data.length;
  }
  b[off] = OPT_END;
  return off + 1;
}

function writeIp(b: Buffer, off: number, ip: string, field: string): void {
  if (ip === ZERO_IP) return; // the buffer is zeroed
  if (!writeIpBytes(b, off, ip)) throw new DhcpEncodeError(`${field} is not an IPv4 address: "${ip}"`);
}

function writeText(b: Buffer, off: number, len: number, text: string, field: string): void {
  // latin1: one byte per UTF-16 unit (as Buffer.from(text, 'latin1') counts them).
  if (text.length > len)
    throw new DhcpEncodeError(`${field} "${text.slice(0, 40)}…" is ${text.length} bytes, the field holds ${len}`);
  if (text.length > 0) b.write(text, off, text.length, 'latin1');
}

export function encode(p: DhcpPacket): Buffer {
  const overload = findIn(p.options, OPT_OVERLOAD)?.data[0] ?? 0;
  if ((overload & 1) !== (p.fileOptions ? 1 : 0) || (overload & 2) !== (p.snameOptions ? 2 : 0)) {
    throw new DhcpEncodeError('option 52 (overload) does not match which of file/sname carry options');
  }
  if ((p.fileOptions && p.file !== '') || (p.snameOptions && p.sname !== '')) {
    throw new DhcpEncodeError('a field that carries overloaded options cannot also carry text');
  }
  if (p.chaddr.length > 16) throw new DhcpEncodeError(`chaddr is ${p.chaddr.length} bytes, the field holds 16`);
  const size = Math.max(MIN_PACKET, HEADER_LEN + 4 + optionsLength(p.options));
  // One Buffer per packet, from Node's shared pool (no ArrayBuffer of its own per reply), zeroed.
  const b = Buffer.allocUnsafe(size).fill(0);
  b[0] = p.op;
  b[1] = p.htype;
  b[2] = p.hlen;
  b[3] = p.hops;
  b.writeUInt32BE(p.xid >>> 0, 4);
  b.writeUInt16BE(p.secs & 0xffff, 8);
  b.writeUInt16BE(p.flags & 0xffff, 10);
  writeIp(b, 12, p.ciaddr, 'ciaddr');
  writeIp(b, 16, p.yiaddr, 'yiaddr');
  writeIp(b, 20, p.siaddr, 'siaddr');
  writeIp(b, 24, p.giaddr, 'giaddr');
  b.set(p.chaddr, 28);
  if (p.snameOptions) {
    if (optionsLength(p.snameOptions) > 64)
      throw new DhcpEncodeError('options overloaded into sname exceed its 64 bytes');
    writeOptions(b, 44, p.snameOptions, 'sname field');
  } else writeText(b, 44, 64, p.sname, 'sname');
  if (p.fileOptions) {
    if (optionsLength(p.fileOptions) > 128)
      throw new DhcpEncodeError('options overloaded into file exceed its 128 bytes');
    writeOptions(b, 108, p.fileOptions, 'file field');
  } else writeText(b, 108, 128, p.file, 'file');
  b.writeUInt32BE(MAGIC, HEADER_LEN);
  writeOptions(b, HEADER_LEN + 4, p.options, 'options');
  return b;
}
