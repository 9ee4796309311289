/**
 * `npm run bench:scale`: what one host holds. N simulated BIOS PXE clients (bench/storm-client: PXE
 * DISCOVER, 4011, TFTP loader, iPXE DISCOVER, HTTP script + kernel + initrd) start at once, for N in
 * BENCH_SCALE_COUNTS, against `bootdrop serve` and against the same site exported by `bootdrop
 * export` and served by dnsmasq (proxyDHCP + TFTP) + nginx. The figure is the time until every client
 * has kernel + initrd; each N runs BENCH_ROUNDS times per server, alternating which goes first.
 *
 * Both servers in one namespace of a TestLan (serially), the clients in another, each its own host with
 * its own MAC (lib/storm-lan.ts): traffic stays in throw-away namespaces. The ISO is the bench fixture with small payloads (only kernel + initrd matter).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { NetnsHost } from '../test/helpers/netns';
import { buildFixture, repoRoot, warm, WORK, type Fixture } from './fixture';
import { run, Server, sleep } from './lib/proc';
import { machineInfo } from './lib/report';
import { createStormLan, startServe } from './lib/storm-lan';
import { MAX_STORM_PCS } from './lib/storm-pcs';
import { envInt, fmt, median, MiB, percentile } from './lib/stats';
import { setup } from './run';

const NET = '10.233.0';
type Kind = 'bootdrop' | 'dnsmasq+nginx';

interface StormOut {
  dhcpMs: Record<string, number[]>;
  totals: number[];
  failures: string[];
  wallMs: number;
}

interface Sample {
  wallS: number;
  p50S: number;
  p99S: number;
  failures: number;
  firstFailure: string | null;
  /** Median DHCP reply time per stage (discover, 4011, ipxe), ms: where a retry would show. */
  dhcp: string;
}

function say(s: string): void {
  process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}

/** A server under test: started once, asked to serve many storms, stopped at the end. */
interface Contender {
  kind: Kind;
  stop(): Promise<void>;
}

async function startBootdrop(srv: NetnsHost, fx: Fixture): Promise<Contender> {
  const serve = await startServe(srv, fx.iso);
  return { kind: 'bootdrop', stop: () => serve.stop() };
}

async function startExported(srv: NetnsHost, fx: Fixture, dir: string): Promise<Contender> {
  const root = repoRoot();
  await fsp.rm(dir, { recursive: true, force: true });
  const bin = path.join(root, 'bin', 'bootdrop.js');
  await run('ip', ['netns', 'exec', srv.ns, process.execPath, bin, 'export', fx.iso, '--to', dir, '-i', 'eth0']);
  // BENCH_SCALE_DNSMASQ="tftp-max=1000": lines added to the exported dnsmasq.conf (its default
  // tftp-max is 50 concurrent transfers; the export leaves it).
  const extra = (process.env.BENCH_SCALE_DNSMASQ ?? '').split(';').filter(Boolean);
  if (extra.length > 0) await fsp.appendFile(path.join(dir, 'dnsmasq.conf'), extra.join('\n') + '\n');
  await run('sh', [path.join(dir, 'prepare.sh')], 600_000);
  const nginx = Server.start('nginx', 'ip', ['netns', 'exec', srv.ns, 'nginx', '-c', path.join(dir, 'nginx.conf')]);
  const dnsmasq = Server.start('dnsmasq', 'ip', [
    'netns',
    'exec',
    srv.ns,
    'dnsmasq',
    '-k',
    '-C',
    path.join(dir, 'dnsmasq.conf'),
  ]);
  await dnsmasq.waitFor(/TFTP root is/, 10_000);
  for (let i = 0; ; i++) {
    const r = await run('ip', [
      'netns',
      'exec',
      srv.ns,
      'curl',
      '-sf',
      '-o',
      '/dev/null',
      `http://${srv.address}/boot.ipxe`,
    ]).catch(() => null);
    if (r) break;
    if (i > 100) throw new Error(`nginx does not answer:\n${nginx.log}`);
    await sleep(100);
  }
  return {
    kind: 'dnsmasq+nginx',
    async stop() {
      await dnsmasq.stop();
      await nginx.stop();
      await run('sh', [path.join(dir, 'prepare.sh'), '--undo']).catch(() => undefined);
    },
  };
}

async function storm(cli: NetnsHost, server: string, count: number): Promise<Sample> {
  const out = await run(
    'ip',
    ['netns', 'exec', cli.ns, process.execPath, path.join(__dirname, 'storm-client.js'), server, NET, String(count)],
    900_000,
  );
  const r = JSON.parse(out.stdout) as StormOut;
  return {
    wallS: r.wallMs / 1000,
    p50S: percentile(r.totals, 50) / 1000,
    p99S: percentile(r.totals, 99) / 1000,
    failures: r.failures.length,
    firstFailure: r.failures[0] ?? null,
    dhcp: Object.entries(r.dhcpMs)
      .map(([k, v]) => `${k} ${fmt(median(v), 1)} ms`)
      .join(', '),
  };
}

/** A text plot of seconds against clients, one mark per server, for the docs. */
function curve(counts: number[], series: Record<Kind, number[]>): string {
  const width = 60;
  const max = Math.max(
    ...Object.values(series)
      .flat()
      .filter((x) => Number.isFinite(x)),
    0.001,
  );
  const lines = [
    `clients | time until all have kernel + initrd (B = Bootdrop, N = dnsmasq+nginx; full width ${fmt(max)} s)`,
  ];
  counts.forEach((n, i) => {
    const row = Array.from({ length: width + 1 }, () => ' ');
    const b = series.bootdrop[i];
    const c = series['dnsmasq+nginx'][i];
    if (c !== undefined && Number.isFinite(c)) row[Math.round((c / max) * width)] = 'N';
    if (b !== undefined && Number.isFinite(b))
      row[Math.round((b / max) * width)] = row[Math.round((b / max) * width)] === 'N' ? '*' : 'B';
    lines.push(`${String(n).padStart(7)} |${row.join('').trimEnd()}`);
  });
  return lines.join('\n');
}

