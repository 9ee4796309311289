/**
 * Auto mode's decision, pure: proxyDHCP (safe anywhere) unless there is clear evidence of a bare cable.
 * A missed or slow answer on a busy office LAN must never make Bootdrop a second DHCP server there,
 * so silence alone is not enough: the link itself must also look like laptop-to-PC — no router
 * behind it and at most one other machine on it.
 */
import {
  bareCableWhy,
  cannotTellWhy,
  otherMachinesWhy,
  routerReachableWhy,
  serverFoundWhy,
  silenceWhy,
  tooFewProbesWhy,
} from './messages';

/** Probes sent before silence counts (a lost probe or answer is not silence). */
export const AUTO_PROBES = 3;
/** How long auto mode listens for a DHCP server before deciding (ms). */
export const AUTO_WINDOW_MS = 10_000;

/** What the link shows about itself once the window has passed. */
export interface LinkEvidence {
  /** Distinct MACs of other machines on this link (kernel neighbour table + DHCP clients heard); null: cannot tell. */
  neighbours: number | null;
  /** A default route leaves through this interface, i.e. a router sits on this link; null: cannot tell. */
  defaultRouteHere: boolean | null;
}

/** Auto mode's state so far: probes sent, time listened, and whether a DHCP server answered. */
export interface AutoProbing {
  probesSent: number;
  elapsedMs: number;
  /** The DHCP server seen (answering a probe, or named by a client's REQUEST), if any. */
  serverSeen: string | null;
}

export type AutoVerdict = { mode: null; why: string } | { mode: 'proxy'; why: string } | { mode: 'dhcp'; why: string };

/**
 * null while still listening; otherwise the mode and a sentence for the user saying why. `window` is
 * the listening time (tests shorten it).
 */
export function decideAutoMode(
  p: AutoProbing,
  link: LinkEvidence | null,
  iface: string,
  window: number = AUTO_WINDOW_MS,
): AutoVerdict {
  if (p.serverSeen !== null) return { mode: 'proxy', why: serverFoundWhy(p.serverSeen) };
  if (p.elapsedMs < window || link === null) return { mode: null, why: `looking for a DHCP server on ${iface}` };
  if (p.probesSent < AUTO_PROBES) return { mode: 'proxy', why: tooFewProbesWhy(p.probesSent, AUTO_PROBES, iface) };
  const silence = silenceWhy(p.probesSent, p.elapsedMs);
  if (link.defaultRouteHere === true) return { mode: 'proxy', why: routerReachableWhy(silence, iface) };
  if (link.neighbours === null || link.defaultRouteHere === null)
    return { mode: 'proxy', why: cannotTellWhy(silence, iface) };
  if (link.neighbours > 1) return { mode: 'proxy', why: otherMachinesWhy(silence, link.neighbours, iface) };
  return { mode: 'dhcp', why: bareCableWhy(silence, link.neighbours === 1, iface) };
}
