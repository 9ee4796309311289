/**
 * Boot storm: `bootdrop serve` (proxy mode, the compiled engine) in one namespace of a TestLan, and
 * 50 simulated PXE clients starting at once in another (bench/storm-client). All must finish; the
 * figure is the DHCP reply latency (p50/p99 over every DISCOVER and 4011 reply) and the storm's time.
 */
import * as path from 'node:path';
import { TestLan } from '../test/helpers/netns';
import { repoRoot, type Fixture } from './fixture';
import { run, Server } from './lib/proc';
import type { Row } from './lib/report';
import { envInt, median, percentile } from './lib/stats';

interface StormResult {
  dhcpMs: Record<string, number[]>;
  totals: number[];
  failures: string[];
  wallMs: number;
}

export async function stormFigures(fx: Fixture, say: (s: string) => void): Promise<Row[]> {
  const count = envInt('BENCH_STORM_CLIENTS', 50);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const lan = await TestLan.create('stm');
  let serve: Server | null = null;
  try {
    const srv = await lan.addHost('srv', '10.232.0.2/24');
    const cli = await lan.addHost('cli', '10.232.0.10/24');
    // PXE ROMs broadcast to 255.255.255.255; without a default route Linux has no interface for it.
    await cli.exec(['ip', 'route', 'add', 'default', 'dev', 'eth0']);
    if (count > 150) throw new Error('BENCH_STORM_CLIENTS: at most 150 (one address each in 10.232.0.100-249)');
    // One address per simulated PC, as the LAN's DHCP server would have handed out (one batch call).
    const batch = Array.from({ length: count }, (_, i) => `address add 10.232.0.${100 + i}/24 dev eth0`).join('\n');
    await run('bash', ['-c', `ip -n ${cli.ns} -batch - <<'EOF'\n${batch}\nEOF`]);
    const root = repoRoot();
    serve = Server.start('bootdrop serve', 'ip', ['netns', 'exec', srv.ns, process.execPath, path.join(root, 'bin', 'bootdrop.js'), 'serve', fx.iso, '--mode', 'proxy', '--interface', 'eth0', '--json']);
    await serve.waitFor(/"serving":true/, 60_000);
    const stages = ['discover', '4011', 'ipxe', 'all'] as const;
    const p50 = new Map<string, number[]>(stages.map((k) => [k, []]));
    const p99 = new Map<string, number[]>(stages.map((k) => [k, []]));
    const walls: number[] = [];
    const failures: string[] = [];
    let replies = 0;
    for (let i = 0; i < rounds; i++) {
      say(`boot storm ${i + 1}/${rounds}: ${count} PXE clients at once (DHCP, 4011, TFTP loader, iPXE DHCP, HTTP script+kernel+initrd)`);
      const out = await run('ip', ['netns', 'exec', cli.ns, process.execPath, path.join(__dirname, 'storm-client.js'), srv.address!, '10.232.0', String(count)], 600_000);
      const r = JSON.parse(out.stdout) as StormResult;
      failures.push(...r.failures);
      const byStage: Record<string, number[]> = { ...r.dhcpMs, all: Object.values(r.dhcpMs).flat() };
      replies += byStage.all!.length;
      for (const k of stages) {
        p50.get(k)!.push(percentile(byStage[k] ?? [], 50));
        p99.get(k)!.push(percentile(byStage[k] ?? [], 99));
      }
      walls.push(r.wallMs / 1000);
      if (r.failures.length) say(`${r.failures.length} clients failed; bootdrop serve said:\n${serve.log.slice(-3000)}`);
    }
    const mib = (fx.sizes.kernelBytes + fx.sizes.initrdBytes) / 2 ** 20;
    const note = failures.length ? `${failures.length} client failures, first: ${failures[0]}` : `all ${count * rounds} clients finished; ${replies} DHCP replies timed`;
    const ok = failures.length === 0;
    const stat = (what: string, k: string, goal: string, met: boolean | null, extra?: string): Row => ({
      figure: `boot storm, ${count} PXE clients: ${what}`,
      unit: 'ms',
      bootdrop: p99.get(k)!,
      classic: p50.get(k)!,
      classicName: 'p50',
      compare: false,
      goal,
      met,
      ...(extra ? { note: extra } : {}),
    });
    return [
      stat('DHCP reply p99, first DISCOVER (all at once)', 'discover', 'p99 < 10 ms', ok && median(p99.get('discover')!) < 10, note),
      stat('4011 reply p99 (as loaders start)', '4011', '—', null),
      stat('iPXE DISCOVER reply p99 (during TFTP/HTTP transfers)', 'ipxe', '—', null),
      stat('every DHCP reply, p99', 'all', 'p99 < 10 ms', ok && median(p99.get('all')!) < 10),
      { figure: `boot storm: time until all ${count} clients have kernel + initrd (${mib} MiB each)`, unit: 's', bootdrop: walls, classic: [], classicName: '—', goal: 'all finish', met: ok },
    ];
  } finally {
    await serve?.stop();
    await lan.destroy();
  }
}
