/**
 * What a UEFI PC's fetches say about Secure Boot, and what to tell the user (README "Secure Boot").
 * Firmware cannot report that it refused a boot loader; Bootdrop sees only what the PC fetches next:
 *  - iPXE (snponly.efi, ipxe.efi) fetched, then the firmware asks again without iPXE ever fetching its
 *    menu: Secure Boot refused iPXE. The next PXE attempt gets the signed chain (SecureBootPolicy reads
 *    refusedIpxe). UEFI HTTP Boot (iPXE fetched over HTTP) has no signed chain: only PXE can offer it.
 *  - shim and GRUB fetched, GRUB never asks for grub.cfg: beside a router, Debian's signed GRUB asks
 *    the router's TFTP server (it ignores proxyDHCP) and ends at `grub>` after minutes.
 *  - GRUB fetched /secure-boot/refused/...: the user chose an entry Secure Boot cannot run (grub-menu.ts).
 *  - GRUB fetched /secure-boot/restart-ipxe/...: Secure Boot is off and the user chose an entry only iPXE
 *    runs; GRUB reboots the PC. Its next PXE request gets iPXE (wantsIpxe, once, for RESTART_MS), and its
 *    iPXE menu defaults to that entry (takeIpxePick). That firmware request is the expected restart.
 * Timers only produce notices; the state the policy reads changes on fetches alone.
 */
import { REFUSED_NOTE_PREFIX, RESTART_IPXE_PREFIX } from '../boot/grub-menu';
import { BOOT_SCRIPT_PATH } from '../boot/paths';
import {
  grubNeverAskedNotice,
  ipxeNeverRanNotice,
  restartedIpxeNeverRanNotice,
  restartIntoIpxeNotice,
  secureBootRefusedEntryNotice,
} from './errors';

export const SIGNED_CHAIN = 'Secure Boot chain: Debian shim → GRUB';
const IPXE_CHAIN = 'iPXE';

/** How long a loader may run before it should have fetched its menu. */
const MENU_WAIT_MS = 30_000;
/** How long a PC's "restart into iPXE" stands: its reboot and next PXE boot take well under this. */
const RESTART_MS = 5 * 60_000;

const SHIM = /^\/loaders\/shim(x64|aa64)\.efi$/i;
const GRUB = /^\/loaders\/grub(x64|aa64)\.efi$/i;
const IPXE = /^\/loaders\/(ipxe|snponly)\.efi$/i;
const GRUB_CFG = /(^|\/)grub\.cfg$/i;

interface Pc {
  /** ipxe.efi fully fetched, iPXE has not fetched its script since, and no shim was tried since. */
  ipxePending: boolean;
  /** GRUB fetched, grub.cfg not (yet). */
  grubPending: boolean;
  chain: string | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** GRUB asked to restart into iPXE for this entry (until `until`); `sent`: iPXE was handed out for it. */
  restart: { entryId: string; label: string; until: number; sent: boolean } | null;
}

export interface WatchOptions {
  /** Tell the user (log line + the PC's notice in the UI). */
  notice(mac: string, level: 'info' | 'warn', text: string): void;
  /** Is Bootdrop handing out addresses right now (own-DHCP)? */
  ownDhcp(): boolean;
  /** The label the menu shows for an entry id (for notices); absent or null: the id. */
  label?(entryId: string): string | null;
  waitMs?: number;
  now?: () => number;
}

export class SecureBootWatch {
  private pcs = new Map<string, Pc>();

  constructor(private readonly opts: WatchOptions) {}

  /** For SecureBootPolicy: this PC was given iPXE and came back without running it. */
  refusedIpxe(mac: string): boolean {
    return this.pcs.get(mac.toLowerCase())?.ipxePending === true;
  }

  /** For SecureBootPolicy: GRUB asked to restart this PC into iPXE, and iPXE was not handed out yet. */
  wantsIpxe(mac: string): boolean {
    const r = this.restartOf(mac.toLowerCase());
    return r !== null && !r.sent;
  }

  /** For this PC's iPXE menu: the entry it restarted into iPXE for, once (the mark is used up). */
  takeIpxePick(mac: string): { entryId: string; label: string } | null {
    const key = mac.toLowerCase();
    const r = this.restartOf(key);
    if (r === null || !r.sent) return null;
    this.pcs.get(key)!.restart = null;
    return { entryId: r.entryId, label: r.label };
  }

