/**
 * The engine's remedies are written for whoever runs `bootdrop serve` in a terminal ("sudo sysctl …",
 * 'run "bootdrop serve" with root privileges'). Where the desktop app offers a button that does the same
 * thing, the window says to press the button instead of quoting a command above it.
 */
import type { Problem } from './api/index';

export const FIX_PORTS_LABEL = 'Allow Bootdrop to use these ports';

export interface ShellOffers {
  /** The shell can allow ports below 1024 (Linux desktop app): the "Allow…" button is shown. */
  fixPorts: boolean;
}

export function remedyForWindow(problem: Problem, offers: ShellOffers): Problem {
  if (problem.code === 'EACCES' && offers.fixPorts) {
    return {
      ...problem,
      remedy: `Press “${FIX_PORTS_LABEL}” below: the system asks for your password once, then switch serving on again.`,
    };
  }
  return problem;
}
