/** Long fuzz runs print their stats and keep them in test/.artifacts/fuzz/ for docs/fuzzing.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CampaignStats } from './lib/mutate';

const DIR = join(__dirname, '..', '.artifacts', 'fuzz');

export function record(stats: CampaignStats): void {
  const line = `${stats.name}: ${stats.iterations} iterations in ${(stats.ms / 1000).toFixed(1)} s (seed ${stats.seed}) ${JSON.stringify(stats.counts)}`;
  console.log(line);
  mkdirSync(DIR, { recursive: true });
  writeFileSync(
    join(DIR, `${stats.name}.json`),
    JSON.stringify({ ...stats, finishedAt: new Date().toISOString(), scale: process.env.FUZZ_SCALE ?? '1' }, null, 2),
  );
}
