/**
 * The desktop window tells the engine's terminal remedies as window actions; the browser UI (run from
 * `bootdrop serve --ui`, beside its terminal) keeps them. The remedies come from the engine's own
 * code, so a reworded engine remedy that starts quoting a command is caught here.
 */
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ProblemNote from '../../renderer/src/components/ProblemNote.vue';
import { explainBindError, SERVICES, type BoundService } from '../../main/net/port-error';
import { toServeError } from '../../main/session/errors';
import { DESKTOP_WINDOW, remedyForWindow } from '../../renderer/src/remedies';

const desktop = { desktop: true, fixPorts: false };
const browser = { desktop: false, fixPorts: false };
/** What a terminal command looks like in a remedy. */
const COMMAND = /sudo|sysctl|ss -l|bootdrop serve|pkexec/;

function bindProblem(code: string, port: number, platform: NodeJS.Platform, service: BoundService = SERVICES.dhcp) {
  const e = explainBindError(Object.assign(new Error(code), { code }), port, '0.0.0.0', platform, service) as {
    code: string;
    message: string;
    remedy: string;
  };
  return { code: e.code, message: e.message, remedy: e.remedy };
}

describe('remedyForWindow', () => {
  it('tells a busy port on Linux as a window action in the desktop app', () => {
    for (const [port, service] of [
      [67, SERVICES.dhcp],
      [69, SERVICES.tftp],
      [80, SERVICES.http],
    ] as const) {
      const problem = bindProblem('EADDRINUSE', port, 'linux', service);
      expect(problem.remedy).toMatch(/sudo ss -l/);
      const shown = remedyForWindow(problem, desktop);
      expect(shown.message).toBe(problem.message);
      expect(shown.remedy).not.toMatch(COMMAND);
      expect(shown.remedy).toMatch(/Quit the program named above.*“Where the PC is”.*switch serving on again/);
    }
  });

  it('keeps the command-line remedy in the browser UI', () => {
    const problem = bindProblem('EADDRINUSE', 67, 'linux');
    expect(remedyForWindow(problem, browser)).toEqual(problem);
    const refused = bindProblem('EACCES', 67, 'linux');
    expect(remedyForWindow(refused, browser)).toEqual(refused);
  });

  it('names the button where the window has one, else says what to do without a terminal', () => {
    const refused = bindProblem('EACCES', 67, 'linux');
    expect(remedyForWindow(refused, { desktop: true, fixPorts: true }).remedy).toMatch(
      /^Press “Allow Bootdrop to use these ports” below/,
    );
    const mac = bindProblem('EACCES', 67, 'darwin');
    expect(mac.remedy).toMatch(/sudo bootdrop serve/);
    const shown = remedyForWindow(mac, desktop).remedy;
    expect(shown).not.toMatch(COMMAND);
    expect(shown).toMatch(/ports below 1024/);
  });

  it("rewrites the session's generic remedies that quote a command", () => {
    const busy = toServeError(Object.assign(new Error('in use'), { code: 'EADDRINUSE' }), 'HTTP');
    expect(busy.remedy).toMatch(/sudo ss/);
    expect(remedyForWindow(busy, desktop).remedy).not.toMatch(COMMAND);
    // "run with … root": the window cannot be run as root; it says what an administrator can do instead.
    const refused = toServeError(Object.assign(new Error('denied'), { code: 'EACCES' }), 'TFTP');
    expect(refused.remedy).toMatch(/\broot\b/);
    const shown = remedyForWindow(refused, desktop).remedy;
    expect(shown).not.toMatch(/\broot\b/);
    expect(shown).toMatch(/^This computer does not let Bootdrop use ports below 1024/);
    expect(remedyForWindow(refused, browser)).toEqual(refused);
  });

  it('leaves remedies that already speak of the window (or of the system) alone', () => {
    const win = bindProblem('EADDRINUSE', 67, 'win32');
    expect(remedyForWindow(win, desktop)).toEqual(win);
    const mac = bindProblem('EADDRINUSE', 67, 'darwin');
    expect(remedyForWindow(mac, desktop)).toEqual(mac);
    const gone = toServeError(Object.assign(new Error('gone'), { code: 'ENOENT' }), 'ISO');
    expect(remedyForWindow(gone, desktop)).toEqual(gone);
  });
});

describe('ProblemNote', () => {
  it("shows every panel's problem in the window's words in the desktop app only", () => {
    const problem = bindProblem('EADDRINUSE', 69, 'linux', SERVICES.tftp);
    const inWindow = mount(ProblemNote, { props: { problem }, global: { provide: { [DESKTOP_WINDOW]: true } } });
    expect(inWindow.get('[data-testid="problem-message"]').text()).toBe(problem.message);
    expect(inWindow.get('[data-testid="problem-remedy"]').text()).toMatch(/^Quit the program named above/);
    inWindow.unmount();
    const inBrowser = mount(ProblemNote, { props: { problem } });
    expect(inBrowser.get('[data-testid="problem-remedy"]').text()).toBe(problem.remedy);
    inBrowser.unmount();
  });
});
