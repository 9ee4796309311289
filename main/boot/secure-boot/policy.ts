/**
 * SecureBootPolicy: which chain a UEFI PC gets, with no setting (README "Secure Boot"). DHCP cannot
 * tell whether Secure Boot is on, so:
 *  - x64 UEFI PXE on a cable where Bootdrop hands out the address (own-DHCP): the signed chain, Debian's
 *    shim → GRUB. It boots with Secure Boot on and off; with it off, GRUB's menu restarts the PC into
 *    iPXE for what only iPXE can boot (grub-menu.ts): that PC's next request (wantsIpxe) gets iPXE.
 *  - x64 UEFI PXE beside a router (proxyDHCP): iPXE first, as before — Debian's GRUB ignores proxyDHCP
 *    and would ask the router for its files. A PC that fetched ipxe.efi and then asks again as firmware
 *    without ever running iPXE (Secure Boot refused it) gets the signed chain on that next attempt;
 *    the session's watch explains what happens then (secure-boot-watch.ts).
 *  - ARM64 UEFI (arch 11): the signed arm64 chain (no arm64 iPXE is bundled).
 * iPXE clients, BIOS and UEFI HTTP Boot are the inner policy's (PxePolicy).
 */
import { loaderPath } from '../paths';
import type { BootDecision, BootPolicy, ClientFacts, DecideContext } from '../policy';

export const SHIM_X64 = 'shimx64.efi';
const SHIM_AA64 = 'shimaa64.efi';

export interface SecureBootPolicyOptions {
  /** A PC that was given ipxe.efi and came back as firmware without running it (read-only). */
  refusedIpxe?: (mac: string) => boolean;
  /** A PC whose GRUB (Secure Boot off) asked to restart into iPXE, once (read-only; wins over own-DHCP). */
  wantsIpxe?: (mac: string) => boolean;
}

export class SecureBootPolicy implements BootPolicy {
  constructor(
    private readonly inner: BootPolicy,
    private readonly opts: SecureBootPolicyOptions = {},
  ) {}

  decide(facts: ClientFacts, serverIp: string, ctx?: DecideContext): BootDecision {
    if (!facts.isIpxe && /^PXEClient/.test(facts.vendorClass)) {
      if (facts.arch === 'efi-arm64') return { kind: 'tftp', file: loaderPath(SHIM_AA64) };
      // A refusal wins: iPXE already failed to run there, so never loop back into it.
      if (facts.arch === 'efi-x64' && this.opts.refusedIpxe?.(facts.mac) === true)
        return { kind: 'tftp', file: loaderPath(SHIM_X64) };
      if (facts.arch === 'efi-x64' && ctx?.ownDhcp === true && this.opts.wantsIpxe?.(facts.mac) !== true)
        return { kind: 'tftp', file: loaderPath(SHIM_X64) };
    }
    return this.inner.decide(facts, serverIp, ctx);
  }
}
