/**
 * The PCs that are booting from us, keyed by MAC, mirrored from `client` and `transfer` events.
 * Besides the engine's ClientState this keeps one derived fact per client: the furthest boot step
 * it reached, so a failed client can show where it failed.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ClientStage, ClientState, TransferProgress } from '../../../main/contract/index';
import { furthestStage } from '../format';

/** Matches the engine's own bound on ClientState.transfers; also bounds transfers we cannot attribute. */
const MAX_TRANSFERS = 32;
/** Throughput samples kept per PC for its sparkline (one per transfer update). */
const MAX_RATE_SAMPLES = 60;

/** What a PC is receiving right now: the sum over its active transfers (iPXE may fetch two at once). */
function clientRate(transfers: readonly TransferProgress[]): number {
  return transfers.reduce((sum, t) => sum + (t.outcome === 'active' ? t.rate : 0), 0);
}

function upsertTransfer(list: TransferProgress[], t: TransferProgress): TransferProgress[] {
  const i = list.findIndex((x) => x.id === t.id);
  const next = i >= 0 ? list.map((x, j) => (j === i ? t : x)) : [...list, t];
  return next.length > MAX_TRANSFERS ? next.slice(next.length - MAX_TRANSFERS) : next;
}

export const useClientsStore = defineStore('clients', () => {
  const byMac = ref<Record<string, ClientState>>({});
  const reached = ref<Record<string, ClientStage>>({});
  /** Transfers whose MAC and IP match no known client (e.g. a PC that got its address elsewhere). */
  const unmatched = ref<TransferProgress[]>([]);
  /** Per MAC: its throughput at each transfer update, oldest first (bytes/s), for the sparkline. */
  const rates = ref<Record<string, number[]>>({});

  /** Newest PC first; a row keeps its place while it boots. */
  const list = computed(() =>
    Object.values(byMac.value).sort((a, b) => b.firstSeen - a.firstSeen || a.mac.localeCompare(b.mac)),
  );
  const active = computed(() => list.value.filter((c) => c.stage !== 'done' && c.stage !== 'failed'));

  function applyClient(c: ClientState): void {
    byMac.value = { ...byMac.value, [c.mac]: c };
    reached.value = { ...reached.value, [c.mac]: furthestStage(reached.value[c.mac], c.stage) };
  }

  function applySnapshot(clients: ClientState[]): void {
    byMac.value = {};
    reached.value = {};
    unmatched.value = [];
    rates.value = {};
    for (const c of clients) applyClient(c);
  }

  function applyTransfer(t: TransferProgress): void {
    const owner = (t.mac && byMac.value[t.mac]) || list.value.find((c) => c.ip !== null && c.ip === t.clientIp);
    if (!owner) {
      unmatched.value = upsertTransfer(unmatched.value, t);
      return;
    }
    const transfers = upsertTransfer(owner.transfers, t);
    byMac.value = { ...byMac.value, [owner.mac]: { ...owner, transfers } };
    const samples = [...(rates.value[owner.mac] ?? []), clientRate(transfers)];
    rates.value = { ...rates.value, [owner.mac]: samples.slice(-MAX_RATE_SAMPLES) };
  }

  /** The transfer a row shows: the newest active one, else the newest. */
  function currentTransfer(c: ClientState): TransferProgress | null {
    return c.transfers.findLast((t) => t.outcome === 'active') ?? c.transfers.at(-1) ?? null;
  }

  return {
    byMac,
    reached,
    unmatched,
    rates,
    list,
    active,
    applyClient,
    applySnapshot,
    applyTransfer,
    currentTransfer,
  };
});
