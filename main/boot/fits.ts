/**
 * Fits this PC? Whether a boot entry can run on a PC, from what the entry needs (minRamMiB: casper and
 * friends copy the whole ISO to RAM) and what the PC's iPXE reported (pc-facts.ts). Pure.
 */
import type { BootEntry, PcInfo } from '../contract';

export interface Fit {
  fits: boolean;
  /** Why not, in one line: "Ubuntu 24.04 needs ~7 GiB, this PC has 4 GiB". null when it fits. */
  reason: string | null;
}

/** "256 MiB", "3.5 GiB", "16 GiB": what a person reads on a screen or a spec sheet. */
export function formatRam(mib: number): string {
  if (mib < 1024) return `${Math.round(mib)} MiB`;
  const gib = mib / 1024;
  return `${gib < 10 ? Math.round(gib * 10) / 10 : Math.round(gib)} GiB`;
}

/**
 * `name` is what the reason calls the entry (the OS name reads better than a kernel label). Unknown
 * RAM or an entry with no known need fits: only a PC that says it is too small is told so.
 */
export function fitOnPc(entry: Pick<BootEntry, 'minRamMiB'>, name: string, pc: PcInfo | null): Fit {
  const need = entry.minRamMiB;
  const have = pc?.ramMiB ?? null;
  if (need === undefined || have === null || have >= need) return { fits: true, reason: null };
  // SMBIOS gives a lower bound (the first memory range or module): say "reports", not "has".
  const verb = pc?.ramSource === 'memsize' ? 'has' : 'reports';
  return { fits: false, reason: `${name} needs ~${formatRam(need)}, this PC ${verb} ${formatRam(have)}` };
}

/** The PC in one line for its menu and the PCs panel: "QEMU Standard PC, 256 MiB RAM, BIOS". */
export function describePc(pc: PcInfo): string {
  const name = [pc.maker, pc.model].filter((x) => x !== null).join(' ') || 'Unknown PC';
  const parts = [name];
  if (pc.ramMiB !== null) parts.push(`${formatRam(pc.ramMiB)} RAM`);
  const fw = firmwareName(pc);
  if (fw) parts.push(fw);
  return parts.join(', ');
}

/** "BIOS", "UEFI x86_64": iPXE's ${platform} and ${buildarch} in the words the UI uses. */
function firmwareName(pc: PcInfo): string | null {
  if (pc.platform === 'pcbios') return 'BIOS';
  if (pc.platform === 'efi') return pc.arch ? `UEFI ${pc.arch}` : 'UEFI';
  return pc.platform;
}
