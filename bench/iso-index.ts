/**
 * Open an ISO, index every entry (a full tree walk, as `xorriso -find /` does) and run OS detection
 * (the boot planner), printing {"entries":n,"family":..,"ms":t}. Used in-process by the bench and,
 * as `node iso-index.js <iso>`, as a fresh process to compare with xorriso's whole run.
 */
import { planSource } from '../main/boot';
import { openSource } from '../main/iso';
import type { Vfs } from '../main/vfs';
import { errorMessage } from '../main/errors';

async function walk(vfs: Vfs, dir: string): Promise<number> {
  let n = 0;
  for (const e of await vfs.readdir(dir)) {
    n++;
    if (e.type === 'dir') n += await walk(vfs, e.path);
  }
  return n;
}

export async function indexIso(iso: string): Promise<{ entries: number; family: string; ms: number }> {
  const t0 = performance.now();
  const o = await openSource(iso);
  try {
    const entries = await walk(o.vfs, '/');
    const plan = await planSource(o.vfs, o.info, { sourceId: 'bench', hostPath: iso });
    return { entries, family: plan.summary.family, ms: performance.now() - t0 };
  } finally {
    await o.vfs.close();
  }
}

if (require.main === module) {
  indexIso(process.argv[2]!).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${errorMessage(err)}\n`);
      process.exit(1);
    },
  );
}
