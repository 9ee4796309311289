/**
 * Auto mode's decision, pure: proxyDHCP (safe anywhere) unless there is clear evidence of a bare cable.
 * A missed or slow answer on a busy office LAN must never make Bootdrop a second DHCP server there,
 * so silence alone is not enough: the link itself must also look like laptop-to-PC — no router
 * behind it and at most one other machine on it.
 */

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

const CHOOSE_DIRECT = 'if this is a direct cable to the PC, choose "Direct cable" (own DHCP) mode';

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
  if (p.serverSeen !== null)
    return { mode: 'proxy', why: `found a DHCP server at ${p.serverSeen}: serving as proxyDHCP beside it` };
  if (p.elapsedMs < window || link === null) return { mode: null, why: `looking for a DHCP server on ${iface}` };
  if (p.probesSent < AUTO_PROBES)
    return {
      mode: 'proxy',
      why:
        `only ${p.probesSent} of ${AUTO_PROBES} DHCP probes could be sent on ${iface}, too little to call it a ` +
        `bare cable: serving as proxyDHCP; ${CHOOSE_DIRECT}`,
    };
  const silence = `no other DHCP server answered ${p.probesSent} probes in ${(p.elapsedMs / 1000).toFixed(0)} s`;
  const stay = 'staying proxyDHCP so Bootdrop never becomes a second DHCP server on a network';
  if (link.defaultRouteHere === true)
    return { mode: 'proxy', why: `${silence}, but a router is reachable through ${iface}: ${stay}; ${CHOOSE_DIRECT}` };
  if (link.neighbours === null || link.defaultRouteHere === null)
    return {
      mode: 'proxy',
      why: `${silence}, but Bootdrop cannot tell whether ${iface} is a bare cable: ${stay}; ${CHOOSE_DIRECT}`,
    };
  if (link.neighbours > 1)
    return {
      mode: 'proxy',
      why: `${silence}, but ${link.neighbours} other machines are on ${iface}: ${stay}; ${CHOOSE_DIRECT}`,
    };
  const who = link.neighbours === 1 ? 'one other machine' : 'no other machine yet';
  return {
    mode: 'dhcp',
    why: `${silence} and ${iface} is a bare cable (${who}, no router): acting as the DHCP server on ${iface}`,
  };
}
