/**
 * TFTP packet codec (RFC 1350, options per RFC 2347): bytes in, packet out; packet in, bytes out.
 * No I/O here, so every rule is table-testable.
 */

const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 1350 error codes, plus 8 from RFC 2347 (option negotiation refused). */
export const TftpErrorCode = {
  NotDefined: 0,
  FileNotFound: 1,
  AccessViolation: 2,
  DiskFull: 3,
  IllegalOperation: 4,
  UnknownTid: 5,
  FileExists: 6,
  NoSuchUser: 7,
  OptionRefused: 8,
} as const;

type TftpMode = 'octet' | 'netascii' | 'mail';

export interface RequestPacket {
  op: 'rrq' | 'wrq';
  filename: string;
  mode: TftpMode;
  /** Option names lower-cased (RFC 2347: case-insensitive), in request order; values as sent. */
  options: Map<string, string>;
}
interface DataPacket {
  op: 'data';
  block: number;
  payload: Buffer;
}
interface AckPacket {
  op: 'ack';
  block: number;
}
interface ErrorPacket {
  op: 'error';
  code: number;
  message: string;
}
interface OackPacket {
  op: 'oack';
  options: Map<string, string>;
}
export type TftpPacket = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket;

export type ParseResult = { ok: true; packet: TftpPacket } | { ok: false; reason: string };

const MODES: ReadonlySet<string> = new Set(['octet', 'netascii', 'mail']);

/** Split a run of NUL-terminated strings; null if the last one is not terminated. */
function nulStrings(buf: Buffer, start: number): string[] | null {
  const out: string[] = [];
  let pos = start;
  while (pos < buf.length) {
    const end = buf.indexOf(0, pos);
    if (end < 0) return null;
    out.push(buf.toString('utf8', pos, end));
    pos = end + 1;
  }
  return out;
}

function parseOptions(strings: string[], what: string): Map<string, string> | string {
  if (strings.length % 2 !== 0) return `${what}: option "${strings.at(-1)}" has no value`;
  const options = new Map<string, string>();
  for (let i = 0; i + 1 < strings.length; i += 2) {
    const name = (strings[i] ?? '').toLowerCase();
    const value = strings[i + 1] ?? '';
    if (name === '') return `${what}: empty option name`;
    // A repeated option keeps its first value, like tftp-hpa.
    if (!options.has(name)) options.set(name, value);
  }
  return options;
}

export function parsePacket(buf: Buffer): ParseResult {
  if (buf.length < 2) return { ok: false, reason: `packet too short (${buf.length} bytes)` };
  const opcode = buf.readUInt16BE(0);
  switch (opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ: {
      const what = opcode === Opcode.RRQ ? 'RRQ' : 'WRQ';
      const strings = nulStrings(buf, 2);
      if (!strings) return { ok: false, reason: `${what}: string not NUL-terminated` };
      if (strings.length < 2) return { ok: false, reason: `${what}: missing filename or mode` };
      const [filename, rawMode, ...rest] = strings as [string, string, ...string[]];
      if (filename === '') return { ok: false, reason: `${what}: empty filename` };
      const mode = rawMode.toLowerCase();
      if (!MODES.has(mode)) return { ok: false, reason: `${what}: unknown mode "${rawMode}"` };
      const options = parseOptions(rest, what);
      if (typeof options === 'string') return { ok: false, reason: options };
      return {
        ok: true,
        packet: { op: opcode === Opcode.RRQ ? 'rrq' : 'wrq', filename, mode: mode as TftpMode, options },
      };
    }
    case Opcode.DATA:
      if (buf.length < 4) return { ok: false, reason: 'DATA: shorter than its header' };
      return { ok: true, packet: { op: 'data', block: buf.readUInt16BE(2), payload: buf.subarray(4) } };
    case Opcode.ACK:
      if (buf.length < 4) return { ok: false, reason: 'ACK: shorter than its header' };
      return { ok: true, packet: { op: 'ack', block: buf.readUInt16BE(2) } };
    case Opcode.ERROR: {
      if (buf.length < 4) return { ok: false, reason: 'ERROR: shorter than its header' };
      // Some clients omit the trailing NUL of the message; accept it (we only log the text).
      const end = buf.indexOf(0, 4);
      return {
        ok: true,
        packet: {
          op: 'error',
          code: buf.readUInt16BE(2),
          message: buf.toString('utf8', 4, end < 0 ? buf.length : end),
        },
      };
    }
    case Opcode.OACK: {
      const strings = nulStrings(buf, 2);
      if (!strings) return { ok: false, reason: 'OACK: string not NUL-terminated' };
      const options = parseOptions(strings, 'OACK');
      if (typeof options === 'string') return { ok: false, reason: options };
      return { ok: true, packet: { op: 'oack', options } };
    }
    default:
      return { ok: false, reason: `unknown opcode ${opcode}` };
  }
}

function encodeStrings(opcode: number, strings: string[]): Buffer {
  const parts = strings.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.alloc(2 + parts.reduce((n, p) => n + p.length + 1, 0));
  out.writeUInt16BE(opcode, 0);
  let pos = 2;
  for (const p of parts) {
    p.copy(out, pos);
    pos += p.length + 1; // the NUL is already there (alloc zero-fills)
  }
  return out;
}

export function encodeRequest(
  p: Omit<RequestPacket, 'options'> & { options?: Map<string, string> | Array<[string, string]> },
): Buffer {
  const opts = p.options ? [...p.options].flat() : [];
  return encodeStrings(p.op === 'rrq' ? Opcode.RRQ : Opcode.WRQ, [p.filename, p.mode, ...opts]);
}

export function encodeOack(options: Iterable<[string, string]>): Buffer {
  return encodeStrings(Opcode.OACK, [...options].flat());
}

export function encodeAck(block: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt16BE(Opcode.ACK, 0);
  out.writeUInt16BE(block & 0xffff, 2);
  return out;
}

export function encodeError(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const out = Buffer.alloc(5 + text.length);
  out.writeUInt16BE(Opcode.ERROR, 0);
  out.writeUInt16BE(code, 2);
  text.copy(out, 4);
  return out;
}

export function encodeData(block: number, payload: Buffer): Buffer {
  return Buffer.concat([dataHeader(block), payload]);
}

let headers: Buffer | null = null;

/**
 * The 4-byte DATA header for a block number. Headers are immutable and shared (one 256 KiB table for
 * the whole process), so a send still queued in the kernel path can never see a header rewritten for a
 * later block — which a single reused header buffer would allow.
 */
export function dataHeader(block: number): Buffer {
  if (!headers) {
    headers = Buffer.allocUnsafe(4 * 65536);
    for (let b = 0; b < 65536; b++) {
      headers.writeUInt16BE(Opcode.DATA, b * 4);
      headers.writeUInt16BE(b, b * 4 + 2);
    }
  }
  const b = block & 0xffff;
  return headers.subarray(b * 4, b * 4 + 4);
}
