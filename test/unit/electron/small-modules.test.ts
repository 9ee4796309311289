import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { resolveAppPaths } from '../../../electron/app-paths';
import { bootNotice } from '../../../electron/boot-notice';
import {
  MANUAL_COMMAND,
  PortGrant,
  canFixPorts,
  firewalldRunning,
  fixPrivilegedPorts,
  type Runner,
} from '../../../electron/privileged-ports';
import { rootRefusal } from '../../../electron/root-guard';
import { contentSecurityPolicy, isAllowedRequest, isAppUrl, type AppEntry } from '../../../electron/security';
import { IDLE } from '../webui/stub-api';

const FILE: AppEntry = { kind: 'file', indexHtml: '/opt/Bootdrop/resources/app.asar/out/renderer/index.html' };
const DEV: AppEntry = { kind: 'dev', url: 'http://localhost:5173' };

describe('root guard', () => {
  it('refuses root on Linux only, pointing at the CLI', () => {
    expect(rootRefusal('linux', 0)).toContain('bootdrop serve');
    expect(rootRefusal('linux', 1000)).toBeNull();
    expect(rootRefusal('darwin', 0)).toBeNull();
    expect(rootRefusal('win32', undefined)).toBeNull();
  });
});

describe('privileged ports', () => {
  const eacces = { ...IDLE, error: { code: 'EACCES', message: 'not permitted', remedy: 'x' } };
  it('offers the fix only for EACCES on Linux', () => {
    expect(canFixPorts(eacces, 'linux')).toBe(true);
    expect(canFixPorts(eacces, 'darwin')).toBe(false);
    expect(canFixPorts({ ...eacces, error: { ...eacces.error, code: 'EADDRINUSE' } }, 'linux')).toBe(false);
    expect(canFixPorts(IDLE, 'linux')).toBe(false);
  });

  // pkexec's outcomes, played by real processes that exit the way pkexec does.
  const exiting = (code: number) => () => spawn('sh', ['-c', `echo pkexec-said-no >&2; exit ${code}`]);
  const noFirewalld: Runner = async () => ({ code: null, stdout: '', stderr: '', missing: true });
  const session = { remember: false, iface: 'eth0' };

  it('explains each way the helper can fail, and what to run instead where it is not installed', async () => {
    const grant = (code: number) =>
      new PortGrant({ platform: 'linux', helper: '/opt/x/bootdrop-ports', run: noFirewalld, spawnHold: exiting(code) });
    expect(await fixPrivilegedPorts('linux', grant(126), session)).toEqual({
      ok: false,
      message: 'Cancelled: the password dialog was dismissed.',
    });
    expect((await fixPrivilegedPorts('linux', grant(127), session)).message).toMatch(/^Not authorized by polkit/);
    expect((await fixPrivilegedPorts('linux', grant(1), session)).message).toMatch(/exit 1\): pkexec-said-no/);
    const noHelper = new PortGrant({ platform: 'linux', helper: null, run: noFirewalld });
    expect(await fixPrivilegedPorts('linux', noHelper, session)).toEqual({
      ok: false,
      message: expect.stringContaining(`Run in a terminal instead: ${MANUAL_COMMAND}`),
    });
    const mac = new PortGrant({ platform: 'darwin', helper: null, run: noFirewalld });
    expect((await fixPrivilegedPorts('darwin', mac, session)).ok).toBe(false);
  });

  it('openFirewall holds the ports with --firewall IF until released, or names the command without the helper', async () => {
    const asked: string[][] = [];
    // Plays the helper's hold: says "held", then keeps everything open until its pipe closes.
    const holding = (helper: string, args: string[]) => {
      asked.push([helper, ...args]);
      return spawn('sh', ['-c', 'echo held; cat >/dev/null']);
    };
    const grant = new PortGrant({ platform: 'linux', helper: '/opt/x/bootdrop-ports', spawnHold: holding });
    const r = await grant.openFirewall('eth0', 'sudo firewall-cmd --add-port=69/udp');
    expect(r).toEqual({
      ok: true,
      message:
        "Opened 67, 69, 4011/udp and 80/tcp in firewalld on eth0's zone while Bootdrop serves; closed again when serving stops or Bootdrop quits.",
    });
    expect(asked).toEqual([['/opt/x/bootdrop-ports', 'hold', '--firewall', 'eth0']]);
    expect(grant.holding).toBe(true);
    grant.release();
    expect(grant.holding).toBe(false);
    const noHelper = await new PortGrant({ platform: 'linux', helper: null }).openFirewall('eth0', 'sudo x');
    expect(noHelper).toEqual({ ok: false, message: expect.stringContaining('Run in a terminal instead: sudo x') });
    const dismissed = new PortGrant({ platform: 'linux', helper: '/opt/x/bootdrop-ports', spawnHold: exiting(126) });
    expect((await dismissed.openFirewall('eth0', 'sudo x')).message).toBe(
      'Cancelled: the password dialog was dismissed.',
    );
  });

  it('tells when the hold ends by itself (the helper died), not when Bootdrop released it', async () => {
    const children: ReturnType<typeof spawn>[] = [];
    let ended = 0;
    const grant = new PortGrant({
      platform: 'linux',
      helper: '/opt/x/bootdrop-ports',
      onHoldEnded: () => ended++,
      spawnHold: () => {
        children.push(spawn('sh', ['-c', 'echo held; cat >/dev/null']));
        return children.at(-1)!;
      },
    });
    expect((await grant.openFirewall('eth0', 'sudo x')).ok).toBe(true);
    const released = new Promise((r) => children[0]!.once('exit', r));
    grant.release();
    await released;
    expect(ended).toBe(0);
    expect((await grant.openFirewall('eth0', 'sudo x')).ok).toBe(true);
    const died = new Promise((r) => children[1]!.once('exit', r));
    children[1]!.kill();
    await died;
    expect(ended).toBe(1);
    expect(grant.holding).toBe(false);
  });

  it('forget (the Undo for "Remember") runs the helper\'s forget through pkexec, and says what failed', async () => {
    const calls: string[][] = [];
    const ok: Runner = async (file, args) => {
      calls.push([file, ...args]);
      return { code: 0, stdout: '', stderr: '', missing: false };
    };
    const r = await new PortGrant({ platform: 'linux', helper: '/opt/x/bootdrop-ports', run: ok }).forget();
    expect(r.ok).toBe(true);
    expect(calls).toEqual([['pkexec', '/opt/x/bootdrop-ports', 'forget']]);
    const dismissed: Runner = async () => ({ code: 126, stdout: '', stderr: '', missing: false });
    const no = await new PortGrant({ platform: 'linux', helper: '/opt/x/bootdrop-ports', run: dismissed }).forget();
    expect(no.ok).toBe(false);
    const noHelper = await new PortGrant({ platform: 'linux', helper: null, run: ok }).forget();
    expect(noHelper.message).toContain('/etc/sysctl.d/60-bootdrop.conf');
  });

  it('names the firewalld command too when firewalld is running and the helper is missing', async () => {
    const running: Runner = async (file, args) =>
      file === 'firewall-cmd' && args[0] === '--state'
        ? { code: 0, stdout: 'running\n', stderr: '', missing: false }
        : { code: 1, stdout: '', stderr: '', missing: false };
    expect(await firewalldRunning(running)).toBe(true);
    expect(await firewalldRunning(noFirewalld)).toBe(false);
    const r = await new PortGrant({ platform: 'linux', helper: null, run: running }).grant(session);
    expect(r.message).toContain('--add-port=67/udp --add-port=69/udp --add-port=4011/udp --add-port=80/tcp');
  });
});

