/**
 * build/linux/bootdrop-ports, the fixed helper pkexec runs as root for the desktop app: run for real
 * inside a network namespace of its own (net.ipv4.ip_unprivileged_port_start is per namespace, so the
 * machine's own setting is never touched), with its files redirected to a scratch folder.
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForOutput } from '../helpers/netns';
import { run, type Ran } from '../helpers/run';
import { privilegedPortsNs } from '../helpers/unprivileged';
import { PortGrant } from '../../electron/privileged-ports';

const execFileP = promisify(execFile);
const HELPER = path.resolve(__dirname, '../../build/linux/bootdrop-ports');

describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)('the privileged ports helper', () => {
  let ns: Awaited<ReturnType<typeof privilegedPortsNs>>;
  let root: string;
  beforeAll(async () => {
    ns = await privilegedPortsNs();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-ports-root-'));
  });
  afterAll(async () => {
    await ns?.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const helper = (...args: string[]): Promise<Ran> =>
    run('ip', ['netns', 'exec', ns.ns, HELPER, ...args], {
      env: { PATH: process.env.PATH, BOOTDROP_PORTS_TEST_ROOT: root },
    });
  const portStart = async (): Promise<string> =>
    (
      await execFileP('ip', ['netns', 'exec', ns.ns, 'sysctl', '-n', 'net.ipv4.ip_unprivileged_port_start'])
    ).stdout.trim();
  const conf = () => path.join(root, 'etc/sysctl.d/60-bootdrop.conf');

  it('allows the ports while serving and puts the previous limit back afterwards', async () => {
    expect(await portStart()).toBe('1024');
    expect((await helper('allow')).code).toBe(0);
    expect(await portStart()).toBe('67');
    expect(fs.existsSync(conf())).toBe(false); // not remembered
    expect((await helper('status')).stdout).toMatch(/^port-start=67 remembered=no firewalld=/);
    expect((await helper('restore')).code).toBe(0);
    expect(await portStart()).toBe('1024');
    expect((await helper('restore')).code).toBe(0); // twice is harmless
    expect(await portStart()).toBe('1024');
  });

  it('hold: allowed until Bootdrop closes the pipe (stops serving, quits or crashes), then restored', async () => {
    const child = spawn('ip', ['netns', 'exec', ns.ns, HELPER, 'hold'], {
      env: { PATH: process.env.PATH, BOOTDROP_PORTS_TEST_ROOT: root },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitForOutput(child, /^held$/m, 10_000);
    expect(await portStart()).toBe('67');
    child.stdin!.end();
    expect(await exited).toBe(0);
    expect(await portStart()).toBe('1024');
  });

  // The desktop app's side (electron/privileged-ports.ts) with the real helper in place of pkexec.
  it('PortGrant holds the ports for a serving session and gives them back on release', async () => {
    const grant = new PortGrant({
      platform: 'linux',
      helper: HELPER,
      spawnHold: (helper, args) =>
        spawn('ip', ['netns', 'exec', ns.ns, helper, ...args], {
          env: { PATH: process.env.PATH, BOOTDROP_PORTS_TEST_ROOT: root },
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
    });
    const r = await grant.grant({ remember: false, iface: 'eth0' });
    expect(r).toMatchObject({
      ok: true,
      message: expect.stringMatching(/undone when serving stops or Bootdrop quits/),
    });
    expect(grant.holding).toBe(true);
    expect(await portStart()).toBe('67');
    grant.release();
    for (let i = 0; i < 100 && (await portStart()) !== '1024'; i++) await new Promise((res) => setTimeout(res, 50));
    expect(await portStart()).toBe('1024');
  });

  it('"remember" keeps it across restore and reboots; forget (and uninstall) removes it', async () => {
    expect((await helper('allow', '--remember')).code).toBe(0);
    expect(fs.readFileSync(conf(), 'utf8')).toMatch(/^net\.ipv4\.ip_unprivileged_port_start=67$/m);
    expect((await helper('restore')).code).toBe(0);
    expect(await portStart()).toBe('67');
    expect((await helper('forget')).code).toBe(0);
    expect(fs.existsSync(conf())).toBe(false);
    expect(await portStart()).toBe('1024');
  });

  it('does nothing it was not built for', async () => {
    for (const args of [
      [],
      ['sh'],
      ['allow', '--everything'],
      ['restore', 'now'],
      ['hold', '--firewall'],
      ['firewall-open', 'eth0;reboot'],
    ]) {
      const r = await helper(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^bootdrop-ports: /);
    }
    expect((await helper('firewall-open', 'eth0;reboot')).stderr).toMatch(/not an interface name: eth0;reboot/);
    expect(await portStart()).toBe('1024');
  });
});
