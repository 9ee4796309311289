/**
 * Linux refuses ports below 1024 (DHCP 67, TFTP 69, PXE 4011, HTTP 80) to unprivileged programs. The
 * desktop app must not run as root (Chromium's sandbox), so it offers a fix instead: its own fixed
 * helper (build/linux/bootdrop-ports), run through pkexec under Bootdrop's polkit action, whose prompt
 * says what it is for. The helper lowers net.ipv4.ip_unprivileged_port_start to 67 and, where firewalld
 * is running (Fedora drops DHCP/TFTP/HTTP by default), opens exactly 67/69/4011 UDP and 80 TCP. It
 * holds both only while Bootdrop serves: it waits on a pipe from the app, and undoes everything when
 * the pipe closes (serving stopped, the app quit or crashed) — unless the user chose "remember", which
 * keeps the port setting across reboots until Bootdrop is uninstalled. Never `setcap` on the Electron
 * binary: that would hand every Electron app the power.
 * macOS needs nothing (it lets unprivileged programs bind low ports on the wildcard address);
 * Windows gets firewall rules from the installer (build/installer.nsh).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ServingState } from '../main/contract';
import type { FixPortsResult } from './channels';

/** Where the .deb puts the helper; the polkit action names exactly this path. */
const INSTALLED_HELPER = '/opt/Bootdrop/resources/linux/bootdrop-ports';
export const MANUAL_COMMAND = 'sudo sysctl -w net.ipv4.ip_unprivileged_port_start=67';
const FIREWALL_MANUAL = 'sudo firewall-cmd --add-port=67/udp --add-port=69/udp --add-port=4011/udp --add-port=80/tcp';

/** Is this state the "permission denied on a low port" failure we know how to fix? */
export function canFixPorts(state: ServingState, platform: NodeJS.Platform): boolean {
  return platform === 'linux' && state.error?.code === 'EACCES';
}

export type Runner = (
  file: string,
  args: readonly string[],
) => Promise<{ code: number | null; stdout: string; stderr: string; missing: boolean }>;

const runCommand: Runner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: 5 * 60_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr, missing: false });
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      resolve({
        code: typeof e.code === 'number' ? e.code : null,
        stdout: String(stdout),
        stderr: String(stderr),
        missing: e.code === 'ENOENT',
      });
    });
  });

/** Is firewalld running (Fedora, RHEL, openSUSE)? `firewall-cmd --state` needs no privileges. */
export async function firewalldRunning(run: Runner = runCommand): Promise<boolean> {
  const r = await run('firewall-cmd', ['--state']);
  return r.code === 0 && r.stdout.trim() === 'running';
}

/** pkexec's own exit codes: 126 = the password dialog was dismissed, 127 = not authorized. */
function pkexecFailure(code: number | null, stderr: string): string {
  if (code === 126) return 'Cancelled: the password dialog was dismissed.';
  if (code === 127) return `Not authorized by polkit. Ask an administrator to run: ${MANUAL_COMMAND}`;
  return `The fix failed (exit ${code ?? 'signal'}): ${stderr.trim() || 'no details'}`;
}

/** Where the helper's `allow --remember` keeps the setting (build/linux/bootdrop-ports). */
const REMEMBERED_FILE = '/etc/sysctl.d/60-bootdrop.conf';

/** Whether a remembered grant is in place (the app offers to undo it). */
export function portsRemembered(platform: NodeJS.Platform, file = REMEMBERED_FILE): boolean {
  return platform === 'linux' && existsSync(file);
}

export interface PortGrantOptions {
  platform: NodeJS.Platform;
  /** The helper's path; null where it is not installed (AppImage, a development build). */
  helper?: string | null;
  run?: Runner;
  /** Starts `pkexec <helper> hold …` (tests start the helper itself). */
  spawnHold?: (helper: string, args: string[]) => ChildProcess;
  /** The helper's hold ended without release() (pkexec or the helper died): what it opened is closed again. */
  onHoldEnded?: () => void;
}

/**
 * The ports Bootdrop holds for one serving session (or for good, when remembered). grant() asks once
 * (pkexec); release() closes the helper's pipe, which undoes the grant without asking again.
 */
export class PortGrant {
  private held: ChildProcess | null = null;
  private readonly helper: string | null;
  private readonly run: Runner;

  constructor(private readonly o: PortGrantOptions) {
    this.helper = o.helper !== undefined ? o.helper : existsSync(INSTALLED_HELPER) ? INSTALLED_HELPER : null;
    this.run = o.run ?? runCommand;
  }

  get holding(): boolean {
    return this.held !== null;
  }

