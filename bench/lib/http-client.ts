/**
 * HTTP load used identically against every server: curl processes for bulk throughput (a C client,
 * so the client is not the bottleneck), and a lean keep-alive Node client for many small range reads.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';

export interface LoadResult {
  bytes: number;
  ms: number;
}

/** `clients` concurrent curl downloads of `url` to /dev/null; the wall time covers all of them. */
export async function curlLoad(url: string, clients: number): Promise<LoadResult> {
  const t0 = performance.now();
  const sizes = await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<number>((resolve, reject) => {
          const p = spawn('curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{size_download}', url], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          p.stdout.on('data', (c: Buffer) => (out += c.toString()));
          p.stderr.on('data', (c: Buffer) => (err += c.toString()));
          p.on('error', reject);
          p.on('close', (code) =>
            code === 0 ? resolve(Number(out)) : reject(new Error(`curl ${url} failed (${code}): ${err}`)),
          );
        }),
    ),
  );
  return { bytes: sizes.reduce((a, b) => a + b, 0), ms: performance.now() - t0 };
}

/** Deterministic offsets (xorshift), so both servers get the very same request sequence. */
function offsets(count: number, fileSize: number, block: number, seed: number): number[] {
  let x = seed >>> 0 || 1;
  const slots = Math.floor((fileSize - block) / 4096);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push((x % slots) * 4096);
  }
  return out;
}

/**
 * `count` GETs of `block`-byte ranges at random 4 KiB-aligned offsets over `connections` keep-alive
 * connections — the access pattern of iPXE `sanboot` reading a disk image over HTTP.
 */
export async function rangeReads(o: {
  port: number;
  path: string;
  fileSize: number;
  count: number;
  block: number;
  connections: number;
  seed: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const queue = offsets(o.count, o.fileSize, o.block, o.seed);
  let next = 0;
  let bytes = 0;
  const one = (start: number) =>
    new Promise<void>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: o.port,
          path: o.path,
          agent,
          headers: { Range: `bytes=${start}-${start + o.block - 1}` },
        },
        (res) => {
          if (res.statusCode !== 206) {
            res.resume();
            reject(new Error(`range request got HTTP ${res.statusCode}`));
            return;
          }
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => resolve());
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
  const worker = async () => {
    while (next < queue.length) await one(queue[next++]!);
  };
  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: o.connections }, worker));
  } finally {
    agent.destroy();
  }
  const ms = performance.now() - t0;
  if (bytes !== o.count * o.block)
    throw new Error(`range reads returned ${bytes} bytes, expected ${o.count * o.block}`);
  return { bytes, ms };
}