async function main(): Promise<void> {
  const counts = (process.env.BENCH_SCALE_COUNTS ?? '10,25,50,100,150').split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_STORM_PCS))
    throw new Error(`BENCH_SCALE_COUNTS: whole numbers 1-${MAX_STORM_PCS} (one address each in .100-.249)`);
  const rounds = envInt('BENCH_ROUNDS', 2);
  await setup({ engine: true });
  const fx = await buildFixture(
    {
      httpBytes: MiB,
      tftpBytes: MiB,
      sparseBytes: 8 * MiB,
      kernelBytes: envInt('BENCH_KERNEL_MIB', 12) * MiB,
      initrdBytes: envInt('BENCH_INITRD_MIB', 40) * MiB,
    },
    say,
  );
  await warm([fx.iso]);
  const { lan, srv, cli } = await createStormLan('scl', NET, Math.max(...counts));
  const contenders: Contender[] = [];
  const results = new Map<string, Sample[]>();
  try {
    const site = path.join(WORK, 'scale-site');
    // One server at a time owns ports 67/69/80/4011 in the namespace: all rounds of one, then the other,
    // alternating the order per N so neither always runs on a warmer machine.
    for (const [ci, n] of counts.entries()) {
      const order: Kind[] = ci % 2 === 0 ? ['bootdrop', 'dnsmasq+nginx'] : ['dnsmasq+nginx', 'bootdrop'];
      const only = process.env.BENCH_SCALE_ONLY;
      for (const kind of order.filter((k) => !only || k === only)) {
        const c = kind === 'bootdrop' ? await startBootdrop(srv, fx) : await startExported(srv, fx, site);
        contenders.push(c);
        try {
          for (let r = 0; r < rounds; r++) {
            say(`${kind}: ${n} clients at once, round ${r + 1}/${rounds}`);
            const s = await storm(cli, srv.address!, n);
            say(`  all done in ${fmt(s.wallS, 2)} s (per client p50 ${fmt(s.p50S, 2)} s), ${s.failures} failed`);
            if (s.firstFailure) say(`  first failure: ${s.firstFailure}`);
            say(`  DHCP replies (median): ${s.dhcp}`);
            results.set(`${kind}/${n}`, [...(results.get(`${kind}/${n}`) ?? []), s]);
          }
        } finally {
          await c.stop();
          contenders.pop();
        }
      }
    }
  } finally {
    for (const c of contenders) await c.stop().catch(() => undefined);
    await lan.destroy();
  }
  const mib = (fx.sizes.kernelBytes + fx.sizes.initrdBytes) / MiB;
  const rows = [
    `| clients | Bootdrop: all have kernel + initrd | dnsmasq + nginx (exported) | ratio | Bootdrop per client p50 / p99 | dnsmasq + nginx per client p50 / p99 | aggregate MB/s (Bootdrop / dnsmasq + nginx) | failed |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  const series: Record<Kind, number[]> = { bootdrop: [], 'dnsmasq+nginx': [] };
  for (const n of counts) {
    const b = results.get(`bootdrop/${n}`) ?? [];
    const c = results.get(`dnsmasq+nginx/${n}`) ?? [];
    // A round with failures has no "all have kernel + initrd" time: it is shown, not counted.
    const ok = (xs: Sample[]) => xs.filter((s) => s.failures === 0);
    const bw = median(ok(b).map((s) => s.wallS));
    const cw = median(ok(c).map((s) => s.wallS));
    const each = (xs: Sample[]) =>
      xs.map((s) => (s.failures === 0 ? fmt(s.wallS, 2) : `${s.failures} of ${n} failed`)).join(', ');
    const cell = (w: number, xs: Sample[]) =>
      xs.length === 0 ? '—' : `${ok(xs).length > 0 ? `${fmt(w, 2)} s` : 'failed'} (${each(xs)})`;
    series.bootdrop.push(ok(b).length > 0 ? bw : NaN);
    series['dnsmasq+nginx'].push(ok(c).length > 0 ? cw : NaN);
    const mbs = (w: number) => fmt((n * mib * MiB) / 1e6 / w, 0);
    rows.push(
      `| ${n} | ${cell(bw, b)} | ${cell(cw, c)} | ${fmt(bw / cw, 2)} | ${fmt(median(ok(b).map((s) => s.p50S)), 2)} / ${fmt(median(ok(b).map((s) => s.p99S)), 2)} s | ${fmt(median(ok(c).map((s) => s.p50S)), 2)} / ${fmt(median(ok(c).map((s) => s.p99S)), 2)} s | ${mbs(bw)} / ${mbs(cw)} | ${b.reduce((a, s) => a + s.failures, 0)} / ${c.reduce((a, s) => a + s.failures, 0)} |`,
    );
  }
  const report = [
    `Kernel + initrd: ${mib} MiB per client; ${rounds} rounds per server and N (medians, each round in brackets).`,
    '',
    ...rows,
    '',
    '```',
    curve(counts, series),
    '```',
    '',
    machineInfo(),
  ].join('\n');
  process.stdout.write(report + '\n');
  if (process.env.BENCH_OUT) await fsp.writeFile(process.env.BENCH_OUT, report + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scale: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
