/**
 * Boot storm: `bootdrop serve` (proxy mode, the compiled engine) in one namespace of a TestLan, and
 * 50 simulated PXE clients starting at once in another (bench/storm-client; each PC its own host there,
 * a macvlan device with its MAC and address: lib/storm-lan). All must finish; the
 * figures are the DHCP reply latencies per stage (p50/p99, taken from a packet capture in the client
 * namespace: kernel timestamps, so the busy client process does not inflate them) and the storm's time.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { WORK, type Fixture } from './fixture';
import { dhcpTimings } from './lib/pcap';
import { run, Server, sleep } from './lib/proc';
import type { Row } from './lib/report';
import { createStormLan, startServe } from './lib/storm-lan';
import { MAX_STORM_PCS } from './lib/storm-pcs';
import { envInt, median, percentile } from './lib/stats';

const NET = '10.232.0';

interface StormResult {
  dhcpMs: Record<string, number[]>;
  totals: number[];
  failures: string[];
  wallMs: number;
}

export async function stormFigures(fx: Fixture, say: (s: string) => void): Promise<Row[]> {
  const count = envInt('BENCH_STORM_CLIENTS', 50);
  const rounds = envInt('BENCH_ROUNDS', 3);
  if (count > MAX_STORM_PCS) throw new Error(`BENCH_STORM_CLIENTS: at most ${MAX_STORM_PCS}, not ${count}`);
  const { lan, srv, cli } = await createStormLan('stm', NET, count);
  let serve: Server | null = null;
  try {
    // BENCH_PROFILE=<dir>: write a V8 CPU profile of `bootdrop serve` there (open in Chrome DevTools);
    // BENCH_PROFILE_US=<n> samples every n µs (default 1000, too coarse for a 10 ms burst: try 100).
    const interval = process.env.BENCH_PROFILE_US ? [`--cpu-prof-interval=${envInt('BENCH_PROFILE_US', 1000)}`] : [];
    const prof = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, ...interval]
      : [];
    // BENCH_SERVE_FLAGS="--trace-deopt …": more Node/V8 flags for `bootdrop serve`; BENCH_SERVE_LOG=<file>
    // keeps what it printed (stdout and stderr).
    prof.push(...(process.env.BENCH_SERVE_FLAGS ?? '').split(' ').filter(Boolean));
    serve = await startServe(srv, fx.iso, prof);
    const stages = ['burst', 'discover', '4011', 'ipxe', 'all'] as const;
    const p50 = new Map<string, number[]>(stages.map((k) => [k, []]));
    const p99 = new Map<string, number[]>(stages.map((k) => [k, []]));
    const walls: number[] = [];
    const failures: string[] = [];
    let replies = 0;
    for (let i = 0; i < rounds; i++) {
      say(`DHCP burst ${i + 1}/${rounds}: ${count} PXE DISCOVERs at once, nothing else`);
      const burst = await captured(cli.ns, path.join(WORK, `burst-${i}.pcap`), () =>
        run(
          'ip',
          [
            'netns',
            'exec',
            cli.ns,
            process.execPath,
            path.join(__dirname, 'storm-client.js'),
            srv.address!,
            NET,
            String(count),
            'dhcp-only',
          ],
          120_000,
        ),
      );
      p50.get('burst')!.push(percentile(burst.burst ?? [], 50));
      p99.get('burst')!.push(percentile(burst.burst ?? [], 99));
      say(
        `boot storm ${i + 1}/${rounds}: ${count} PXE clients at once (DHCP, 4011, TFTP loader, iPXE DHCP, HTTP script+kernel+initrd)`,
      );
      const pcap = path.join(WORK, `storm-${i}.pcap`);
      let out = { stdout: '' };
      const wire = await captured(cli.ns, pcap, async () => {
        out = await run(
          'ip',
          [
            'netns',
            'exec',
            cli.ns,
            process.execPath,
            path.join(__dirname, 'storm-client.js'),
            srv.address!,
            NET,
            String(count),
          ],
          600_000,
        );
      });
      const r = JSON.parse(out.stdout) as StormResult;
      // Wire times (kernel timestamps) replace the client's own clock.
      r.dhcpMs = wire;
      failures.push(...r.failures);
      const byStage: Record<string, number[]> = { ...r.dhcpMs, all: Object.values(r.dhcpMs).flat() };
      replies += byStage.all!.length;
      for (const k of stages.filter((s) => s !== 'burst')) {
        p50.get(k)!.push(percentile(byStage[k] ?? [], 50));
        p99.get(k)!.push(percentile(byStage[k] ?? [], 99));
      }
      walls.push(r.wallMs / 1000);
      if (r.failures.length)
        say(`${r.failures.length} clients failed; bootdrop serve said:\n${serve.log.slice(-3000)}`);
    }
    const mib = (fx.sizes.kernelBytes + fx.sizes.initrdBytes) / 2 ** 20;
    const note = failures.length
      ? `${failures.length} client failures, first: ${failures[0]}`
      : `all ${count * rounds} clients finished; ${replies} DHCP replies timed`;
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
      stat(
        'DHCP burst alone: reply p99 of 50 DISCOVERs sent at once',
        'burst',
        'p99 < 10 ms',
        median(p99.get('burst')!) < 10,
      ),
      stat(
        'DHCP reply p99, first DISCOVER (all at once, then the boots)',
        'discover',
        'p99 < 10 ms',
        ok && median(p99.get('discover')!) < 10,
        note,
      ),
      stat('4011 reply p99 (as loaders start)', '4011', '—', null),
      stat('iPXE DISCOVER reply p99 (during TFTP/HTTP transfers)', 'ipxe', '—', null),
      stat('every DHCP reply, p99', 'all', 'p99 < 10 ms', ok && median(p99.get('all')!) < 10),
      {
        figure: `boot storm: time until all ${count} clients have kernel + initrd (${mib} MiB each)`,
        unit: 's',
        bootdrop: walls,
        classic: [],
        classicName: '—',
        goal: 'all finish',
        met: ok,
      },
    ];
  } finally {
    await serve?.stop();
    if (serve && process.env.BENCH_SERVE_LOG) await fsp.writeFile(process.env.BENCH_SERVE_LOG, serve.log);
    await lan.destroy();
  }
}

/** Run `body` with tcpdump capturing DHCP in namespace `ns`; returns reply latencies by xid stage. */
async function captured(ns: string, pcap: string, body: () => Promise<unknown>): Promise<Record<string, number[]>> {
  const dump = Server.start('tcpdump', 'ip', [
    'netns',
    'exec',
    ns,
    'tcpdump',
    '-i',
    'eth0',
    '-n',
    '-U',
    '-s',
    '600',
    '-w',
    pcap,
    'udp port 67 or udp port 68 or udp port 4011',
  ]);
  await dump.waitFor(/listening on/, 10_000);
  try {
    await body();
    await sleep(200);
  } finally {
    await dump.stop();
  }
  // The stage is in the xid's low nibble (storm-client: +0 discover, +1 4011, +2 iPXE, +3 burst).
  const stageOf = ['discover', '4011', 'ipxe', 'burst'];
  const out: Record<string, number[]> = {};
  for (const t of dhcpTimings(pcap)) (out[stageOf[t.xid & 0xf] ?? 'other'] ??= []).push(t.ms);
  return out;
}
