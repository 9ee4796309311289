/**
 * `npm run bench`: Bootdrop against the classic tools, side by side, on this machine.
 *
 * Sets up what it needs (Debian packages via scripts/install-deps.sh, the compiled engine, a
 * multi-GiB bench ISO under bench/.work/), runs every figure for Bootdrop and the classic tool in
 * alternating rounds, and prints a Markdown table of medians and ratios with machine info.
 *
 * Environment: BENCH_QUICK=1 (small sizes, a fast smoke run), BENCH_ONLY=http,tftp,tftp-native,iso,storm,
 * BENCH_ROUNDS (default 3), BENCH_SKIP_INSTALL=1, sizes BENCH_HTTP_MIB, BENCH_TFTP_MIB,
 * BENCH_SPARSE_MIB, more per figure (see docs/benchmarks.md). BENCH_OUT=<file> also writes the report.
 */
import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { buildFixture, repoRoot, warm, WORK, type BenchSizes } from './fixture';
import { httpFigures } from './figures-http';
import { isoFigures } from './figures-iso';
import { stormFigures } from './figures-storm';
import { tftpFigures } from './figures-tftp';
import { tftpNativeFigures } from './figures-tftp-native';
import { run } from './lib/proc';
import { machineInfo, table, type Row } from './lib/report';
import { envInt, MiB, QUICK } from './lib/stats';
import { errorMessage } from '../main/errors';

const FIGURES = ['http', 'tftp', 'tftp-native', 'iso', 'storm'] as const;

function say(s: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}

export async function setup(opts: { engine: boolean }): Promise<void> {
  const root = repoRoot();
  if (process.env.BENCH_SKIP_INSTALL !== '1') {
    say('installing the comparison tools (scripts/install-deps.sh)');
    await run('bash', [path.join(root, 'scripts', 'install-deps.sh')], 1_800_000);
  }
  if (!opts.engine || process.env.BENCH_SKIP_BUILD === '1') return;
  say('building the engine (dist/engine, which `bootdrop serve` runs)');
  try {
    await run(process.execPath, [
      path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      path.join(root, 'tsconfig.engine.json'),
    ]);
  } catch (err) {
    // tsc still emits on type errors; a half-edited file elsewhere should not stop a benchmark.
    if (!existsSync(path.join(root, 'dist', 'engine', 'cli', 'index.js'))) throw err;
    say(`warning: the engine build reported errors (using what it emitted): ${errorMessage(err).slice(0, 400)}`);
  }
}

export function sizes(): BenchSizes {
  return {
    httpBytes: envInt('BENCH_HTTP_MIB', QUICK ? 128 : 1024) * MiB,
    tftpBytes: envInt('BENCH_TFTP_MIB', QUICK ? 8 : 64) * MiB,
    sparseBytes: envInt('BENCH_SPARSE_MIB', QUICK ? 2048 : 3072) * MiB,
    kernelBytes: envInt('BENCH_KERNEL_MIB', QUICK ? 2 : 12) * MiB,
    initrdBytes: envInt('BENCH_INITRD_MIB', QUICK ? 4 : 40) * MiB,
  };
}

async function main(): Promise<void> {
  const only = (process.env.BENCH_ONLY ?? FIGURES.join(',')).split(',').map((s) => s.trim());
  for (const f of only)
    if (!(FIGURES as readonly string[]).includes(f))
      throw new Error(`BENCH_ONLY: unknown figure "${f}" (known: ${FIGURES.join(', ')})`);
  const t0 = Date.now();
  await setup({ engine: only.includes('storm') });
  const fx = await buildFixture(sizes(), say);
  say('warming the page cache (ISO and extracted copies)');
  await warm([fx.iso, path.join(fx.wwwDir, 'big.bin'), path.join(fx.tftpDir, 'tftp.bin')]);
  const rows: Row[] = [];
  if (only.includes('http')) rows.push(...(await httpFigures(fx, WORK, say)));
  if (only.includes('tftp')) rows.push(...(await tftpFigures(fx, say)));
  if (only.includes('tftp-native')) rows.push(...(await tftpNativeFigures(fx, say)));
  if (only.includes('iso')) rows.push(...(await isoFigures(fx, say)));
  if (only.includes('storm')) rows.push(...(await stormFigures(fx, say)));
  const report = [
    `## Results${QUICK ? ' (BENCH_QUICK: smoke sizes, not comparable)' : ''}`,
    '',
    table(rows),
    '',
    machineInfo(),
    `- bench wall time: ${((Date.now() - t0) / 1000).toFixed(0)} s; rounds per figure: ${envInt('BENCH_ROUNDS', 3)}`,
    '',
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (process.env.BENCH_OUT) await fsp.writeFile(process.env.BENCH_OUT, report);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
