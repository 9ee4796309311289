/**
 * ISO open + index + OS detection on the multi-GiB bench ISO, warm cache: Bootdrop in-process (what
 * the app pays when an ISO is dropped) and as a fresh Node process, against `xorriso -find /` over the
 * same image (a fresh process too).
 */
import * as path from 'node:path';
import type { Fixture } from './fixture';
import { indexIso } from './iso-index';
import { rotate } from './lib/alternate';
import { run } from './lib/proc';
import type { Row } from './lib/report';
import { envInt, median } from './lib/stats';

export async function isoFigures(fx: Fixture, say: (s: string) => void): Promise<Row[]> {
  const rounds = Math.max(envInt('BENCH_ROUNDS', 3), 5);
  const gib = (fx.sizes.httpBytes + fx.sizes.tftpBytes + fx.sizes.sparseBytes) / 2 ** 30;
  say(`ISO: open + index + OS detection, ${gib.toFixed(1)} GiB ISO, warm`);
  const first = await indexIso(fx.iso);
  if (first.family !== 'archiso')
    throw new Error(`OS detection found "${first.family}" in the bench ISO, expected archiso`);
  const xorrisoFind = async () => {
    const r = await run('xorriso', ['-abort_on', 'FAILURE', '-indev', fx.iso, '-find', '/']);
    const found = r.stdout.split('\n').filter((l) => l.startsWith("'/")).length;
    if (found < first.entries) throw new Error(`xorriso -find listed ${found} entries, Bootdrop ${first.entries}`);
    return r.ms;
  };
  const script = path.join(__dirname, 'iso-index.js');
  const [inProc, xo, proc] = await rotate(rounds, [
    async () => (await indexIso(fx.iso)).ms,
    xorrisoFind,
    async () => (await run(process.execPath, [script, fx.iso])).ms,
  ]);
  const note = `${first.entries} entries, detected "${first.family}"`;
  return [
    {
      figure: `ISO open + index + OS detection, ${gib.toFixed(1)} GiB ISO, warm (in-process)`,
      unit: 'ms',
      bootdrop: inProc!,
      classic: xo!,
      classicName: 'xorriso -find /',
      goal: '< 50 ms, faster',
      met: median(inProc!) < 50 && median(inProc!) < median(xo!),
      note,
    },
    {
      figure: 'the same, as a fresh process (Node start-up included)',
      unit: 'ms',
      bootdrop: proc!,
      classic: xo!,
      classicName: 'xorriso -find /',
      goal: 'faster',
      met: median(proc!) < median(xo!),
    },
  ];
}
