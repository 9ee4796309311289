/**
 * A throw-away LAN made of network namespaces, for tests that need real packets on a real link without
 * touching the machine's interfaces: a "switch" namespace holds a bridge; each host is its own
 * namespace joined to the bridge by a veth pair; QEMU guests join through tap devices on the bridge.
 * Everything is named with a per-LAN prefix and removed by destroy() (and on process exit).
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { run as runTool, runOk, type Ran } from './run';

/** `cmd` to the end, unbounded (a host's command may be a long flood; the test bounds it). */
function run(cmd: string[], allowFail = false): Promise<Ran> {
  return (allowFail ? runTool : runOk)(cmd[0]!, cmd.slice(1), { timeoutMs: 0 });
}

let lanCounter = 0;
const liveLans = new Set<TestLan>();
process.once('exit', () => {
  for (const lan of liveLans) lan.destroySync();
});

export class NetnsHost {
  constructor(
    readonly ns: string,
    readonly ifname: string,
    readonly address: string | null, // 'a.b.c.d' without prefix
    readonly mac: string,
  ) {}

  exec(cmd: string[], allowFail = false): Promise<Ran> {
    return run(['ip', 'netns', 'exec', this.ns, ...cmd], allowFail);
  }

  spawn(cmd: string[], opts: SpawnOptions = {}): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  }
}

export class TestLan {
  readonly prefix: string;
  readonly switchNs: string;
  private hosts: NetnsHost[] = [];
  private hostCount = 0;
  private destroyed = false;

  private constructor(prefix: string) {
    this.prefix = prefix;
    this.switchNs = `${prefix}-sw`;
  }

  /** Create an empty LAN (a bridge in its own namespace). */
  static async create(tag = 'lan'): Promise<TestLan> {
    const prefix = `bd${process.pid % 100000}${tag.slice(0, 3)}${++lanCounter}`;
    const lan = new TestLan(prefix);
    liveLans.add(lan);
    await run(['ip', 'netns', 'add', lan.switchNs]);
    await run(['ip', '-n', lan.switchNs, 'link', 'set', 'lo', 'up']);
    await run([
      'ip',
      '-n',
      lan.switchNs,
      'link',
      'add',
      'br0',
      'type',
      'bridge',
      'forward_delay',
      '0',
      'stp_state',
      '0',
    ]);
    // No multicast snooping/ageing surprises: act like a dumb switch.
    await run(['ip', '-n', lan.switchNs, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    await run(['ip', '-n', lan.switchNs, 'link', 'set', 'br0', 'up']);
    return lan;
  }

  /**
   * Add a host namespace joined to the bridge. `cidr` like '10.213.0.1/24', or null for a host with no
   * address (a DHCP client). The host's interface is called `eth0`.
   */
  async addHost(name: string, cidr: string | null, opts: { mac?: string; mtu?: number } = {}): Promise<NetnsHost> {
    const n = ++this.hostCount;
    const ns = `${this.prefix}-${name}`;
    const swSide = `v${n}sw`;
    await run(['ip', 'netns', 'add', ns]);
    await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    await run(['ip', '-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', swSide, 'netns', this.switchNs]);
    if (opts.mac) await run(['ip', '-n', ns, 'link', 'set', 'eth0', 'address', opts.mac]);
    if (opts.mtu) {
      await run(['ip', '-n', ns, 'link', 'set', 'eth0', 'mtu', String(opts.mtu)]);
      await run(['ip', '-n', this.switchNs, 'link', 'set', swSide, 'mtu', String(opts.mtu)]);
    }
    await run(['ip', '-n', this.switchNs, 'link', 'set', swSide, 'master', 'br0']);
    await run(['ip', '-n', this.switchNs, 'link', 'set', swSide, 'up']);
    if (cidr) await run(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', 'eth0']);
    await run(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    const link = await run(['ip', '-n', ns, '-j', 'link', 'show', 'eth0']);
    const mac = (JSON.parse(link.stdout) as Array<{ address: string }>)[0]!.address;
    const host = new NetnsHost(ns, 'eth0', cidr ? cidr.split('/')[0]! : null, mac);
    this.hosts.push(host);
    return host;
  }

  /** A tap device on the bridge for a QEMU guest (`-netdev tap,ifname=<name>,script=no,downscript=no`). */
  async addTap(): Promise<{ ns: string; ifname: string }> {
    const ifname = `tap${++this.hostCount}`;
    await run(['ip', '-n', this.switchNs, 'tuntap', 'add', ifname, 'mode', 'tap']);
    await run(['ip', '-n', this.switchNs, 'link', 'set', ifname, 'master', 'br0']);
    await run(['ip', '-n', this.switchNs, 'link', 'set', ifname, 'up']);
    return { ns: this.switchNs, ifname };
  }

  /** Drop a share of the packets that a host receives (netem is not in this kernel; iptables is). */
  async setLoss(host: NetnsHost, probability: number): Promise<void> {
    await host.exec(['iptables', '-F', 'INPUT']);
    if (probability > 0) {
      await host.exec([
        'iptables',
        '-A',
        'INPUT',
        '-p',
        'udp',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        String(probability),
        '-j',
        'DROP',
      ]);
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    liveLans.delete(this);
    for (const h of this.hosts) {
      // Kill anything still running inside the namespace before deleting it.
      const pids = await run(['ip', 'netns', 'pids', h.ns], true);
      for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await run(['ip', 'netns', 'del', h.ns], true);
    }
    const pids = await run(['ip', 'netns', 'pids', this.switchNs], true);
    for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await run(['ip', 'netns', 'del', this.switchNs], true);
  }

  /** Last-resort cleanup from a process 'exit' handler (synchronous). */
  destroySync(): void {
    for (const ns of [...this.hosts.map((h) => h.ns), this.switchNs]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        /* gone */
      }
    }
  }
}

/** Wait for a child's output to match, with a hard timeout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = seen.match(pattern);
      if (m) {
        cleanup();
        resolve(m[0]);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`process exited (${code}) before ${pattern}; output:\n${seen.slice(-4000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; output:\n${seen.slice(-4000)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}
