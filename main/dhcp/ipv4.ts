/** IPv4 addresses as the DHCP codec reads and writes them: four bytes ↔ a dotted quad. */
import { ipToInt } from '../net';

/** Write `ip` as 4 bytes at `off`; false (nothing written) if it is not a dotted quad. */
export function writeIpBytes(b: Uint8Array, off: number, ip: string): boolean {
  let n: number;
  try {
    n = ipToInt(ip);
  } catch {
    return false;
  }
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
