/**
 * Pure formatting and ordering helpers for the screen. Sizes use decimal units (kB, MB, GB), the way
 * file managers and disk labels count, so "4.7 GB" here matches what the user sees elsewhere.
 */
import type { ClientStage, Firmware, LogLevel, NetInterface, PcInfo, ServeMode } from '../../main/contract/index';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  // Thresholds sit where rounding would print "1000 kB" or "100.0 MB".
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 99.95 ? value.toFixed(1) : value.toFixed(0)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Seconds left at the current rate, or null when it cannot be known (no total, no rate, finished). */
export function eta(bytes: number, total: number | null, rate: number): number | null {
  if (total === null || !Number.isFinite(rate) || rate <= 0 || bytes >= total) return null;
  return Math.ceil((total - bytes) / rate);
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function formatEta(seconds: number | null): string {
  return seconds === null ? '' : `${formatDuration(seconds)} left`;
}

/** Fraction done in [0, 1], or null when the size is unknown (indeterminate progress). */
export function progressFraction(bytes: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.min(1, Math.max(0, bytes / total));
}

/** The steps of a network boot, in the order a PC goes through them. */
export const BOOT_STEPS = ['dhcp', 'loader', 'menu', 'kernel', 'initrd', 'rootfs'] as const;
export type BootStep = (typeof BOOT_STEPS)[number];

export const STEP_LABELS: Record<BootStep, { label: string; hint: string }> = {
  dhcp: { label: 'DHCP', hint: 'The PC asked the network how to boot' },
  loader: { label: 'Loader', hint: 'The PC downloaded the boot loader' },
  menu: { label: 'Menu', hint: 'The boot menu is showing on the PC' },
  kernel: { label: 'Kernel', hint: 'Downloading the operating system kernel' },
  initrd: { label: 'Initrd', hint: 'Downloading the initial RAM disk' },
  rootfs: { label: 'Root file system', hint: 'The system is loading its files over the network' },
};

/** Position of a stage on the boot path: done is past the last step; failed is not on the path (-1). */
export function stageIndex(stage: ClientStage): number {
  if (stage === 'done') return BOOT_STEPS.length;
  if (stage === 'failed') return -1;
  return BOOT_STEPS.indexOf(stage);
}

/** The later of two stages on the boot path (failed never wins). */
export function furthestStage(a: ClientStage | undefined, b: ClientStage): ClientStage {
  if (a === undefined) return b;
  return stageIndex(b) > stageIndex(a) ? b : a;
}

export type StepStatus = 'done' | 'current' | 'todo' | 'failed';

/**
 * How one step looks for a client at `stage`. `reached` is the furthest stage seen for this client:
 * a failed client shows the step after the last one it reached as the failed one.
 */
export function stepStatus(step: BootStep, stage: ClientStage, reached: ClientStage = stage): StepStatus {
  const i = BOOT_STEPS.indexOf(step);
  if (stage === 'failed') {
    // Failed before we saw it get anywhere (e.g. already failed in the first snapshot): do not guess where.
    if (reached === 'failed') return 'todo';
    const last = Math.min(stageIndex(reached), BOOT_STEPS.length - 1);
    if (i < last) return 'done';
    return i === Math.max(last, 0) ? 'failed' : 'todo';
  }
  const at = stageIndex(stage);
  if (i < at) return 'done';
  return i === at ? 'current' : 'todo';
}

export const FIRMWARE_LABELS: Record<Firmware, string> = {
  bios: 'BIOS',
  uefi: 'UEFI',
  'uefi-http': 'UEFI (HTTP boot)',
  ipxe: 'iPXE',
  unknown: 'Unknown firmware',
};

/** RAM the way spec sheets write it (binary units, as the PC's own setup screen does): "256 MiB", "3.5 GiB". */
export function formatRam(mib: number): string {
  if (mib < 1024) return `${Math.round(mib)} MiB`;
  const gib = mib / 1024;
  return `${gib < 10 ? Math.round(gib * 10) / 10 : Math.round(gib)} GiB`;
}

/** What the PCs panel shows of what a PC's iPXE said about it (maker, model, RAM, firmware, driver). */
export interface PcFacts {
  name: string | null;
  ram: string | null;
  firmware: string | null;
  driver: string | null;
}

export function pcFacts(pc: PcInfo): PcFacts {
  const name = [pc.maker, pc.model].filter((x) => x !== null).join(' ');
  // SMBIOS counts the first memory range or module: at least that much
  const ram = pc.ramMiB === null ? null : `${pc.ramSource === 'smbios' ? '≥ ' : ''}${formatRam(pc.ramMiB)} RAM`;
  const firmware =
    pc.platform === 'pcbios' ? 'BIOS' : pc.platform === 'efi' ? `UEFI${pc.arch ? ` ${pc.arch}` : ''}` : pc.platform;
  const driver =
    pc.nic === null
      ? null
      : pc.nic === 'SNP' || pc.nic === 'NII'
        ? `firmware network driver (${pc.nic})`
        : `iPXE ${pc.nic} driver`;
  return { name: name || null, ram, firmware, driver };
}

export const MODE_LABELS: Record<ServeMode, { label: string; hint: string }> = {
  proxy: {
    label: 'Beside a router',
    hint: 'Your network already hands out addresses; Bootdrop only adds the boot instructions (proxy DHCP).',
  },
  dhcp: {
    label: 'Direct cable',
    hint: 'Bootdrop hands out addresses itself. Use this on a bare cable between this computer and the PC.',
  },
  auto: {
    label: 'Automatic',
    hint: 'Beside a router unless no DHCP server answers and the link looks like a direct cable; Bootdrop says which and why.',
  },
};

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function levelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[min];
}

/** "14:03:07" in local time. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** "bootdrop-log-2025-01-31-140307.txt" for an export made at `epochMs` (local time). */
export function logFileName(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `bootdrop-log-${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.txt`;
}

/**
 * SVG polyline points for a sparkline of `values` in a width×height box: oldest at the left, the peak
 * at the top, zero at the bottom. Fewer than two values draw nothing.
 */
export function sparklinePoints(values: readonly number[], width: number, height: number): string {
  if (values.length < 2) return '';
  const peak = Math.max(...values, 1);
  const step = width / (values.length - 1);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return values.map((v, i) => `${round(i * step)},${round(height - (Math.max(v, 0) / peak) * height)}`).join(' ');
}

/** "eth0 — 192.168.1.5/24, wired, link up" for the interface picker. */
export function describeInterface(i: NetInterface): string {
  const kind = i.kind === 'unknown' ? '' : `, ${i.kind}`;
  const address = i.address ? `${i.address}/${i.prefix}` : 'no address';
  return `${i.name} — ${address}${kind}, ${i.up ? 'link up' : 'no link'}${i.recommended ? ' (recommended)' : ''}`;
}

/** The interface to show as chosen: the engine's choice, else the recommended one, else the first. */
export function preselectedInterface(interfaces: NetInterface[], chosen: string | null): string | null {
  if (chosen && interfaces.some((i) => i.name === chosen)) return chosen;
  return (interfaces.find((i) => i.recommended) ?? interfaces[0])?.name ?? null;
}
