/**
 * What only the native TFTP data pump (main/native/tftp) has to get right, against real clients on
 * loopback: it is built and loads, it keeps serving after the Vfs closed the file (it dup()ed the
 * fds: the user swapped the ISO), it reads files made of several host-file runs (ISO extents), it
 * reports a short host file as a read error, and any start failure — or BOOTDROP_NATIVE=0 — leaves
 * the transfer to the JavaScript engine instead of dropping the client. The protocol itself is
 * tested on both engines in tftp.test.ts, tftp-iso.test.ts and tftp-netns.test.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../main/contract';
import { loadNative, nativeStatus } from '../../main/native';
import { TftpServer, type TftpServerOptions } from '../../main/tftp';
import { TransferTracker } from '../../main/transfer';
import { FolderSource, type HostSpan, type Vfs, type VfsFile } from '../../main/vfs';
import { waitForOutput } from '../helpers/netns';
import { rawGet } from '../helpers/tftp-raw';
import { finishedTransfer } from '../helpers/peers';
import { run } from '../helpers/run';

const HOST = '127.0.0.5';
const ROOT = resolve(__dirname, '../..');

const curl = (args: string[]) => run('curl', ['-sS', ...args]);

/** A made-up file: `size` bytes said to be at `spans`, read() from `data` (what JavaScript would send). */
interface Virtual {
  size: number;
  spans: () => HostSpan[];
  data: Buffer;
}

/** The folder, plus virtual files; remembers every file it opened so a test can close it under the server. */
class TestVfs implements Vfs {
  readonly kind = 'folder' as const;
  readonly opened = new Map<string, VfsFile>();
  readonly virtual = new Map<string, Virtual>();
  constructor(readonly folder: FolderSource) {}
  get location(): string {
    return this.folder.location;
  }
  stat = (p: string) => this.folder.stat(p);
  lstat = (p: string) => this.folder.lstat(p);
  readdir = (p: string) => this.folder.readdir(p);
  createReadStream: Vfs['createReadStream'] = (p, r) => this.folder.createReadStream(p, r);
  close = () => this.folder.close();
  async open(p: string): Promise<VfsFile> {
    const path = `/${p.replace(/^\/+/, '')}`;
    const v = this.virtual.get(path);
    if (v) {
      return {
        path,
        size: v.size,
        hostSpans: () => v.spans(),
        read: async (buf, off, len, pos) => v.data.copy(buf, off, pos, Math.min(v.data.length, pos + len)),
        close: async () => undefined,
      };
    }
    const f = await this.folder.open(p);
    this.opened.set(f.path, f);
    return f;
  }
}

let dir: string;
let vfs: TestVfs;
let big: Buffer;
const logs: string[] = [];
const transfers: TransferProgress[] = [];
const servers: TftpServer[] = [];

async function startServer(extra: Partial<TftpServerOptions> = {}): Promise<TftpServer> {
  const s = new TftpServer({
    vfs,
    address: HOST,
    port: 0,
    tracker: new TransferTracker((t) => t.outcome !== 'active' && transfers.push(t)),
    log: (_level, message) => logs.push(message),
    ...extra,
  });
  await s.start();
  servers.push(s);
  return s;
}

