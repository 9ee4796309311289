/**
 * HTTP fuzz: the pure request-target decoder and Range parser (millions of inputs), and raw request
 * lines/headers against a live HttpServer on loopback (each connection must end with a status line or
 * a close, never a crash; the server keeps serving).
 */
import * as net from 'node:net';
import { decodeRequestPath } from '../../../main/http/request-path';
import { parseRange } from '../../../main/http/range';
import { bump, int, mutate, pick, prng, type CampaignStats, type Rand } from './mutate';

const TARGETS = [
  '/boot.ipxe',
  '/iso/casper/casper/vmlinuz',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/..%2f..%2fetc/passwd',
  '/%c0%ae%c0%ae/etc/passwd',
  '/a/b/../../../etc/passwd',
  '/..\\..\\etc\\passwd',
  '/%5c..%5c..%5cetc/passwd',
  '/file%00.txt',
  'http://host/x',
  '/x?y=1#z',
  '//etc/passwd',
  '/%252e%252e/etc',
  '/.%2e/.%2e/etc',
  '/%e0%80%ae%e0%80%ae/etc',
  '/' + 'a/'.repeat(500) + 'x',
];

/** Pure decoders: never throw; a decoded path is absolute, has no '..', '.', NUL or backslash; ranges lie inside the file. */
export function httpPureCampaign(seed: number, iterations: number, deadline = Infinity): CampaignStats {
  const rand = prng(seed);
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  const fail = (i: number, what: string, input: string): never => {
    throw new Error(
      `http: ${what} (seed ${seed}, iteration ${i}; FUZZ_SEED=${seed} replays it)\ninput: ${JSON.stringify(input)}`,
    );
  };
  const seeds = TARGETS.map((t) => Buffer.from(t, 'latin1'));
  const ranges = [
    'bytes=0-99',
    'bytes=-500',
    'bytes=100-',
    'bytes=0-0,5-9',
    'bytes=99999999999999999999-',
    'items=0-1',
    'bytes= 1 - 2',
  ].map((t) => Buffer.from(t, 'latin1'));
  let i = 0;
  for (; i < iterations && (i & 1023 || Date.now() < deadline); i++) {
    const target = mutate(rand, pick(rand, seeds), { maxLen: 9000 }).toString('latin1');
    let d;
    try {
      d = decodeRequestPath(target);
    } catch (err) {
      return fail(i, `decodeRequestPath threw ${(err as Error).stack}`, target);
    }
    if (d.ok) {
      bump(counts, 'paths accepted');
      const parts = d.path.split('/').slice(1);
      if (
        !d.path.startsWith('/') ||
        /[\u0000-\u001f\u007f\\]/.test(d.path) ||
        parts.some((p) => p === '..' || p === '.')
      )
        fail(i, `decoded to ${JSON.stringify(d.path)}`, target);
    } else {
      bump(counts, d.traversal ? 'refused as traversal' : 'refused as malformed');
    }
    const header = mutate(rand, pick(rand, ranges), { maxLen: 200 }).toString('latin1');
    const size = pick(rand, [0, 1, 100, 4096, 2 ** 33, int(rand, 1e6)]);
    let r;
    try {
      r = parseRange(header, size);
    } catch (err) {
      return fail(i, `parseRange threw ${(err as Error).stack}`, header);
    }
    if (r.kind === 'partial' && !(Number.isSafeInteger(r.start) && r.start >= 0 && r.start <= r.end && r.end < size))
      fail(i, `range ${r.start}-${r.end} of ${size}`, header);
    bump(counts, `range ${r.kind}`);
  }
  return { name: 'http-pure', seed, iterations: i, ms: Date.now() - t0, counts };
}

// ---- live server ----------------------------------------------------------------------------------

const REQUEST_SEEDS = [
  'GET /boot.ipxe HTTP/1.1\r\nHost: 10.0.0.1\r\nUser-Agent: iPXE/1.21.1\r\nConnection: keep-alive\r\n\r\n',
  'GET /iso/x/casper/vmlinuz HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1023\r\n\r\n',
  'HEAD /boot.ipxe HTTP/1.0\r\n\r\n',
  'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n',
  'GET /boot.ipxe HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'GET /boot.ipxe HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello',
  'POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc',
  'GET /boot.ipxe HTTP/1.1\r\nHost: a\r\n\r\nGET /boot.ipxe HTTP/1.1\r\nHost: a\r\n\r\n',
].map((s) => Buffer.from(s, 'latin1'));

/** Send one raw request and collect what comes back until the server closes or `ms` pass. */
function exchange(
  port: number,
  host: string,
  data: Buffer,
  ms: number,
  halfClose: boolean,
): Promise<{ reply: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = net.connect({ port, host });
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ reply: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), ms);
    // Half-closing right away ends an incomplete request at once (most mutants are incomplete);
    // the rest leave the connection open and meet the server's headers timeout.
    sock.on('connect', () => (halfClose ? sock.end(data) : sock.write(data)));
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      if (Buffer.concat(chunks).length > 1 << 20) finish(false);
    });
    sock.on('error', () => finish(true));
    sock.on('close', () => finish(true));
  });
}

/**
 * Mutated raw requests to a live server. Each reply must start with an HTTP/1.x status line (or be
 * empty: the connection closed); none may contain `canary` (a host file outside the served tree).
 */
export async function httpLiveCampaign(
  seed: number,
  iterations: number,
  target: { host: string; port: number },
  canary: string,
  deadline = Infinity,
): Promise<CampaignStats> {
  const rand: Rand = prng(seed);
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  let i = 0;
  const parallel = 24; // below the server's 32-connections-per-client cap
  while (i < iterations && Date.now() < deadline) {
    const batch = Array.from({ length: Math.min(parallel, iterations - i) }, () =>
      mutate(rand, pick(rand, REQUEST_SEEDS), { maxLen: 20_000 }),
    );
    const halfClose = batch.map(() => rand() < 0.9);
    // 4 s: the server's own headers timeout (2 s in the fuzz servers) plus its 1 s check interval.
    const results = await Promise.all(batch.map((b, k) => exchange(target.port, target.host, b, 4000, halfClose[k]!)));
    for (const [k, r] of results.entries()) {
      const text = r.reply.toString('latin1');
      if (text.includes(canary))
        throw new Error(
          `http live: a reply contained the canary (seed ${seed}, iteration ${i + k})\nrequest: ${JSON.stringify(batch[k]!.toString('latin1'))}`,
        );
      if (r.reply.length > 0 && !/^HTTP\/1\.[01] \d{3} /.test(text))
        throw new Error(
          `http live: reply is not an HTTP/1.x status line (seed ${seed}, iteration ${i + k}): ${JSON.stringify(text.slice(0, 200))}`,
        );
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? (r.closed ? 'closed' : 'timeout');
      bump(counts, status);
    }
    i += batch.length;
  }
  return { name: 'http-live', seed, iterations: i, ms: Date.now() - t0, counts };
}
