/**
 * The two ICMPv6 Neighbor Discovery messages Bootdrop deals in (RFC 4861 §4.1, §4.2), without I/O.
 *
 * The router advertisement is the smallest one that ends iPXE's IPv6 autoconfiguration: iPXE's
 * ipv6conf finishes on the first router advertisement it solicited, and starts DHCPv6 only when the
 * M or O flag is set (src/net/ndp.c). So: M=0 O=0, router lifetime 0 ("not a default router"), no
 * prefix option (nobody configures an address from it), reachable time and retransmit timer 0
 * ("unspecified"), cur hop limit 0 ("unspecified"), and only the source link-layer address option.
 */

const ICMPV6_ROUTER_SOLICITATION = 133;
const ICMPV6_ROUTER_ADVERTISEMENT = 134;
const OPTION_SOURCE_LINK_LAYER = 1;

/** The fields of a router advertisement (RFC 4861 §4.2). */
export interface RouterAdvertisement {
  curHopLimit: number;
  managed: boolean;
  otherConfig: boolean;
  routerLifetimeSec: number;
  reachableTimeMs: number;
  retransTimerMs: number;
  /** Source link-layer address option, aa:bb:cc:dd:ee:ff; null = none. */
  sourceMac: string | null;
  /** Types of any other options present (a prefix option is 3). */
  otherOptions: number[];
}

function macBytes(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new Error(`router advertisement: "${mac}" is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/**
 * Bootdrop's router advertisement for an interface with hardware address `mac`: 24 bytes, checksum 0
 * (the kernel computes it for raw ICMPv6 sockets).
 */
export function encodeBootdropAdvertisement(mac: string): Buffer {
  const b = Buffer.alloc(24);
  b[0] = ICMPV6_ROUTER_ADVERTISEMENT;
  // [1] code 0, [2..3] checksum, [4] cur hop limit 0, [5] flags M=0 O=0, [6..7] router lifetime 0,
  // [8..11] reachable time 0, [12..15] retrans timer 0: all zero.
  b[16] = OPTION_SOURCE_LINK_LAYER;
  b[17] = 1; // length in units of 8 bytes
  macBytes(mac).copy(b, 18);
  return b;
}

/** Reads a router advertisement (tests and the peer's view); throws on anything else. */
export function decodeRouterAdvertisement(b: Buffer): RouterAdvertisement {
  if (b.length < 16 || b[0] !== ICMPV6_ROUTER_ADVERTISEMENT || b[1] !== 0) {
    throw new Error(`not a router advertisement (type ${b[0]}, ${b.length} bytes)`);
  }
  const ra: RouterAdvertisement = {
    curHopLimit: b[4]!,
    managed: (b[5]! & 0x80) !== 0,
    otherConfig: (b[5]! & 0x40) !== 0,
    routerLifetimeSec: b.readUInt16BE(6),
    reachableTimeMs: b.readUInt32BE(8),
    retransTimerMs: b.readUInt32BE(12),
    sourceMac: null,
    otherOptions: [],
  };
  for (let at = 16; at < b.length;) {
    const type = b[at]!;
    const len = (b[at + 1] ?? 0) * 8;
    if (len === 0 || at + len > b.length) throw new Error(`router advertisement: bad option length at byte ${at}`);
    if (type === OPTION_SOURCE_LINK_LAYER && len === 8) {
      ra.sourceMac = [...b.subarray(at + 2, at + 8)].map((x) => x.toString(16).padStart(2, '0')).join(':');
    } else ra.otherOptions.push(type);
    at += len;
  }
  return ra;
}

/** True for a well-formed router solicitation (type 133, code 0, at least its 8-byte header). */
export function isRouterSolicitation(b: Buffer): boolean {
  return b.length >= 8 && b[0] === ICMPV6_ROUTER_SOLICITATION && b[1] === 0;
}
