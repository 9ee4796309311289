/**
 * Engine events as short human lines, for `bootdrop serve` (and anything else that prints a log):
 * one line per client step — DHCP, loader, menu, kernel, initrd, root file system — with sizes and
 * rates. Pure: events in, lines out.
 */
import type { ClientStage, EngineEvent, Firmware, ServingState, TransferProgress } from '../contract';
import { roleOfFile, type FileRole, type KnownRoles } from './stage';
import { formatBytes, formatRate } from '../transfer';

export { formatBytes };

const FIRMWARE: Record<Firmware, string> = {
  bios: 'BIOS PXE',
  uefi: 'UEFI PXE',
  'uefi-http': 'UEFI HTTP Boot',
  ipxe: 'iPXE',
  unknown: 'unknown firmware',
};
const STEP: Record<FileRole, string> = {
  loader: 'loader',
  menu: 'menu',
  kernel: 'kernel',
  initrd: 'initrd',
  rootfs: 'root file system',
};
const STAGE: Record<ClientStage, string> = {
  dhcp: 'DHCP',
  loader: 'loader',
  menu: 'menu',
  kernel: 'kernel',
  initrd: 'initrd',
  rootfs: 'root file system',
  done: 'booted (root file system loaded)',
  failed: 'failed',
};

export function describeMode(state: ServingState): string {
  const eff = state.effectiveMode;
  if (state.mode === 'auto' && eff === null) return 'auto mode (looking for a DHCP server on the link)';
  // Auto mode hands out addresses only on evidence of a bare cable: its own words say which.
  const auto = state.mode === 'auto' ? 'auto → ' : '';
  if (eff === 'dhcp' && auto && state.modeReason) return `auto → own DHCP mode (${state.modeReason})`;
  if (eff === 'dhcp') return `${auto}own DHCP mode (no other DHCP server: Bootdrop hands out addresses)`;
  return `${auto}proxy DHCP mode (the existing DHCP server keeps handing out addresses)`;
}

export class Narrator {
  private stages = new Map<string, ClientStage>();
  private firmware = new Map<string, Firmware>();
  private lastEffective: string | null = null;

  constructor(private readonly roles: () => KnownRoles = () => new Map()) {}

  /** Lines for one event (often none: progress ticks are summarised when a transfer ends). */
  lines(event: EngineEvent): string[] {
    switch (event.type) {
      case 'state':
        return this.onState(event.state);
      case 'client': {
        const c = event.client;
        const before = this.stages.get(c.mac);
        const fwBefore = this.firmware.get(c.mac);
        this.stages.set(c.mac, c.stage);
        this.firmware.set(c.mac, c.firmware);
        const out: string[] = [];
        if (c.stage === 'dhcp' && (before !== 'dhcp' || fwBefore !== c.firmware)) {
          out.push(
            `${c.mac}  DHCP: ` +
              `${FIRMWARE[c.firmware]}${c.ip ? ` at ${c.ip}` : ''}${c.arch !== null ? ` (arch ${c.arch})` : ''}`,
          );
        } else if (c.stage === 'done' && before !== 'done') {
          out.push(`${c.mac}  ${STAGE.done}`);
        } else if (c.stage === 'failed' && before !== 'failed') {
          const last = c.transfers.at(-1);
          out.push(`${c.mac}  failed${last ? ` fetching ${last.file}: ${last.error ?? last.outcome}` : ''}`);
        }
        return out;
      }
      case 'transfer':
        return this.onTransfer(event.transfer);
      case 'log':
        return event.entry.level === 'warn' || event.entry.level === 'error'
          ? [`${event.entry.level}: ${event.entry.scope}: ${event.entry.message}`]
          : [];
      default:
        return [];
    }
  }

  private onState(s: ServingState): string[] {
    if (s.error) return [];
    if (!s.serving) {
      this.lastEffective = null;
      return [];
    }
    const key = `${s.mode}/${s.effectiveMode}`;
    if (this.lastEffective === null || this.lastEffective === key) {
      this.lastEffective = key;
      return [];
    }
    this.lastEffective = key;
    return [`mode: ${describeMode(s)}`];
  }

  private onTransfer(t: TransferProgress): string[] {
    if (t.outcome === 'active') return [];
    const role = roleOfFile(t.file, this.roles());
    const who = t.mac ?? t.clientIp;
    const step = role ? STEP[role] : 'file';
    const proto = t.protocol.toUpperCase();
    if (t.outcome === 'done') {
      const secs = t.endedAt !== null ? (t.endedAt - t.startedAt) / 1000 : 0;
      return [
        `${who}  ${step}: ${t.file} ${formatBytes(t.bytes)} in ${secs.toFixed(1)} s (${formatRate(t.rate)}, ${proto})`,
      ];
    }
    // EDK2 and iPXE ask for a loader's size and hang up: routine, not worth a line.
    if (t.outcome === 'aborted' && t.bytes === 0) return [];
    return [
      `${who}  ${step}: ${t.file} ${t.outcome} after ${formatBytes(t.bytes)}${t.error ? `: ${t.error}` : ''} ` +
        `(${proto})`,
    ];
  }
}