  /** Allow the ports (and open firewalld on `iface`'s zone when it runs); `remember` keeps the port setting. */
  async grant(o: { remember: boolean; iface: string | null }): Promise<FixPortsResult> {
    if (this.o.platform !== 'linux')
      return { ok: false, message: 'Only Linux needs this fix; on this system low ports are not restricted this way.' };
    const firewall = await firewalldRunning(this.run).catch(() => false);
    if (this.helper === null) {
      const fw = firewall ? ` and, as firewalld is running: ${FIREWALL_MANUAL}` : '';
      return {
        ok: false,
        message: `Bootdrop's port helper is only installed with the .deb package. Run in a terminal instead: ${MANUAL_COMMAND}${fw} (both last until reboot).`,
      };
    }
    if (o.remember) {
      const r = await this.run('pkexec', [this.helper, 'allow', '--remember']);
      if (r.missing) return { ok: false, message: `pkexec is not installed. Run in a terminal: ${MANUAL_COMMAND}` };
      if (r.code !== 0) return { ok: false, message: pkexecFailure(r.code, r.stderr) };
    }
    const fwArgs = firewall && o.iface ? ['--firewall', o.iface] : [];
    const held = await this.hold(fwArgs);
    if (!held.ok) return held;
    const what = o.remember
      ? 'Ports 67, 69, 4011 and 80 are allowed, also after reboots (uninstalling Bootdrop removes the setting).'
      : 'Ports 67, 69, 4011 and 80 are allowed while Bootdrop serves; this is undone when serving stops or Bootdrop quits.';
    const fw = fwArgs.length
      ? ` firewalld was running and drops DHCP, TFTP and HTTP by default: opened 67, 69, 4011/udp and 80/tcp on ${o.iface}'s zone until serving stops.`
      : '';
    return { ok: true, message: what + fw };
  }

  /**
   * firewalld blocks the boot ports on `iface` (the engine's finding, ServingState.firewallBlocked): hold
   * with `--firewall iface`, which opens exactly 67, 69, 4011/udp and 80/tcp on its zone until serving
   * stops. `command` is what to run by hand where the helper is not installed.
   */
  async openFirewall(iface: string, command: string): Promise<FixPortsResult> {
    if (this.o.platform !== 'linux') return { ok: false, message: 'Only Linux runs firewalld.' };
    if (this.helper === null)
      return {
        ok: false,
        message: `Bootdrop's port helper is only installed with the .deb package. Run in a terminal instead: ${command} (lasts until firewalld reloads).`,
      };
    const held = await this.hold(['--firewall', iface]);
    if (!held.ok) return held;
    return {
      ok: true,
      message: `Opened 67, 69, 4011/udp and 80/tcp in firewalld on ${iface}'s zone while Bootdrop serves; closed again when serving stops or Bootdrop quits.`,
    };
  }

  private hold(args: string[]): Promise<FixPortsResult> {
    this.release();
    const helper = this.helper!;
    const child = (this.o.spawnHold ?? spawnPkexecHold)(helper, ['hold', ...args]);
    return new Promise((resolve) => {
      let out = '';
      let err = '';
      const done = (r: FixPortsResult): void => {
        child.stdout?.removeAllListeners('data');
        resolve(r);
      };
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (/^held$/m.test(out)) {
          this.held = child;
          done({ ok: true, message: '' });
        }
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
      child.on('error', (e: NodeJS.ErrnoException) =>
        done({
          ok: false,
          message:
            e.code === 'ENOENT'
              ? `pkexec is not installed. Run in a terminal: ${MANUAL_COMMAND}`
              : `The fix failed: ${e.message}`,
        }),
      );
      child.on('exit', (code) => {
        if (this.held === child) {
          this.held = null;
          this.o.onHoldEnded?.();
        } else done({ ok: false, message: pkexecFailure(code, err) });
      });
    });
  }

  /** Undo a remembered grant ("Remember" in the dialog): the helper removes its sysctl.d file and restores. */
  async forget(): Promise<FixPortsResult> {
    if (this.o.platform !== 'linux' || this.helper === null)
      return { ok: false, message: `Nothing to undo here; without the .deb remove ${REMEMBERED_FILE} yourself.` };
    const r = await this.run('pkexec', [this.helper, 'forget']);
    if (r.missing)
      return { ok: false, message: `pkexec is not installed. Run in a terminal: sudo rm ${REMEMBERED_FILE}` };
    if (r.code !== 0) return { ok: false, message: pkexecFailure(r.code, r.stderr) };
    return {
      ok: true,
      message:
        'The remembered port setting is gone: ports below 1024 are privileged again (Bootdrop asks again when it needs them).',
    };
  }

  /** Undo the session's grant (the helper restores when its pipe closes); a remembered setting stays. */
  release(): void {
    const child = this.held;
    this.held = null;
    child?.stdin?.end();
  }
}

function spawnPkexecHold(helper: string, args: string[]): ChildProcess {
  return spawn('pkexec', [helper, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The one-click fix as the shell offers it: hold the ports for this session, or remember them. */
export async function fixPrivilegedPorts(
  platform: NodeJS.Platform,
  grant: PortGrant = new PortGrant({ platform }),
  o: { remember: boolean; iface: string | null } = { remember: false, iface: null },
): Promise<FixPortsResult> {
  return grant.grant(o);
}
