/**
 * Seeded mutation of byte strings for the fuzz campaigns. Every run is reproducible from (seed,
 * iteration): a failure message names both, and `FUZZ_SEED=<seed>` replays it.
 */
import { prng } from '../../helpers/dhcp/prng';

export type Rand = () => number;
export { prng };

export function int(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

export function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[int(rand, items.length)]!;
}

/** Values that break parsers more often than uniform bytes do: boundaries and length-ish numbers. */
const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x2e, 0x2f, 0x5c, 0x25, 0x00, 0x0a, 0x0d, 52, 53, 255];

/** One mutated copy of `seed` (1–8 stacked edits: flips, byte sets, inserts, deletes, splices, cuts). */
export function mutate(rand: Rand, seed: Buffer, opts: { maxLen?: number; from?: number } = {}): Buffer {
  let b = Buffer.from(seed);
  const from = Math.min(opts.from ?? 0, b.length);
  const edits = 1 + int(rand, 8);
  for (let e = 0; e < edits; e++) {
    const at = from + int(rand, Math.max(1, b.length - from));
    switch (int(rand, 9)) {
      case 0: // bit flip
        if (b.length) b[Math.min(at, b.length - 1)]! ^= 1 << int(rand, 8);
        break;
      case 1: // random byte
        if (b.length) b[Math.min(at, b.length - 1)] = int(rand, 256);
        break;
      case 2: // interesting byte
        if (b.length) b[Math.min(at, b.length - 1)] = pick(rand, INTERESTING);
        break;
      case 3: // insert random bytes
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.from(Array.from({ length: 1 + int(rand, 16) }, () => int(rand, 256))),
          b.subarray(at),
        ]);
        break;
      case 4: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(rand, 16))]);
        break;
      case 5: // truncate
        b = b.subarray(0, at);
        break;
      case 6: {
        // duplicate a run somewhere else (repeated options, repeated path parts)
        const len = 1 + int(rand, 32);
        const src = b.subarray(at, at + len);
        const to = int(rand, b.length + 1);
        b = Buffer.concat([b.subarray(0, to), src, b.subarray(to)]);
        break;
      }
      case 7: // 16/32-bit boundary value (lengths, extents, block numbers)
        if (b.length >= at + 4) {
          const v = pick(rand, [0, 1, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff]);
          if (rand() < 0.5) b.writeUInt32LE(v >>> 0, at);
          else b.writeUInt32BE(v >>> 0, at);
        }
        break;
      default: // extend with a run of one byte (overlong fields)
        b = Buffer.concat([b, Buffer.alloc(1 + int(rand, 300), pick(rand, INTERESTING))]);
    }
  }
  if (opts.maxLen !== undefined && b.length > opts.maxLen) b = b.subarray(0, opts.maxLen);
  return b;
}

/** Iterations for a campaign: `base` × FUZZ_SCALE (default 1), at least 1. */
export function scaled(base: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? 1);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`FUZZ_SCALE must be a positive number, got ${process.env.FUZZ_SCALE}`);
  return Math.max(1, Math.round(base * scale));
}

/** The campaign seed: FUZZ_SEED when set (to replay a failure), else the given default. */
export function seedFrom(fallback: number): number {
  const s = process.env.FUZZ_SEED;
  return s === undefined ? fallback : Number(s) >>> 0;
}

/** Result of one campaign, printed by the long runs and recorded in docs/fuzzing.md. */
export interface CampaignStats {
  name: string;
  seed: number;
  iterations: number;
  ms: number;
  /** Named counters (accepted, rejected, replies...). */
  counts: Record<string, number>;
}

export function bump(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}
