/*
 * Auto mode's verdicts as a person reads them (auto-mode.ts decides): what Bootdrop saw, what it does,
 * and — when it stays proxyDHCP on what may be a direct cable — how to choose own DHCP by hand.
 */

const CHOOSE_DIRECT = 'if this is a direct cable to the PC, choose "Direct cable" (own DHCP) mode';
const STAY = 'staying proxyDHCP so Bootdrop never becomes a second DHCP server on a network';

export function serverFoundWhy(server: string): string {
  return `found a DHCP server at ${server}: serving as proxyDHCP beside it`;
}

export function tooFewProbesWhy(sent: number, wanted: number, iface: string): string {
  return (
    `only ${sent} of ${wanted} DHCP probes could be sent on ${iface}, too little to call it a ` +
    `bare cable: serving as proxyDHCP; ${CHOOSE_DIRECT}`
  );
}

/** What auto mode heard in its window: the start of the four verdicts below. */
export function silenceWhy(probes: number, elapsedMs: number): string {
  return `no other DHCP server answered ${probes} probes in ${(elapsedMs / 1000).toFixed(0)} s`;
}

export function routerReachableWhy(silence: string, iface: string): string {
  return `${silence}, but a router is reachable through ${iface}: ${STAY}; ${CHOOSE_DIRECT}`;
}

export function cannotTellWhy(silence: string, iface: string): string {
  return `${silence}, but Bootdrop cannot tell whether ${iface} is a bare cable: ${STAY}; ${CHOOSE_DIRECT}`;
}

export function otherMachinesWhy(silence: string, count: number, iface: string): string {
  return `${silence}, but ${count} other machines are on ${iface}: ${STAY}; ${CHOOSE_DIRECT}`;
}

export function bareCableWhy(silence: string, oneOther: boolean, iface: string): string {
  const who = oneOther ? 'one other machine' : 'no other machine yet';
  return `${silence} and ${iface} is a bare cable (${who}, no router): acting as the DHCP server on ${iface}`;
}
