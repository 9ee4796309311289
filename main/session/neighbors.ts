import { readFileSync } from 'node:fs';

/**
 * The MAC of a LAN neighbour from the kernel's ARP table (Linux /proc/net/arp). A fallback for naming
 * clients in proxy mode: the home router gives the address, so our DHCP may never see which MAC got
 * which IP, but the kernel learned it the moment the client talked to us. Null elsewhere / not found.
 */
export function arpLookup(ip: string, table: () => string = readArp): string | null {
  let text: string;
  try {
    text = table();
  } catch {
    return null;
  }
  for (const line of text.split('\n').slice(1)) {
    const [addr, , flags, mac] = line.trim().split(/\s+/);
    // flags 0x0 is an incomplete entry; 00:00:00:00:00:00 likewise.
    if (addr === ip && mac && flags !== '0x0' && mac !== '00:00:00:00:00:00') return mac.toLowerCase();
  }
  return null;
}

function readArp(): string {
  if (process.platform !== 'linux') throw new Error('no /proc/net/arp');
  return readFileSync('/proc/net/arp', 'utf8');
}
