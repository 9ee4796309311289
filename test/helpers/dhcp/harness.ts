/**
 * Integration-test plumbing for DHCP: the compiled Bootdrop DhcpService, dnsmasq as the home router,
 * scapy clients and busybox udhcpc, all inside TestLan namespaces.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitForOutput, type NetnsHost, type TestLan } from '../netns';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../../..');
export const RUNNER = path.join(here, 'run-service.cjs');
const PXE_CLIENT = path.join(here, 'pxe_client.py');
const UDHCPC_SCRIPT = path.join(here, 'udhcpc-script.sh');
const PYTHON = '/usr/bin/python3'; // Debian's python3-scapy lives here, not in pyenv's interpreters

/** Fail loudly (never skip) when something the DHCP tests need is missing. */
export function requirePeers(): void {
  if (!fs.existsSync(path.join(repo, 'dist/engine/dhcp/index.js'))) {
    throw new Error('dist/engine is not built: run "npx tsc -p tsconfig.engine.json" (npm test does it)');
  }
  for (const tool of ['dnsmasq', 'tcpdump', 'busybox', 'ip']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is not installed: run scripts/install-deps.sh`);
    }
  }
  try {
    execFileSync(PYTHON, ['-c', 'import scapy.all'], { stdio: 'ignore' });
  } catch {
    throw new Error(`python3-scapy is missing (${PYTHON} -c "import scapy.all" failed): run scripts/install-deps.sh`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON lines from the runner, checked by each test
export type Line = Record<string, any>;

export class BootdropProcess {
  readonly lines: Line[] = [];
  private waiters: Array<{ pred: (l: Line) => boolean; resolve: (l: Line) => void }> = [];
  private stderr = '';

  constructor(readonly proc: ChildProcess) {
    let buf = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!text.trim()) continue;
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          line = { type: 'raw', text };
        }
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => (w.pred(line) ? (w.resolve(line), false) : true));
      }
    });
    proc.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
  }

  /** The first line (already seen or future) matching `pred`, or an error with everything seen. */
  waitFor(pred: (l: Line) => boolean, timeoutMs: number, what = 'a matching line'): Promise<Line> {
    const hit = this.lines.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output:\n${this.dump()}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** Ask the running service which MAC it knows for `ip`. */
  async macForIp(ip: string): Promise<string | null> {
    const seen = this.lines.length;
    this.proc.stdin!.write(JSON.stringify({ macForIp: ip }) + '\n');
    const line = await this.waitFor(
      (l) => l.type === 'macForIp' && l.ip === ip && this.lines.indexOf(l) >= seen,
      3000,
      `macForIp(${ip})`,
    );
    return line.mac as string | null;
  }

  dump(): string {
    return (
      this.lines
        .map((l) => JSON.stringify(l))
        .join('\n')
        .slice(-6000) + (this.stderr ? `\nstderr: ${this.stderr.slice(-2000)}` : '')
    );
  }

  logs(): string[] {
    return this.lines.filter((l) => l.type === 'log').map((l) => `${l.level}: ${l.message}`);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}

export interface RunnerConfig {
  iface?: string;
  mode?: 'proxy' | 'dhcp' | 'auto';
  probeTimeoutMs?: number;
  probeIntervalMs?: number;
  ports?: { dhcp?: number; proxy?: number; client?: number };
}

export async function startBootdrop(host: NetnsHost, config: RunnerConfig): Promise<BootdropProcess> {
  const proc = host.spawn(['node', RUNNER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const bd = new BootdropProcess(proc);
  await bd.waitFor((l) => l.type === 'ready' || l.type === 'error', 15_000, 'the DHCP service to start');
  const err = bd.lines.find((l) => l.type === 'error');
  if (err) throw new Error(`Bootdrop DHCP failed to start: ${JSON.stringify(err)}`);
  return bd;
}

/** dnsmasq as the home router's DHCP server on `host`'s eth0. */
export async function startDnsmasq(host: NetnsHost, range: string): Promise<ChildProcess> {
  const proc = host.spawn([
    'dnsmasq',
    '--no-daemon',
    '--conf-file=/dev/null',
    '--port=0',
    '--interface=eth0',
    '--bind-interfaces',
    `--dhcp-range=${range}`,
    '--no-ping',
    '--leasefile-ro',
    '--log-dhcp',
    '--log-facility=-',
    '--dhcp-option=3',
  ]);
  await waitForOutput(proc, /DHCP, IP range/, 10_000);
  return proc;
}

export interface DhcpReply {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  op: number;
  xid: number;
  yiaddr: string;
  siaddr: string;
  ciaddr: string;
  flags: number;
  file: string;
  options: Record<string, string>; // code → hex
}

export interface ClientArgs {
  kind: string;
  mac?: string;
  xid?: number;
  type?: 'discover' | 'request' | 'decline' | 'inform';
  server?: string;
  port?: number;
  ciaddr?: string;
  requested?: string;
  serverId?: string;
  timeout?: number;
  count?: number; // send this many at once, from consecutive MACs (a flood)
}

/** Run the scapy client in `host` and return the replies it saw. */
export async function pxeClient(host: NetnsHost, a: ClientArgs): Promise<DhcpReply[]> {
  const argv = [PYTHON, PXE_CLIENT, '--iface', 'eth0', '--kind', a.kind, '--timeout', String(a.timeout ?? 2.5)];
  if (a.mac) argv.push('--mac', a.mac);
  if (a.xid !== undefined) argv.push('--xid', String(a.xid));
  if (a.type) argv.push('--type', a.type);
  if (a.server) argv.push('--server', a.server);
  if (a.port) argv.push('--port', String(a.port));
  if (a.ciaddr) argv.push('--ciaddr', a.ciaddr);
  if (a.requested) argv.push('--requested', a.requested);
  if (a.serverId) argv.push('--server-id', a.serverId);
  if (a.count) argv.push('--count', String(a.count));
  const r = await host.exec(argv, true);
  if (r.code !== 0) throw new Error(`pxe_client.py failed (${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DhcpReply);
}

/** busybox udhcpc: one lease attempt; returns the LEASE line's fields or null. */
export async function udhcpc(host: NetnsHost, tries = 4): Promise<Record<string, string> | null> {
  const r = await host.exec(
    [
      'busybox',
      'udhcpc',
      '-f',
      '-q',
      '-n',
      '-i',
      'eth0',
      '-t',
      String(tries),
      '-T',
      '1',
      '-A',
      '1',
      '-s',
      UDHCPC_SCRIPT,
    ],
    true,
  );
  const m = r.stdout.match(/^LEASE (.*)$/m);
  if (!m) return null;
  return Object.fromEntries(m[1]!.split(' ').map((kv) => kv.split('=') as [string, string]));
}

export const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

/** A second link for a host: a veth from `host`'s namespace into another TestLan's bridge. */
export async function addSecondLink(host: NetnsHost, other: TestLan, ifname: string, cidr: string): Promise<void> {
  const peer = `${ifname}x${Math.floor(Math.random() * 1e4)}`;
  await host.exec(['ip', 'link', 'add', ifname, 'type', 'veth', 'peer', 'name', peer, 'netns', other.switchNs]);
  execFileSync('ip', ['-n', other.switchNs, 'link', 'set', peer, 'master', 'br0']);
  execFileSync('ip', ['-n', other.switchNs, 'link', 'set', peer, 'up']);
  await host.exec(['ip', 'addr', 'add', cidr, 'dev', ifname]);
  await host.exec(['ip', 'link', 'set', ifname, 'up']);
  for (let i = 0; i < 50; i++) {
    const state = await host.exec(['cat', `/sys/class/net/${ifname}/operstate`], true);
    if (state.stdout.trim() === 'up') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${ifname} in ${host.ns} did not come up`);
}
