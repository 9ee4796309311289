/**
 * PXE and iPXE option values (RFC 4578 options 93/94/97, PXE 2.1 option 43 sub-options, RFC 3004
 * user class, iPXE's option 175). Pure encoders/decoders over option data.
 */
import type { DhcpOption } from './codec';
import { DhcpDecodeError, DhcpEncodeError } from './codec';

/** PXE 2.1 option 43 sub-option codes. */
export const PxeSub = {
  discoveryControl: 6,
  bootServers: 8,
  bootMenu: 9,
  menuPrompt: 10,
  bootItem: 71,
} as const;

/**
 * Discovery control bits (PXE 2.1 spec, table 2-1). 8 = "if a boot file name is present in the
 * (proxy) offer, download it right away": no menu, no boot server discovery. dnsmasq sends the same
 * when it has a boot file and no pxe-service menu.
 */
export const DISCOVERY_USE_BOOTFILE = 0x08;

/** Encapsulated sub-options (code, length, data; END optional) as used by options 43 and 175. */
export function decodeSubOptions(data: Buffer, where = 'encapsulated option'): DhcpOption[] {
  const out: DhcpOption[] = [];
  let i = 0;
  while (i < data.length) {
    const code = data[i]!;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255) break;
    if (i + 1 >= data.length) throw new DhcpDecodeError(`sub-option ${code} in ${where} has no length byte`);
    const len = data[i + 1]!;
    if (i + 2 + len > data.length) throw new DhcpDecodeError(`sub-option ${code} in ${where} overruns its option`);
    out.push({ code, data: data.subarray(i + 2, i + 2 + len) }); // a view, read-only like the option
    i += 2 + len;
  }
  return out;
}

export function encodeSubOptions(subs: DhcpOption[]): Buffer {
  let size = 1; // END
  for (const s of subs) {
    if (s.data.length > 255)
      throw new DhcpEncodeError(`sub-option ${s.code} is ${s.data.length} bytes, at most 255 fit`);
    size += 2 + s.data.length;
  }
  const b = Buffer.allocUnsafe(size);
  let off = 0;
  for (const s of subs) {
    b[off] = s.code;
    b[off + 1] = s.data.length;
    b.set(s.data, off + 2);
    off += 2 + s.data.length;
  }
  b[off] = 255;
  return b;
}

// PXE option 43 sub-option builders.
export function discoveryControl(bits: number): DhcpOption {
  return { code: PxeSub.discoveryControl, data: Buffer.from([bits]) };
}

export function bootServers(servers: Array<{ type: number; ips: string[] }>): DhcpOption {
  const parts = servers.map((s) => {
    const b = Buffer.alloc(3 + 4 * s.ips.length);
    b.writeUInt16BE(s.type, 0);
    b[2] = s.ips.length;
    s.ips.forEach((ip, i) => Buffer.from(ip.split('.').map(Number)).copy(b, 3 + 4 * i));
    return b;
  });
  return { code: PxeSub.bootServers, data: Buffer.concat(parts) };
}

export function bootMenu(items: Array<{ type: number; label: string }>): DhcpOption {
  const parts = items.map((it) => {
    const label = Buffer.from(it.label, 'latin1');
    const head = Buffer.alloc(3);
    head.writeUInt16BE(it.type, 0);
    head[2] = label.length;
    return Buffer.concat([head, label]);
  });
  return { code: PxeSub.bootMenu, data: Buffer.concat(parts) };
}

export function menuPrompt(timeoutSec: number, prompt: string): DhcpOption {
  return {
    code: PxeSub.menuPrompt,
    data: Buffer.concat([Buffer.from([timeoutSec & 255]), Buffer.from(prompt, 'latin1')]),
  };
}

export function decodeBootServers(data: Buffer): Array<{ type: number; ips: string[] }> {
  const out: Array<{ type: number; ips: string[] }> = [];
  let i = 0;
  while (i < data.length) {
    if (i + 3 > data.length) throw new DhcpDecodeError('PXE boot servers (sub-option 8) entry is cut short');
    const type = data.readUInt16BE(i);
    const n = data[i + 2]!;
    if (i + 3 + 4 * n > data.length)
      throw new DhcpDecodeError(`PXE boot servers (sub-option 8) lists ${n} addresses that do not fit`);
    const ips = Array.from({ length: n }, (_, k) => [...data.subarray(i + 3 + 4 * k, i + 7 + 4 * k)].join('.'));
    out.push({ type, ips });
    i += 3 + 4 * n;
  }
  return out;
}