describe('security helpers', () => {
  it('recognises our own page and nothing else', () => {
    expect(isAppUrl('file:///opt/Bootdrop/resources/app.asar/out/renderer/index.html#/clients', FILE)).toBe(true);
    expect(isAppUrl('file:///opt/Bootdrop/resources/app.asar/out/renderer/other.html', FILE)).toBe(false);
    expect(isAppUrl('file:///tmp/evil/index.html', FILE)).toBe(false);
    expect(isAppUrl('https://example.com/', FILE)).toBe(false);
    expect(isAppUrl('not a url', FILE)).toBe(false);
    expect(isAppUrl('http://localhost:5173/src/App.vue', DEV)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', DEV)).toBe(false);
  });

  it('allows only local requests', () => {
    expect(isAllowedRequest('file:///opt/Bootdrop/resources/app.asar/out/renderer/assets/a.js', FILE)).toBe(true);
    expect(isAllowedRequest('file:///etc/passwd', FILE)).toBe(false);
    expect(isAllowedRequest('file:///opt/Bootdrop/resources/app.asar/out/renderer/../../../secret', FILE)).toBe(false);
    expect(isAllowedRequest('data:image/png;base64,AA', FILE)).toBe(true);
    expect(isAllowedRequest('https://cdn.example.com/x.js', FILE)).toBe(false);
    expect(isAllowedRequest('http://127.0.0.1:80/', FILE)).toBe(false);
    expect(isAllowedRequest('ws://localhost:5173/', DEV)).toBe(true);
    expect(isAllowedRequest('http://evil.example/', DEV)).toBe(false);
  });

  it('CSP: self only, no objects, no framing; the dev socket only in dev', () => {
    const csp = contentSecurityPolicy(FILE);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('ws:');
    expect(contentSecurityPolicy(DEV)).toContain("connect-src 'self' ws://localhost:5173");
  });
});

describe('app paths', () => {
  it('packaged: loaders and tray icons from the resources folder', () => {
    const p = resolveAppPaths({
      isPackaged: true,
      resourcesPath: '/opt/B/resources',
      appPath: '/opt/B/resources/app.asar',
      mainDir: '/opt/B/resources/app.asar/out/main',
      devServerUrl: 'http://localhost:5173',
    });
    expect(p).toEqual({
      preload: '/opt/B/resources/app.asar/out/preload/index.js',
      entry: { kind: 'file', indexHtml: '/opt/B/resources/app.asar/out/renderer/index.html' },
      loadersDir: '/opt/B/resources/loaders',
      trayIconDir: '/opt/B/resources/tray',
      nativeDir: '/opt/B/resources/native',
    });
  });

  it('development: assets/loaders from the checkout, the dev server when electron-vite runs one', () => {
    const p = resolveAppPaths({
      isPackaged: false,
      resourcesPath: '/x',
      appPath: '/src/bootdrop',
      mainDir: '/src/bootdrop/out/main',
      devServerUrl: 'http://localhost:5173',
    });
    expect(p.loadersDir).toBe(join('/src/bootdrop', 'assets', 'loaders'));
    expect(p.trayIconDir).toBe('/src/bootdrop/build/tray');
    expect(p.nativeDir).toBe('/src/bootdrop/dist/native');
    expect(p.entry).toEqual({ kind: 'dev', url: 'http://localhost:5173' });
  });
});

describe('boot notice', () => {
  it('names the PC and its firmware', () => {
    const n = bootNotice({
      mac: 'aa:bb:cc:dd:ee:ff',
      ip: '10.0.0.9',
      firmware: 'uefi',
      arch: 7,
      entryId: null,
      stage: 'dhcp',
      transfers: [],
      firstSeen: 0,
      lastSeen: 0,
    });
    expect(n).toEqual({
      title: 'A PC is network-booting',
      body: 'aa:bb:cc:dd:ee:ff at 10.0.0.9 (UEFI) asked Bootdrop for a boot file.',
    });
  });
});