  private restartOf(key: string): Pc['restart'] {
    const pc = this.pcs.get(key);
    if (!pc?.restart) return null;
    if (pc.restart.until > this.now()) return pc.restart;
    pc.restart = null;
    return null;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The chain the PC is on, for the PCs panel. */
  chainOf(mac: string): string | null {
    return this.pcs.get(mac.toLowerCase())?.chain ?? null;
  }

  /** A finished (or started) fetch by `mac`; `via` http for a loader means UEFI HTTP Boot firmware. */
  sawFetch(
    mac: string,
    file: string,
    outcome: 'active' | 'done' | 'failed' | 'aborted',
    via: 'tftp' | 'http' = 'tftp',
  ): void {
    const key = mac.toLowerCase();
    const path = '/' + file.replace(/\\/g, '/').replace(/^\/+/, '');
    const pc = this.pcs.get(key) ?? { ipxePending: false, grubPending: false, chain: null, timer: null, restart: null };
    this.pcs.set(key, pc);
    if (this.pcs.size > 1000) this.forget(this.pcs.keys().next().value!);
    if (path.toLowerCase().startsWith(REFUSED_NOTE_PREFIX) && outcome === 'done') {
      const entry = entryOf(path, REFUSED_NOTE_PREFIX);
      this.opts.notice(key, 'warn', secureBootRefusedEntryNotice(entry));
      return;
    }
    if (path.toLowerCase().startsWith(RESTART_IPXE_PREFIX) && outcome === 'done') {
      const entryId = entryOf(path, RESTART_IPXE_PREFIX);
      const label = this.opts.label?.(entryId) ?? entryId;
      pc.restart = { entryId, label, until: this.now() + RESTART_MS, sent: false };
      this.opts.notice(key, 'info', restartIntoIpxeNotice(label));
      return;
    }
    const restart = this.restartOf(key);
    if (SHIM.test(path) && outcome === 'done') {
      pc.chain = SIGNED_CHAIN;
      pc.ipxePending = false; // the signed chain was tried: the next attempt may be iPXE again
      pc.restart = null; // it came back to the signed chain, not to iPXE: the restart is over
    } else if (GRUB.test(path) && outcome === 'done') {
      pc.grubPending = true;
      this.arm(key, pc, () => grubNeverAskedNotice(this.opts.ownDhcp()));
    } else if (GRUB_CFG.test(path) && outcome !== 'failed') {
      pc.grubPending = false;
      this.disarm(pc);
    } else if (IPXE.test(path) && outcome === 'done') {
      // After GRUB's restart the firmware itself starts iPXE: the expected step, not GRUB chaining it.
      if (restart) restart.sent = true;
      pc.chain = restart
        ? `${IPXE_CHAIN} (restarted from GRUB for "${restart.label}")`
        : pc.chain === SIGNED_CHAIN && pc.grubPending === false
          ? `${SIGNED_CHAIN} → iPXE`
          : IPXE_CHAIN;
      pc.ipxePending = true;
      // Secure Boot was off in GRUB, so an iPXE that never runs after the restart is not a refusal.
      const label = restart?.label;
      this.arm(key, pc, () =>
        label === undefined ? ipxeNeverRanNotice(this.opts.ownDhcp(), via) : restartedIpxeNeverRanNotice(label),
      );
    } else if (path.toLowerCase() === BOOT_SCRIPT_PATH && outcome !== 'failed') {
      pc.ipxePending = false;
      this.disarm(pc);
    }
  }

  clear(): void {
    for (const k of [...this.pcs.keys()]) this.forget(k);
  }

  private forget(key: string): void {
    const pc = this.pcs.get(key);
    if (pc) this.disarm(pc);
    this.pcs.delete(key);
  }

  private arm(mac: string, pc: Pc, text: () => string): void {
    this.disarm(pc);
    pc.timer = setTimeout(() => {
      pc.timer = null;
      this.opts.notice(mac, 'warn', text());
    }, this.opts.waitMs ?? MENU_WAIT_MS);
    pc.timer.unref?.();
  }

  private disarm(pc: Pc): void {
    if (pc.timer) clearTimeout(pc.timer);
    pc.timer = null;
  }
}

/** The entry id in a note's path (grub-menu.ts refusedNotePath / restartIntoIpxePath). */
function entryOf(path: string, prefix: string): string {
  return path
    .slice(prefix.length)
    .replace(/\.txt$/i, '')
    .replace('/', ':');
}
