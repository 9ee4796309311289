/**
 * Per-client state, keyed by MAC: DHCP sightings and transfer progress folded into ClientState.
 * Pure bookkeeping (time is passed in); the session turns changes into 'client' events.
 */
import type { ClientState, Firmware, PcInfo, TransferProgress } from '../contract';
import { roleOfFile, stageAfterDhcp, stageAfterTransfer, type KnownRoles } from './stage';

/** What the session learns from one DHCP/proxyDHCP exchange. */
export interface DhcpSighting {
  mac: string;
  ip: string | null;
  firmware: Firmware;
  arch: number | null;
  entryId?: string | null;
}

const MAX_TRANSFERS = 20;
const MAX_CLIENTS = 500;
const MAX_ADDRESSES = 4 * MAX_CLIENTS;

export class ClientTable {
  /** In first-seen order (what list() shows). */
  private clients = new Map<string, ClientState>();
  /** The same clients, least recently seen first: a Map keeps insertion order, so touching one is a
   * delete + set and evicting the oldest is taking the first keys (no sort per new MAC). */
  private recency = new Map<string, ClientState>();
  private macByIp = new Map<string, string>();

  list(): ClientState[] {
    return [...this.clients.values()].map(copy);
  }

  get(mac: string): ClientState | undefined {
    const c = this.clients.get(mac.toLowerCase());
    return c && copy(c);
  }

  macForIp(ip: string): string | null {
    return this.macByIp.get(ip) ?? null;
  }

  clear(): void {
    this.clients.clear();
    this.recency.clear();
    this.macByIp.clear();
  }

  /**
   * Fold a DHCP sighting in; returns the updated client. A machine that is not network-booting (own-DHCP
   * mode leases to anything on the cable) only has its address noted, and is not listed as a client.
   */
  sawDhcp(s: DhcpSighting, now: number): ClientState | null {
    const mac = s.mac.toLowerCase();
    let c = this.clients.get(mac);
    if (!c && s.firmware === 'unknown') {
      if (s.ip) this.noteIp(s.ip, mac);
      return null;
    }
    if (!c) {
      c = {
        mac,
        ip: null,
        firmware: 'unknown',
        arch: null,
        entryId: null,
        stage: 'dhcp',
        transfers: [],
        firstSeen: now,
        lastSeen: now,
      };
      this.add(c);
    } else {
      const was = c.stage;
      c.stage = stageAfterDhcp(c.stage, c.lastSeen, now);
      if (c.stage === 'dhcp') c.transfers = [];
      if (c.stage === 'dhcp' && was !== 'dhcp') c.notice = null; // a new boot: the old advice is done with
    }
    if (s.ip) {
      c.ip = s.ip;
      this.noteIp(s.ip, mac);
    }
    // The PC's firmware is what first asked: a UEFI PC stays 'uefi' after it chains into our iPXE, and
    // the booted kernel's DHCP client (no PXE options) does not turn it into 'unknown'.
    if (c.firmware === 'unknown') c.firmware = s.firmware;
    if (s.arch !== null) c.arch = s.arch;
    if (s.entryId !== undefined && s.entryId !== null) c.entryId = s.entryId;
    this.touch(c, now);
    return copy(c);
  }

  /**
   * Fold a transfer progress event in. The client is found by the transfer's MAC, else by its IP
   * (DHCP told us); a transfer from an address DHCP never saw is not attributed (returns null).
   */
  sawTransfer(
    t: TransferProgress,
    known: KnownRoles,
    now: number,
    entryByKernel: ReadonlyMap<string, string> = new Map(),
  ): ClientState | null {
    const mac = t.mac?.toLowerCase() ?? this.macByIp.get(t.clientIp) ?? null;
    if (!mac) return null;
    let c = this.clients.get(mac);
    if (!c) {
      c = {
        mac,
        ip: t.clientIp,
        firmware: 'unknown',
        arch: null,
        entryId: null,
        stage: 'dhcp',
        transfers: [],
        firstSeen: now,
        lastSeen: now,
      };
      this.add(c);
    }
    c.ip = t.clientIp;
    this.noteIp(t.clientIp, mac);
    this.touch(c, now);
    const i = c.transfers.findIndex((x) => x.id === t.id);
    if (i >= 0) c.transfers[i] = { ...t, mac };
    else {
      c.transfers.push({ ...t, mac });
      if (c.transfers.length > MAX_TRANSFERS) c.transfers.splice(0, c.transfers.length - MAX_TRANSFERS);
    }
    c.stage = stageAfterTransfer(c.stage, roleOfFile(t.file, known), t.outcome, t.partial === true);
    // The kernel a client fetches names the menu entry it booted.
    const entryId = entryByKernel.get(('/' + t.file.replace(/^\/+/, '')).toLowerCase());
    if (entryId) c.entryId = entryId;
    return copy(c);
  }

  /**
   * Set what the Secure Boot watch learnt (chain, notice) or what the PC's iPXE said about it (pc);
   * returns the updated client, or null.
   */
  annotate(
    mac: string,
    patch: { chain?: string | null; notice?: string | null; pc?: PcInfo | null },
  ): ClientState | null {
    const c = this.clients.get(mac.toLowerCase());
    if (!c) return null;
    if (patch.chain !== undefined) c.chain = patch.chain;
    if (patch.notice !== undefined) c.notice = patch.notice;
    if (patch.pc !== undefined) c.pc = patch.pc;
    return copy(c);
  }

  private add(c: ClientState): void {
    this.clients.set(c.mac, c);
    this.recency.set(c.mac, c);
    // Forget the least recently seen clients beyond the cap (a busy LAN over days).
    for (const old of this.recency.values()) {
      if (this.clients.size <= MAX_CLIENTS) break;
      this.clients.delete(old.mac);
      this.recency.delete(old.mac);
      if (old.ip && this.macByIp.get(old.ip) === old.mac) this.macByIp.delete(old.ip);
    }
  }

  private touch(c: ClientState, now: number): void {
    c.lastSeen = now;
    this.recency.delete(c.mac);
    this.recency.set(c.mac, c);
  }

  /** Addresses are remembered for listed clients and others (own-DHCP leases); bounded like clients. */
  private noteIp(ip: string, mac: string): void {
    this.macByIp.delete(ip);
    this.macByIp.set(ip, mac);
    if (this.macByIp.size > MAX_ADDRESSES) this.macByIp.delete(this.macByIp.keys().next().value!);
  }
}

function copy(c: ClientState): ClientState {
  return { ...c, transfers: c.transfers.map((t) => ({ ...t })) };
}
