/** IPv4 address arithmetic on dotted quads (pure). */

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: "${ip}"`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`not an IPv4 address: "${ip}"`);
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function prefixToMask(prefix: number): string {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`bad prefix length ${prefix}`);
  return intToIp(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

export function maskToPrefix(mask: string): number {
  const n = ipToInt(mask);
  let prefix = 0;
  while (prefix < 32 && ((n >>> (31 - prefix)) & 1) === 1) prefix++;
  if ((n << prefix) >>> 0 !== 0) throw new Error(`netmask ${mask} is not contiguous`);
  return prefix;
}

/** The subnet an interface address sits on. */
export interface Subnet {
  address: string; // the host's own address
  prefix: number;
}

function maskInt(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function networkOf(s: Subnet): string {
  return intToIp((ipToInt(s.address) & maskInt(s.prefix)) >>> 0);
}

export function broadcastOf(s: Subnet): string {
  return intToIp((ipToInt(s.address) | ~maskInt(s.prefix)) >>> 0);
}

export function inSubnet(ip: string, s: Subnet): boolean {
  const m = maskInt(s.prefix);
  return (ipToInt(ip) & m) >>> 0 === (ipToInt(s.address) & m) >>> 0;
}
