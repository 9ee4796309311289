/**
 * PxePolicy: the boot chain. Firmware PXE ROMs get an iPXE build over TFTP, UEFI HTTP Boot gets iPXE
 * over HTTP, and any iPXE (ours, or a NIC's own ROM) gets the menu script over HTTP. Kernels, initrds
 * and root file systems then travel over HTTP only.
 */
import { BOOT_SCRIPT_PATH, httpUrl, loaderPath } from './paths';
import type { BootDecision, BootPolicy, ClientArch, ClientFacts } from './policy';

export interface PxePolicyOptions {
  httpPort: number;
  /**
   * Loader file names under /loaders per client architecture. Defaults: BIOS undionly.kpxe (uses the
   * ROM's UNDI driver, works on any PXE NIC), UEFI x64 PXE snponly.efi (the firmware's own network
   * driver, SNP/NII, the one that just PXE-booted), UEFI HTTP Boot snponly.efi over HTTP. ia32/ARM have
   * no bundled loader: add one here.
   */
  loaders?: Partial<Record<ClientArch, string>>;
  /**
   * Classic mode: BIOS PXE clients get the ISO's own PXELINUX (served-tree path, e.g.
   * '/arch/boot/syslinux/lpxelinux.0') instead of iPXE. See classic.ts.
   */
  classicPxelinuxLoader?: string | null;
}

/**
 * UEFI PXE gets snponly.efi: the 2019 ipxe.efi carries its own NIC drivers and has none for many
 * current chips (Realtek RTL8125, Intel I225/I226, Aquantia), so on those PCs it finds no network and
 * never fetches a menu; snponly.efi drives whatever NIC the firmware just PXE-booted from through the
 * firmware's SNP/NII protocol. The menu request says which driver ran (pc-facts.ts: chip SNP/NII).
 * UEFI HTTP Boot gets snponly.efi too: HttpBootDxe starts it on a child of the NIC's handle (device
 * path …/MAC/IPv4/URI), and iPXE finds the SNP on that path's NIC (OVMF, boot-uefi-http.test.ts).
 */
const DEFAULT_LOADERS: Readonly<Partial<Record<ClientArch, string>>> = {
  bios: 'undionly.kpxe',
  'efi-x64': 'snponly.efi',
  'efi-x64-http': 'snponly.efi',
};

const ARCH_NAMES: Record<ClientArch, string> = {
  bios: 'x86 BIOS',
  'efi-ia32': '32-bit x86 UEFI',
  'efi-x64': 'x64 UEFI',
  'efi-arm32': '32-bit ARM UEFI',
  'efi-arm64': '64-bit ARM UEFI',
  'efi-x64-http': 'x64 UEFI HTTP Boot',
  unsupported: 'unknown architecture',
};

export class PxePolicy implements BootPolicy {
  private readonly loaders: Partial<Record<ClientArch, string>>;

  constructor(private readonly opts: PxePolicyOptions) {
    this.loaders = { ...DEFAULT_LOADERS, ...(opts.loaders ?? {}) };
  }

  decide(facts: ClientFacts, serverIp: string): BootDecision {
    const server = { ip: serverIp, httpPort: this.opts.httpPort };
    if (facts.isIpxe) {
      // Any iPXE can fetch the menu, whatever its platform (the script picks entries by ${platform}).
      return { kind: 'http', url: httpUrl(server, BOOT_SCRIPT_PATH) };
    }
    if (facts.arch === 'bios' && this.opts.classicPxelinuxLoader) {
      return { kind: 'tftp', file: this.opts.classicPxelinuxLoader };
    }
    const loader = this.loaders[facts.arch];
    if (!loader) {
      const code = facts.archCode === null ? 'no option 93' : `option 93 = ${facts.archCode}`;
      return {
        kind: 'ignore',
        reason: `${ARCH_NAMES[facts.arch]} client (${code}): Bootdrop has no boot loader for this architecture`,
      };
    }
    if (facts.arch === 'efi-x64-http') return { kind: 'http', url: httpUrl(server, loaderPath(loader)) };
    return { kind: 'tftp', file: loaderPath(loader) };
  }
}
