/**
 * The engine's remedies are written for whoever runs `bootdrop serve` in a terminal ("sudo sysctl …",
 * "find it with: sudo ss …", 'run "bootdrop serve" with root privileges'). The browser UI runs beside that
 * terminal, so it shows them as they are. The desktop window has no terminal in sight: there a remedy that
 * quotes a command is told as what to do in the window, and where the window has a button for the fix,
 * it names the button.
 */
import type { InjectionKey } from 'vue';
import type { Problem } from './api/index';

export const FIX_PORTS_LABEL = 'Allow Bootdrop to use these ports';

export interface ShellOffers {
  /** This is the desktop app's window (not the browser UI of `bootdrop serve --ui`). */
  desktop: boolean;
  /** The shell can allow ports below 1024 (Linux desktop app): the "Allow…" button is shown. */
  fixPorts: boolean;
}

/** Provided by App.vue: whether this page is the desktop app's window. Absent (a browser) means false. */
export const DESKTOP_WINDOW: InjectionKey<boolean> = Symbol('desktop-window');

/** A remedy written for a terminal: it quotes a command or a command-line flag, or says to run as root. */
const QUOTES_A_COMMAND = /\bsudo\b|\bpkexec\b|\bsysctl\b|\bss -l|\bbootdrop (?:serve|setup)\b|(?:^|\s)--[a-z]|\broot\b/;

/** The same remedies, in the window's words (the problem's message already names the port and who holds it). */
const WINDOW_REMEDIES: Record<string, string> = {
  EADDRINUSE:
    'Quit the program named above (or turn off its sharing or DHCP service), or choose another connection under “Where the PC is”, then switch serving on again.',
  EACCES:
    'This computer does not let Bootdrop use ports below 1024 (67, 69 and 80). Quit other network-boot programs and switch serving on again; if it is still refused, an administrator has to allow these ports for Bootdrop.',
};

export function remedyForWindow(problem: Problem, offers: ShellOffers): Problem {
  if (problem.code === 'EACCES' && offers.fixPorts) {
    return {
      ...problem,
      remedy: `Press “${FIX_PORTS_LABEL}” below: the system asks for your password once, then switch serving on again.`,
    };
  }
  if (!offers.desktop || !problem.remedy || !QUOTES_A_COMMAND.test(problem.remedy)) return problem;
  const remedy = WINDOW_REMEDIES[problem.code];
  return remedy ? { ...problem, remedy } : problem;
}