const finished = (file: string, since: number): Promise<TransferProgress> => finishedTransfer(transfers, file, since);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bd-tftp-native-'));
  big = randomBytes(2_000_000);
  writeFileSync(join(dir, 'big.bin'), big);
  writeFileSync(join(dir, 'a.bin'), randomBytes(30_000));
  writeFileSync(join(dir, 'b.bin'), randomBytes(20_000));
  vfs = new TestVfs(await FolderSource.open(dir));
});

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('native TFTP data pump', () => {
  it('is built and loads on Linux (CI builds it; a silently broken build fails here)', () => {
    expect(process.platform).toBe('linux');
    expect(loadNative('tftp')).not.toBe(null);
    expect(nativeStatus(['tftp'])).toEqual({ tftp: 'native' });
  });

  it('keeps serving after the Vfs closed the file under it (it dup()ed the fd)', async () => {
    const since = transfers.length;
    let closedFd = -1;
    const server = await startServer({
      // Runs once the transfer is handed to its engine: close the file at once, as swapping the ISO would.
      onRequest: (e) => {
        const f = e.file ? vfs.opened.get(e.file) : undefined;
        if (!f) return;
        closedFd = f.hostSpans!(0, 0)![0]!.fd;
        void f.close();
      },
    });
    const dest = join(dir, 'out-closed.bin');
    const r = await curl(['--tftp-blksize', '1468', '-o', dest, `tftp://${HOST}:${server.port}/big.bin`]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(dest).equals(big)).toBe(true);
    expect(await finished('/big.bin', since)).toMatchObject({ outcome: 'done', bytes: big.length });
    // The server's own fd really was closed early (so the bytes came through the pump's dup).
    expect(closedFd).toBeGreaterThan(2);
    expect(() => fstatSync(closedFd)).toThrow(/EBADF/);
  });

  it('reads a file made of several runs of two host files (like ISO extents), sharing one fd per file', async () => {
    const a = readFileSync(join(dir, 'a.bin'));
    const b = readFileSync(join(dir, 'b.bin'));
    const fa = openSync(join(dir, 'a.bin'), 'r');
    const fb = openSync(join(dir, 'b.bin'), 'r');
    try {
      const runs = [
        { fd: fa, position: 0, length: 5000 },
        { fd: fb, position: 100, length: 8900 },
        { fd: fa, position: 5000, length: 25_000 },
        { fd: fb, position: 0, length: 0 },
        { fd: fb, position: 9000, length: 11_000 },
      ];
      const data = Buffer.concat([a.subarray(0, 5000), b.subarray(100, 9000), a.subarray(5000), b.subarray(9000)]);
      vfs.virtual.set('/joined.bin', { size: data.length, spans: () => runs, data });
      const server = await startServer();
      const before = logs.length;
      for (const opts of [
        ['--tftp-blksize', '512'],
        ['--tftp-blksize', '1468'],
      ]) {
        const dest = join(dir, 'out-joined.bin');
        const r = await curl([...opts, '-o', dest, `tftp://${HOST}:${server.port}/joined.bin`]);
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(dest).equals(data)).toBe(true);
      }
      expect(logs.slice(before).filter((m) => m.startsWith('native data pump serves joined.bin'))).toHaveLength(2);
    } finally {
      closeSync(fa);
      closeSync(fb);
    }
  });

  it('rolls over inside a window, with losses on both sides of the wrap (blksize 8, windowsize 8, raw client)', async () => {
    // 65 600 blocks of 8 bytes: the wrap from 65535 to 0 falls inside a window, and the mid-window
    // ACKs after the losses carry 16-bit numbers on either side of it. (Lock-step rollover runs on
    // both engines in tftp.test.ts; this one is for the pump's ACK mapping.)
    const data = randomBytes(65_600 * 8 + 3);
    writeFileSync(join(dir, 'wrap.bin'), data);
    const server = await startServer({ timeoutMs: 300 });
    const before = logs.length;
    const got = await rawGet(HOST, server.port, 'wrap.bin', {
      options: [
        ['blksize', '8'],
        ['windowsize', '8'],
      ],
      dropOnce: [65_534, 65_536, 65_537, 65_541],
    });
    expect(got.data.equals(data)).toBe(true);
    expect(logs.slice(before).some((m) => m.startsWith('native data pump serves wrap.bin'))).toBe(true);
  });

  it('a worker_thread torn down while its pumps run: they end, and the process survives', async () => {
    // Node dlclose()s the addon at environment teardown; a pump thread still returning from its last
    // call then jumped into unmapped code (SIGSEGV) before the module pinned itself in memory.
    // A child process, so a crash fails only this test.
    const native = process.env.BOOTDROP_NATIVE_DIR ?? join(ROOT, 'dist/native');
    const workerCode = `
      const { parentPort, workerData: d } = require('node:worker_threads');
      const m = { exports: {} };
      process.dlopen(m, d.native + '/tftp.node');
      const fd = require('node:fs').openSync(d.file, 'r');
      for (let i = 0; i < 20; i++) {
        m.exports.start({ address: d.host, peerIp: '127.0.0.1', peerPort: d.port, spans: [{ fd, position: 0, length: d.size }], size: d.size,
          blksize: 1024, windowsize: 4, timeoutMs: 1000, retries: 5, maxBackoffMs: 8000, oack: null,
          state: new Float64Array(new ArrayBuffer(64)), onEnd: () => {} });
      }
      parentPort.postMessage('started');`;
    const script = join(dir, 'teardown.js');
    writeFileSync(
      script,
      `const { Worker } = require('node:worker_threads');
      const peer = require('node:dgram').createSocket('udp4'); // a client that never ACKs
      peer.bind(0, '127.0.0.1', () => {
        const workerData = { native: ${JSON.stringify(native)}, file: ${JSON.stringify(join(dir, 'big.bin'))}, host: ${JSON.stringify(HOST)}, port: peer.address().port, size: ${big.length} };
        const w = new Worker(${JSON.stringify(workerCode)}, { eval: true, workerData });
        w.once('message', async () => {
          await new Promise((r) => setTimeout(r, 100));
          await w.terminate();
          setTimeout(() => { console.log('survived'); process.exit(0); }, 1000);
        });
      });`,
    );
    const r = await new Promise<{ code: number | null; signal: string | null; out: string }>((done) => {
      execFile('node', [script], { timeout: 30_000 }, (err, stdout) =>
        done({
          code: err ? ((err as { code?: number }).code ?? null) : 0,
          signal: err?.signal ?? null,
          out: String(stdout),
        }),
      );
    });
    expect(r, 'the child crashed or hung').toEqual({ code: 0, signal: null, out: 'survived\n' });
  });

  it('a host file shorter than promised fails the transfer with a read error (client told, server keeps running)', async () => {
    const fd = openSync(join(dir, 'b.bin'), 'r');
    try {
      vfs.virtual.set('/short.bin', {
        size: 100_000,
        spans: () => [{ fd, position: 0, length: 100_000 }],
        data: Buffer.alloc(100_000),
      });
      const server = await startServer();
      const since = transfers.length;
      const r = await curl([
        '--tftp-blksize',
        '1468',
        '-o',
        join(dir, 'out-short.bin'),
        `tftp://${HOST}:${server.port}/short.bin`,
      ]);
      expect(r.code, r.stderr).toBe(71); // CURLE_TFTP_ILLEGAL: how curl reports a TFTP ERROR 0 (it has no text)
      const t = await finished('/short.bin', since);
      expect(t).toMatchObject({ outcome: 'failed', error: 'read error: file ended at 20000 of 100000 bytes' });
      expect(logs).toContain('read failed for short.bin: file ended at 20000 of 100000 bytes');
      const dest = join(dir, 'out-after.bin');
      expect((await curl(['-o', dest, `tftp://${HOST}:${server.port}/big.bin`])).code).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it('falls back to the JavaScript engine when the pump cannot start (here: an fd it cannot dup)', async () => {
    const data = randomBytes(50_000);
    vfs.virtual.set('/badfd.bin', {
      size: data.length,
      spans: () => [{ fd: 1_000_000, position: 0, length: data.length }],
      data,
    });
    const server = await startServer();
    const before = logs.length;
    const dest = join(dir, 'out-badfd.bin');
    const r = await curl(['--tftp-blksize', '1468', '-o', dest, `tftp://${HOST}:${server.port}/badfd.bin`]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(dest).equals(data)).toBe(true);
    const mine = logs.slice(before);
    expect(mine).toContain(
      'native TFTP pump not used for badfd.bin: tftp.start: dup of a file descriptor: Bad file descriptor',
    );
    expect(mine.some((m) => m.startsWith('native data pump serves'))).toBe(false);
  });

  it('BOOTDROP_NATIVE=0 serves everything in JavaScript (compiled engine in a child process)', async () => {
    const engine = join(ROOT, 'dist/engine');
    const script = `
const { TftpServer } = require(${JSON.stringify(join(engine, 'tftp'))});
const { FolderSource } = require(${JSON.stringify(join(engine, 'vfs'))});
const { TransferTracker } = require(${JSON.stringify(join(engine, 'transfer'))});
const { nativeStatus } = require(${JSON.stringify(join(engine, 'native'))});
(async () => {
  const server = new TftpServer({ vfs: await FolderSource.open(${JSON.stringify(dir)}), address: ${JSON.stringify(HOST)}, port: 0,
    tracker: new TransferTracker((t) => t.outcome !== 'active' && console.log('TRANSFER ' + t.outcome)), log: (l, m) => console.log('LOG ' + m) });
  await server.start();
  console.log('STATUS ' + JSON.stringify(nativeStatus(['tftp'])));
  console.log('READY ' + server.port);
})();`;
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, BOOTDROP_NATIVE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const ready = await waitForOutput(child, /READY \d+/, 30_000);
      const port = Number(/READY (\d+)/.exec(ready)![1]);
      const dest = join(dir, 'out-env.bin');
      const r = await curl(['--tftp-blksize', '1468', '-o', dest, `tftp://${HOST}:${port}/big.bin`]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(dest).equals(big)).toBe(true);
      for (let i = 0; i < 50 && !output.includes('TRANSFER done'); i++) await new Promise((res) => setTimeout(res, 50));
      expect(output).toContain('STATUS {"tftp":"off (BOOTDROP_NATIVE=0)"}');
      expect(output).toContain('TRANSFER done');
      expect(output).not.toContain('native data pump serves');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
