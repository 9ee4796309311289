/**
 * Who the simulated PCs of a boot storm are: PC i has one MAC (its DHCP chaddr and its macvlan device's
 * address) and one address. Shared by the namespace setup (storm-lan.ts) and the client process
 * (../storm-client.ts), so the chaddr a PC sends is the MAC its packets carry on the wire.
 */

/** Simulated PCs at most: one address each in <net>.100-249. */
export const MAX_STORM_PCS = 150;

export function stormMac(i: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `52:54:00:be:${hex(i >> 8)}:${hex(i & 0xff)}`;
}

/** PC i's address in `net` ('10.232.0'), as the LAN's DHCP server would have handed it out. */
export function stormAddress(net: string, i: number): string {
  return `${net}.${100 + i}`;
}
