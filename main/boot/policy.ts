/**
 * The one question the DHCP server asks the boot-planning layer: "this machine, this firmware:
 * what should it boot?" The policy knows nothing about sockets (pixiecore's split).
 */

/** RFC 4578 option 93 values (plus the IANA registry's later additions), named by what they are. */
export type ClientArch =
  | 'bios' // 0 x86 BIOS
  | 'efi-ia32' // 6
  | 'efi-x64' // 7, and 9 (RFC 4578's "EFI BC" is x64 on real firmware)
  | 'efi-arm32' // 10
  | 'efi-arm64' // 11
  | 'efi-x64-http' // 16 x64 UEFI HTTP Boot
  | 'unsupported';

export interface ClientFacts {
  mac: string; // aa:bb:cc:dd:ee:ff
  archCode: number | null; // option 93, null when absent (treated as BIOS, as dnsmasq does)
  arch: ClientArch;
  vendorClass: string; // option 60
  userClass: string | null; // option 77 ("iPXE")
  isIpxe: boolean; // option 77 "iPXE" or option 175 present
  uuid: string | null; // option 97 as hex
  /** Address of the client when known (the 4011 exchange and own-DHCP mode know it). */
  ip: string | null;
}

export type BootDecision =
  /** TFTP boot file path inside the served tree (BIOS/UEFI PXE). */
  | { kind: 'tftp'; file: string }
  /** URL the client fetches by HTTP (UEFI HTTP Boot's loader, or the iPXE script for iPXE). */
  | { kind: 'http'; url: string }
  /** Do not answer; the reason is logged. */
  | { kind: 'ignore'; reason: string };

/** What the DHCP side knows about the exchange, beyond the client's own packet. */
export interface DecideContext {
  /**
   * Bootdrop hands out the address (own-DHCP mode): the client's whole DHCP answer is ours, so a boot
   * loader that ignores proxyDHCP (Debian's signed GRUB) still finds our TFTP server.
   */
  ownDhcp: boolean;
}

export interface BootPolicy {
  /**
   * `serverIp` is the serving interface's address, for building URLs. Must stay pure (no logging,
   * events or state changes): DHCP's start-up warm-up calls it with synthetic clients
   * (main/dhcp/warm-up.ts). It may read state kept elsewhere (what a PC fetched before).
   */
  decide(facts: ClientFacts, serverIp: string, ctx?: DecideContext): BootDecision;
}
