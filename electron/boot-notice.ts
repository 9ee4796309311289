/** What the desktop notification says when a new PC starts network-booting. Pure. */
import type { ClientState, Firmware } from '../main/contract';

const FIRMWARE_NAMES: Record<Firmware, string> = {
  bios: 'BIOS',
  uefi: 'UEFI',
  'uefi-http': 'UEFI HTTP boot',
  ipxe: 'iPXE',
  unknown: 'unknown firmware',
};

export function bootNotice(client: ClientState): { title: string; body: string } {
  const ip = client.ip ? ` at ${client.ip}` : '';
  return {
    title: 'A PC is network-booting',
    body: `${client.mac}${ip} (${FIRMWARE_NAMES[client.firmware]}) asked Bootdrop for a boot file.`,
  };
}
