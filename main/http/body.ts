import type { ServerResponse } from 'node:http';
import type { VfsFile } from '../vfs';

/** Chunk size: big enough that per-chunk costs vanish, small enough to stay cache-warm between the read
 * and the socket copy (quick loopback runs: 256 KiB no slower than 1-4 MiB, on a noisy shared box). */
const CHUNK = 256 * 1024;
/** Chunks in flight: enough that the socket still has queued data when a read is slow to come back. */
const SLOTS = 4;

export type BodyOutcome = 'done' | 'aborted';

/** Largest body sent by `readWhole` + one `res.end`: one read, one buffer, one write with the headers. */
export const ONE_SHOT_MAX = 256 * 1024;

/**
 * Read bytes [start, end) of a file into one new buffer (for a body of at most ONE_SHOT_MAX bytes:
 * sanboot's 64 KiB ranges, scripts, menus). The caller sends it with `res.end(buf)`, which Node writes
 * together with the headers — no ring, no write callbacks, no promise per chunk.
 */
export async function readWhole(file: VfsFile, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(end - start);
  let got = 0;
  while (got < buf.length) {
    const n = await file.read(buf, got, buf.length - got, start + got);
    if (n <= 0) throw new Error(`${file.path} ended at byte ${start + got}, expected ${end}`);
    got += n;
  }
  return buf;
}

/**
 * Write bytes [start, end) of a file to the response with flat memory: a small ring of reused buffers,
 * some being filled from the Vfs while others are being written. A buffer is refilled only after the
 * write that used it has completed (the socket callback), which is also the back-pressure: a slow
 * client holds at most SLOTS chunks (1 MiB). Resolves 'aborted' as soon as the client goes away.
 *
 * A closed connection settles every pending slot directly (no Promise.race against a long-lived
 * "closed" promise: each race would leave a reaction on it, thousands per GiB kept until the response
 * ends, and 16 such responses grew the JS heap by tens of MB).
 */
export async function writeFileRange(
  file: VfsFile,
  start: number,
  end: number,
  res: ServerResponse,
  onBytes: (n: number) => void,
): Promise<BodyOutcome> {
  const size = Math.min(CHUNK, end - start);
  if (size <= 0) return 'done';
  let closed = false;
  const waiting = new Set<() => void>();
  const onClose = () => {
    closed = true;
    for (const wake of waiting) wake();
    waiting.clear();
  };
  res.once('close', onClose);
  const slots = Math.min(SLOTS, Math.ceil((end - start) / size));
  const bufs = Array.from({ length: slots }, () => Buffer.allocUnsafe(size));
  const inFlight: Array<Promise<void>> = bufs.map(() => Promise.resolve());
  let written = 0;
  try {
    let pos = start;
    for (let i = 0; pos < end; i = (i + 1) % slots) {
      await inFlight[i];
      if (closed || res.destroyed) return 'aborted';
      const buf = bufs[i]!;
      const want = Math.min(buf.length, end - pos);
      let got = 0;
      while (got < want) {
        const n = await file.read(buf, got, want - got, pos + got);
        if (n <= 0) throw new Error(`${file.path} ended at byte ${pos + got}, expected ${end}`);
        got += n;
      }
      if (closed || res.destroyed) return 'aborted';
      const chunk = got === buf.length ? buf : buf.subarray(0, got);
      inFlight[i] = new Promise<void>((resolve) => {
        waiting.add(resolve);
        res.write(chunk, (err) => {
          waiting.delete(resolve);
          if (!err) {
            written += got;
            onBytes(got);
          }
          resolve();
        });
      });
      pos += got;
    }
    await Promise.all(inFlight);
    return written === end - start && !closed ? 'done' : 'aborted';
  } finally {
    res.off('close', onClose);
  }
}
