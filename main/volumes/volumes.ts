/**
 * The drives and volumes a user would look on for an ISO — USB sticks, other disks, network shares —
 * each with the .iso files near its top, for the Open dialog. node-disk-info runs `df` (wmic on
 * Windows) synchronously, and a stale network mount can hang both it and a readdir for minutes, so
 * both run in a child process with a time limit (child.ts), never on the engine's event loop.
 */
import type { IsoOnVolume, Volume, VolumeList } from '../contract';
import { errorMessage } from '../errors';
import { ChildTimeoutError, runNodeChild } from './child';
import { drivesTimedOutMessage } from './messages';
import { offeredMounts, type DiskRow } from './mounts';

/** The child that asks node-disk-info (its path in argv[1]) and prints the rows as JSON. */
const LIST_SOURCE = `
const { getDiskInfo } = require(process.argv[1]);
getDiskInfo().then(
  (drives) => process.stdout.write(JSON.stringify(drives.map((d) => ({
    filesystem: d.filesystem, blocks: d.blocks, available: d.available, mounted: d.mounted,
  })))),
  (err) => { process.stderr.write(String(err && err.message || err)); process.exit(1); },
);`;

/**
 * The child that looks for .iso files at the top of each mount (argv[1..]) and one folder down,
 * bounded, printing one JSON line per mount as soon as it is done: a mount that hangs holds back
 * only itself.
 */
const SCAN_SOURCE = `
const fs = require('node:fs/promises');
const path = require('node:path');
const MAX_ISOS = 20, MAX_ENTRIES = 400;
async function scan(dir, depth, found) {
  let d;
  try { d = await fs.opendir(dir); } catch { return; }
  let n = 0;
  const sub = [];
  for await (const e of d) {
    if (++n > MAX_ENTRIES || found.length >= MAX_ISOS) break;
    if (e.name.startsWith('.') || e.name.startsWith('$')) continue;
    const full = path.join(dir, e.name);
    if (/\\.iso$/i.test(e.name)) {
      try {
        const st = await fs.stat(full);
        if (st.isFile()) found.push({ name: e.name, path: full, size: st.size });
      } catch {}
    } else if (e.isDirectory() && depth > 0) sub.push(full);
  }
  for (const s of sub) if (found.length < MAX_ISOS) await scan(s, depth - 1, found);
}
Promise.all(process.argv.slice(1).map(async (mount) => {
  const found = [];
  let error = null;
  try { await fs.access(mount); await scan(mount, 1, found); } catch (e) { error = String(e && e.message || e); }
  found.sort((a, b) => a.path.localeCompare(b.path));
  process.stdout.write(JSON.stringify({ mount, isos: found, error }) + '\\n');
})).then(() => process.exit(0));`;

export interface ListVolumesOptions {
  /** Time limit for `df` / wmic, and again for the ISO scan (default 5000 ms each). */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

const TIMEOUT_MS = 5000;

/** Rows from node-disk-info, in a child process. Throws with a sentence for the user. */
async function diskRows(timeoutMs: number): Promise<DiskRow[]> {
  const modulePath = require.resolve('node-disk-info');
  try {
    const out = await runNodeChild(LIST_SOURCE, {
      what: 'listing the mounted drives (df)',
      timeoutMs,
      args: [modulePath],
    });
    return JSON.parse(out) as DiskRow[];
  } catch (err) {
    if (err instanceof ChildTimeoutError) throw new Error(drivesTimedOutMessage(err.message));
    throw new Error(`cannot list the mounted drives: ${errorMessage(err)}`);
  }
}

/** The ISO files on each mount; a mount that did not answer in time gets an error instead. */
async function isosOn(
  mounts: string[],
  timeoutMs: number,
): Promise<Map<string, { isos: IsoOnVolume[]; error: string | null }>> {
  const found = new Map<string, { isos: IsoOnVolume[]; error: string | null }>();
  if (mounts.length === 0) return found;
  let out: string;
  try {
    out = await runNodeChild(SCAN_SOURCE, { what: 'looking for ISO files on the drives', timeoutMs, args: mounts });
  } catch (err) {
    out = err instanceof ChildTimeoutError ? err.partial : '';
  }
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { mount: string; isos: IsoOnVolume[]; error: string | null };
      found.set(r.mount, { isos: r.isos, error: r.error });
    } catch {
      /* a line cut off by the time limit */
    }
  }
  for (const m of mounts)
    if (!found.has(m))
      found.set(m, {
        isos: [],
        error: `did not answer within ${(timeoutMs / 1000).toFixed(1)} s (a network share that no longer answers?)`,
      });
  return found;
}

export async function listVolumes(opts: ListVolumesOptions = {}): Promise<VolumeList> {
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  let rows: DiskRow[];
  try {
    rows = await diskRows(timeoutMs);
  } catch (err) {
    return { volumes: [], error: errorMessage(err) };
  }
  const mounts = offeredMounts(rows, opts.platform);
  const isos = await isosOn(
    mounts.map((m) => m.path),
    timeoutMs,
  );
  const volumes: Volume[] = mounts.map((m) => ({ ...m, ...isos.get(m.path)! }));
  return { volumes, error: null };
}
