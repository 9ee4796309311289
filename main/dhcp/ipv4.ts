/**
 * Dotted-quad parsing for the DHCP hot path: one pass over the characters, no split/map/regex, no
 * arrays (main/net's ipToInt is the general-purpose one; this runs several times per packet).
 */

/** The address as an unsigned 32-bit number, or -1 if `ip` is not exactly four decimal octets. */
export function ipToU32(ip: string): number {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + octet;
}

/** Write `ip` as 4 bytes at `off`; false (nothing written) if it is not a dotted quad. */
export function writeIpBytes(b: Uint8Array, off: number, ip: string): boolean {
  const n = ipToU32(ip);
  if (n < 0) return false;
  b[off] = n >>> 24;
  b[off + 1] = (n >>> 16) & 255;
  b[off + 2] = (n >>> 8) & 255;
  b[off + 3] = n & 255;
  return true;
}

export const ZERO_IP = '0.0.0.0';

/** Four bytes at `off` as a dotted quad ('0.0.0.0' is the common case and not rebuilt). */
export function readIpBytes(b: Uint8Array, off: number): string {
  const a = b[off]!;
  const c = b[off + 1]!;
  const d = b[off + 2]!;
  const e = b[off + 3]!;
  if ((a | c | d | e) === 0) return ZERO_IP;
  return `${a}.${c}.${d}.${e}`;
}

/** `ip` is on the subnet `network`/`mask` (both precomputed as numbers); false for a malformed address. */
export function onSubnetU32(ip: string, network: number, mask: number): boolean {
  const n = ipToU32(ip);
  return n >= 0 && (n & mask) >>> 0 === network;
}

export function maskOf(prefix: number): number {
  return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
}
