/**
 * Linux refuses ports below 1024 (DHCP 67, TFTP 69, PXE 4011, HTTP 80) to unprivileged programs. The
 * desktop app must not run as root (Chromium's sandbox), so it offers a one-click fix instead: lower
 * net.ipv4.ip_unprivileged_port_start to 67, now and across reboots, through pkexec (polkit asks for
 * the password). Never `setcap` on the Electron binary: that would hand every Electron app the power.
 * macOS needs nothing (it lets unprivileged programs bind low ports on the wildcard address);
 * Windows gets firewall rules from the installer (build/installer.nsh).
 */
import { execFile } from 'node:child_process';
import type { ServingState } from '../main/contract';
import type { FixPortsResult } from './channels';

export const SYSCTL_SCRIPT =
  'sysctl -w net.ipv4.ip_unprivileged_port_start=67 && echo net.ipv4.ip_unprivileged_port_start=67 > /etc/sysctl.d/60-bootdrop.conf';
export const FIX_COMMAND: readonly [string, readonly string[]] = ['pkexec', ['sh', '-c', SYSCTL_SCRIPT]];

/** Is this state the "permission denied on a low port" failure we know how to fix? */
export function canFixPorts(state: ServingState, platform: NodeJS.Platform): boolean {
  return platform === 'linux' && state.error?.code === 'EACCES';
}

export type Runner = (
  file: string,
  args: readonly string[],
) => Promise<{ code: number | null; stderr: string; missing: boolean }>;

export const runCommand: Runner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: 5 * 60_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve({ code: 0, stderr, missing: false });
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      resolve({
        code: typeof e.code === 'number' ? e.code : null,
        stderr: String(stderr),
        missing: e.code === 'ENOENT',
      });
    });
  });

export async function fixPrivilegedPorts(platform: NodeJS.Platform, run: Runner = runCommand): Promise<FixPortsResult> {
  if (platform !== 'linux') {
    return { ok: false, message: 'Only Linux needs this fix; on this system low ports are not restricted this way.' };
  }
  const [file, args] = FIX_COMMAND;
  const r = await run(file, args);
  if (r.missing) {
    return {
      ok: false,
      message: `pkexec is not installed. Run this in a terminal instead: sudo sh -c '${SYSCTL_SCRIPT}'`,
    };
  }
  if (r.code === 0)
    return { ok: true, message: 'Ports below 1024 are now allowed from port 67 up (also after reboots).' };
  // pkexec: 126 = the user dismissed the password dialog, 127 = not authorized.
  if (r.code === 126) return { ok: false, message: 'Cancelled: the password dialog was dismissed.' };
  if (r.code === 127)
    return { ok: false, message: 'Not authorized by polkit. Ask an administrator to run: ' + SYSCTL_SCRIPT };
  return { ok: false, message: `The fix failed (exit ${r.code ?? 'signal'}): ${r.stderr.trim() || 'no details'}` };
}
