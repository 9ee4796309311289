/**
 * HTTP figures on loopback: bulk throughput of a large file inside the ISO (1 and 16 clients, curl)
 * and random 64 KiB range reads (sanboot's pattern), Bootdrop vs nginx serving the same bytes from
 * disk with sendfile. Bootdrop's memory is sampled during the 16-client run.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { nativeStatus } from '../main/native';
import type { Fixture } from './fixture';
import { alternate } from './lib/alternate';
import { curlLoad, rangeReads } from './lib/http-client';
import { sampleRss } from './lib/proc';
import type { Row } from './lib/report';
import { envInt, mbps, median, QUICK } from './lib/stats';
import { startBootdrop, startNginx } from './servers';

/** dist/bench/bench → dist/native (scripts/build-native.mjs). */
const NATIVE_DIR = path.resolve(__dirname, '..', '..', 'native');

export async function httpFigures(fx: Fixture, workDir: string, say: (s: string) => void): Promise<Row[]> {
  const rounds = envInt('BENCH_ROUNDS', 3);
  // The engine here is dist/bench/main, from where load.ts does not look in dist/native: point it
  // there (only while this figure's servers start) so Bootdrop sends bulk bodies with sendfile(2), as
  // the app does. BOOTDROP_NATIVE=0 still measures the JavaScript path.
  const nativeDir = process.env.BOOTDROP_NATIVE_DIR;
  if (nativeDir === undefined && existsSync(path.join(NATIVE_DIR, 'sendfile.node')))
    process.env.BOOTDROP_NATIVE_DIR = NATIVE_DIR;
  say(`HTTP bodies: sendfile helper ${nativeStatus(['sendfile']).sendfile}`);
  const many = envInt('BENCH_HTTP_CLIENTS', 16);
  const rangeCount = envInt('BENCH_RANGE_COUNT', QUICK ? 1000 : 10_000);
  const rangeConns = envInt('BENCH_RANGE_CONNECTIONS', 1);
  const bd = await startBootdrop(fx.iso, { address: '127.0.0.1', http: 0 });
  if (nativeDir === undefined) delete process.env.BOOTDROP_NATIVE_DIR;
  const ng = await startNginx(fx.wwwDir, workDir);
  const rows: Row[] = [];
  try {
    const bdUrl = `http://127.0.0.1:${bd.httpPort}${fx.httpPath}`;
    const ngUrl = `http://127.0.0.1:${ng.httpPort}/big.bin`;
    const size = fx.sizes.httpBytes;
    const sizeLabel = size >= 2 ** 30 ? `${size / 2 ** 30} GiB` : `${size / 2 ** 20} MiB`;
    // One untimed pass each: both servers' code paths and the page cache are warm before timing.
    await curlLoad(bdUrl, 1);
    await curlLoad(ngUrl, 1);

    say(`HTTP: ${sizeLabel}, 1 client`);
    const one = await alternate(
      rounds,
      async () => tp(await curlLoad(bdUrl, 1)),
      async () => tp(await curlLoad(ngUrl, 1)),
    );
    rows.push(row(`HTTP ${sizeLabel} file in the ISO, 1 client`, one, 'nginx sendfile'));

    say(`HTTP: ${sizeLabel}, ${many} concurrent clients (sampling Bootdrop's RSS)`);
    let peak = 0;
    const par = await alternate(
      rounds,
      async () => {
        const rss = sampleRss(bd.server.pid);
        const r = await curlLoad(bdUrl, many);
        peak = Math.max(peak, rss.stop());
        return tp(r);
      },
      async () => tp(await curlLoad(ngUrl, many)),
    );
    rows.push(row(`HTTP ${sizeLabel} file in the ISO, ${many} concurrent clients (aggregate)`, par, 'nginx sendfile'));
    rows.push({
      figure: `engine RSS, peak while serving ${many} clients from the ${(fx.sizes.sparseBytes + size) / 2 ** 30 >= 1 ? ((fx.sizes.sparseBytes + size + fx.sizes.tftpBytes) / 2 ** 30).toFixed(1) + ' GiB' : 'bench'} ISO`,
      unit: 'MB',
      bootdrop: [peak / 1e6],
      classic: [],
      classicName: '—',
      goal: '< 150 MB',
      met: peak / 1e6 < 150,
    });

    say(`HTTP: ${rangeCount} random 64 KiB range reads over ${rangeConns} keep-alive connection(s)`);
    const ranges = (port: number, path: string) => async () => {
      const r = await rangeReads({
        port,
        path,
        fileSize: size,
        count: rangeCount,
        block: 64 * 1024,
        connections: rangeConns,
        seed: 0x5eed,
      });
      return (rangeCount / r.ms) * 1000;
    };
    const rr = await alternate(rounds, ranges(bd.httpPort!, fx.httpPath), ranges(ng.httpPort!, '/big.bin'));
    rows.push({
      ...row(`HTTP ${rangeCount} random 64 KiB range reads, ${rangeConns} keep-alive connection`, rr, 'nginx'),
      unit: 'req/s',
    });
  } finally {
    await bd.server.stop();
    await ng.server.stop();
  }
  return rows;
}

function tp(r: { bytes: number; ms: number }): number {
  return mbps(r.bytes, r.ms);
}

function row(figure: string, r: { a: number[]; b: number[] }, classicName: string): Row {
  const ratio = median(r.a) / median(r.b);
  return { figure, unit: 'MB/s', bootdrop: r.a, classic: r.b, classicName, goal: '≥ 0.8×', met: ratio >= 0.8 };
}
