/**
 * What happened to the serving interface since the last look, as a decision the session acts on. Pure:
 * the session polls the interface list and asks this. A laptop's cable gets pulled, Wi-Fi roams, DHCP
 * hands the laptop a new address: serving on a vanished address helps nobody, so the session stops,
 * says why, and starts again when the interface is back.
 */
import type { NetInterface } from '../contract';

export type LinkChange =
  | { kind: 'same' }
  /** The interface is gone, down or without an address: stop serving, wait for it. */
  | { kind: 'lost'; why: string }
  /** Up, but on another address: restart on the new one. */
  | { kind: 'moved'; why: string; now: NetInterface }
  /** Back (while waiting): start again. */
  | { kind: 'back'; now: NetInterface };

/** How often the session looks while serving or waiting (ms). */
export const LINK_CHECK_MS = 2000;

function usable(i: NetInterface | undefined): i is NetInterface {
  return i !== undefined && i.up && i.address !== '';
}

/**
 * `serving`: the interface as it was when serving started, or null while waiting for `name` to return.
 */
export function linkChange(name: string, serving: NetInterface | null, list: readonly NetInterface[]): LinkChange {
  const now = list.find((i) => i.name === name);
  if (!serving) return usable(now) ? { kind: 'back', now } : { kind: 'same' };
  if (!now) return { kind: 'lost', why: `interface ${name} disappeared` };
  if (!now.up) return { kind: 'lost', why: `interface ${name} went down (cable unplugged or network lost)` };
  if (now.address === '') return { kind: 'lost', why: `interface ${name} lost its address ${serving.address}` };
  if (now.address !== serving.address || now.prefix !== serving.prefix) {
    return {
      kind: 'moved',
      why: `the address of ${name} changed from ${serving.address}/${serving.prefix} to ${now.address}/${now.prefix}`,
      now,
    };
  }
  return { kind: 'same' };
}