export function decodeBootMenu(data: Buffer): Array<{ type: number; label: string }> {
  const out: Array<{ type: number; label: string }> = [];
  let i = 0;
  while (i < data.length) {
    if (i + 3 > data.length) throw new DhcpDecodeError('PXE boot menu (sub-option 9) entry is cut short');
    const len = data[i + 2]!;
    if (i + 3 + len > data.length) throw new DhcpDecodeError('PXE boot menu (sub-option 9) label overruns the option');
    out.push({ type: data.readUInt16BE(i), label: data.subarray(i + 3, i + 3 + len).toString('latin1') });
    i += 3 + len;
  }
  return out;
}

export function decodeMenuPrompt(data: Buffer): { timeoutSec: number; prompt: string } {
  if (data.length < 1) throw new DhcpDecodeError('PXE menu prompt (sub-option 10) is empty');
  return { timeoutSec: data[0]!, prompt: data.subarray(1).toString('latin1') };
}

export function bootItem(type: number, layer: number): DhcpOption {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(layer, 2);
  return { code: PxeSub.bootItem, data: b };
}

export function decodeBootItem(data: Buffer): { type: number; layer: number } | null {
  return data.length === 4 ? { type: data.readUInt16BE(0), layer: data.readUInt16BE(2) } : null;
}

/** Option 93: a list of 16-bit architecture types (RFC 4578 2.1); the first is the one in use. */
export function decodeClientArch(data: Buffer): number[] {
  if (data.length === 0 || data.length % 2 !== 0)
    throw new DhcpDecodeError(`option 93 (client architecture) has ${data.length} bytes, expected a multiple of 2`);
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 2) out.push(data.readUInt16BE(i));
  return out;
}

/** The architecture in use: option 93's first entry (validated as decodeClientArch does, without the list). */
export function clientArchInUse(data: Buffer): number {
  if (data.length === 0 || data.length % 2 !== 0)
    throw new DhcpDecodeError(`option 93 (client architecture) has ${data.length} bytes, expected a multiple of 2`);
  return (data[0]! << 8) | data[1]!;
}

export function encodeClientArch(archs: number[]): Buffer {
  const b = Buffer.alloc(2 * archs.length);
  archs.forEach((a, i) => b.writeUInt16BE(a, 2 * i));
  return b;
}

/** Option 94: network interface identifier (type 1 = UNDI, then major, minor). */
export function decodeClientNdi(data: Buffer): { type: number; major: number; minor: number } {
  if (data.length !== 3)
    throw new DhcpDecodeError(`option 94 (network interface id) has ${data.length} bytes, expected 3`);
  return { type: data[0]!, major: data[1]!, minor: data[2]! };
}

/** Option 97: type 0 followed by a 16-byte GUID (RFC 4578 2.3). Returned as 32 hex digits. */
export function decodeClientUuid(data: Buffer): string {
  if (data.length !== 17 || data[0] !== 0)
    throw new DhcpDecodeError(`option 97 (client machine id) must be type 0 plus 16 bytes, got ${data.length} bytes`);
  return data.subarray(1).toString('hex');
}

/**
 * Option 77 user class. RFC 3004 says a list of length-prefixed strings; iPXE (and many others)
 * send a bare string ("iPXE"). Parse as RFC 3004 only when the lengths tile the option exactly and
 * every class is printable, otherwise take the bytes as one raw string.
 */
export function decodeUserClass(data: Buffer): { format: 'rfc3004' | 'raw'; classes: string[] } {
  const classes: string[] = [];
  let i = 0;
  let ok = data.length > 0;
  while (ok && i < data.length) {
    const len = data[i]!;
    if (len === 0 || i + 1 + len > data.length) ok = false;
    else {
      for (let k = i + 1; k < i + 1 + len; k++) if (data[k]! < 0x20 || data[k]! >= 0x7f) ok = false;
      classes.push(data.toString('latin1', i + 1, i + 1 + len));
      i += 1 + len;
    }
  }
  if (ok) return { format: 'rfc3004', classes };
  const nul = data.indexOf(0);
  return { format: 'raw', classes: [data.toString('latin1', 0, nul < 0 ? data.length : nul)] };
}

export function encodeUserClassRfc3004(classes: string[]): Buffer {
  return Buffer.concat(classes.map((c) => Buffer.concat([Buffer.from([c.length]), Buffer.from(c, 'latin1')])));
}
