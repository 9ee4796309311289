/**
 * HTTP server against real clients on loopback (curl, wget, raw sockets). The server listens on
 * 127.0.0.3 only, which also lets us check that it is not reachable on another address.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLevel, TransferProgress } from '../../main/contract';
import { HttpServer, type HttpRequestEvent, type HttpServerOptions } from '../../main/http';
import { PortBindError } from '../../main/net';
import { ClientTable } from '../../main/session/clients';
import { TransferTracker } from '../../main/transfer';
import { FolderSource, MountedTree, type Vfs } from '../../main/vfs';
import { waitForOutput } from '../helpers/netns';
import { finishedTransfer, requireTools } from '../helpers/peers';
import { run, type RunOptions } from '../helpers/run';
import { privilegedPortsNs, readableCopy } from '../helpers/unprivileged';

const HOST = '127.0.0.3';
const ROOT = resolve(__dirname, '../..');

const runL = (cmd: string, args: string[], opts: RunOptions = {}) => run(cmd, args, { encoding: 'latin1', ...opts });

requireTools('curl', 'wget');

/** One raw HTTP exchange: send bytes, collect everything until the server closes or `ms` passes. */
function raw(port: number, request: string | Buffer, ms = 3000): Promise<string> {
  return new Promise((done, fail) => {
    const s = net.connect(port, HOST);
    let got = '';
    const timer = setTimeout(() => s.destroy(), ms);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', fail);
    s.on('close', () => {
      clearTimeout(timer);
      done(got);
    });
    s.write(request);
  });
}

/** Counts open file handles, to prove aborted responses release theirs. */
class CountingVfs implements Vfs {
  readonly kind = 'mount' as const;
  readonly location = 'counting';
  open_ = 0;
  constructor(private readonly inner: Vfs) {}
  stat(p: string) {
    return this.inner.stat(p);
  }
  lstat(p: string) {
    return this.inner.lstat(p);
  }
  readdir(p: string) {
    return this.inner.readdir(p);
  }
  createReadStream(p: string) {
    return this.inner.createReadStream(p);
  }
  close() {
    return this.inner.close();
  }
  async open(p: string) {
    const f = await this.inner.open(p);
    this.open_++;
    return {
      path: f.path,
      size: f.size,
      read: f.read.bind(f),
      close: async () => {
        this.open_--;
        await f.close();
      },
    };
  }
}

let dir: string;
let out: string;
let files: Record<string, Buffer>;
let vfs: CountingVfs;
const transfers: TransferProgress[] = [];
const logs: Array<{ level: LogLevel; message: string; client?: string }> = [];
const requests: HttpRequestEvent[] = [];
const tracker = new TransferTracker((t) => {
  if (t.outcome !== 'active') transfers.push(t);
});
const servers: HttpServer[] = [];
const BIG = 64 * 1024 * 1024;

async function startServer(extra: Partial<HttpServerOptions> = {}): Promise<HttpServer> {
  const s = new HttpServer({
    vfs,
    address: HOST,
    port: 0,
    tracker,
    log: (level, message, client) => logs.push({ level, message, client }),
    onRequest: (e) => requests.push(e),
    ...extra,
  });
  await s.start();
  servers.push(s);
  return s;
}

const finished = (file: string, since: number): Promise<TransferProgress> => finishedTransfer(transfers, file, since);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bd-http-'));
  out = mkdtempSync(join(tmpdir(), 'bd-http-out-'));
  files = {
    'small.txt': Buffer.from('hello over http\n'),
    'big.bin': randomBytes(8 * 1024 * 1024 + 123),
    'Casper/VMLinuz': randomBytes(100_000),
    'images/ubuntu.iso': randomBytes(5000),
    'empty.bin': Buffer.alloc(0),
  };
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  symlinkSync('/etc/passwd', join(dir, 'escape'));
  const tree = new MountedTree();
  tree.mount('/', await FolderSource.open(dir));
  tree.setFile('/boot.ipxe', Buffer.from('#!ipxe\nchain http://x/y\n'));
  tree.setFile('/huge.bin', Buffer.alloc(BIG, 7));
  vfs = new CountingVfs(tree);
});

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('HTTP server with real clients', () => {
  let server: HttpServer;
  let url: string;
  beforeAll(async () => {
    server = await startServer();
    url = server.url;
  });

  it('has a url on the serving address and is not reachable on another loopback address', async () => {
    expect(url).toBe(`http://${HOST}:${server.port}`);
    const r = await runL('curl', ['-sS', '-o', '/dev/null', `http://127.0.0.1:${server.port}/small.txt`]);
    expect(r.code).toBe(7); // CURLE_COULDNT_CONNECT
  });

  it('curl GET returns the exact bytes with the right headers, and reports progress', async () => {
    const since = transfers.length;
    const dest = join(out, 'big.bin');
    const r = await runL('curl', ['-sS', '-D', '-', '-o', dest, `${url}/big.bin`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(r.stdout).toMatch(/\r\nContent-Length: 8388731\r\n/i);
    expect(r.stdout).toMatch(/\r\nContent-Type: application\/octet-stream\r\n/i);
    expect(r.stdout).toMatch(/\r\nAccept-Ranges: bytes\r\n/i);
    expect(readFileSync(dest).equals(files['big.bin']!)).toBe(true);
    expect(await finished('/big.bin', since)).toMatchObject({
      protocol: 'http',
      outcome: 'done',
      bytes: 8388731,
      total: 8388731,
      clientIp: '127.0.0.1',
    });
    expect(vfs.open_).toBe(0);
  });

  it('sets Content-Type for iPXE scripts and ISO images, and serves empty files', async () => {
    const ipxe = await runL('curl', ['-sS', '-D', '-', `${url}/boot.ipxe`]);
    expect(ipxe.stdout).toMatch(/Content-Type: text\/plain; charset=utf-8\r\n/i);
    expect(ipxe.stdout).toContain('#!ipxe\nchain http://x/y\n');
    const iso = await runL('curl', ['-sS', '-I', `${url}/images/ubuntu.iso`]);
    expect(iso.stdout).toMatch(/Content-Type: application\/x-iso9660-image\r\n/i);
    const empty = await runL('curl', ['-sS', '-D', '-', `${url}/empty.bin`]);
    expect(empty.stdout).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*Content-Length: 0\r\n/i);
  });

  it('HEAD gives the headers and no body, and starts no transfer', async () => {
    const since = transfers.length;
    const r = await runL('curl', ['-sS', '-I', `${url}/Casper/VMLinuz`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(r.stdout).toMatch(/Content-Length: 100000\r\n/i);
    const rawHead = await raw(server.port, `HEAD /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(rawHead).toMatch(/Content-Length: 16\r\n/i);
    expect(rawHead.endsWith('\r\n\r\n')).toBe(true);
    expect(transfers.slice(since)).toEqual([]);
  });

  it('a HEAD or a range of the root file system does not count a PC as booted; the whole file does', async () => {
    const table = new ClientTable();
    table.sawDhcp({ mac: '52:54:00:00:00:01', ip: '127.0.0.1', firmware: 'ipxe', arch: 7 }, 0);
    const fold = (t: TransferProgress) => table.sawTransfer(t, new Map(), 1)!.stage;
    let since = transfers.length;
    const head = await runL('curl', ['-sS', '-I', '-r', '0-4999', `${url}/images/ubuntu.iso`]);
    expect(head.stdout).toMatch(/^HTTP\/1\.1 206 /);
    expect(transfers.slice(since)).toEqual([]); // HEAD: no transfer at all
    for (const spec of ['0-99', '100-4999']) {
      since = transfers.length;
      expect((await runL('curl', ['-sS', '-o', '/dev/null', '-r', spec, `${url}/images/ubuntu.iso`])).code).toBe(0);
      const t = await finished('/images/ubuntu.iso', since);
      expect(t).toMatchObject({ outcome: 'done', partial: true });
      expect(fold(t)).toBe('rootfs');
    }
    since = transfers.length;
    expect((await runL('curl', ['-sS', '-o', '/dev/null', `${url}/images/ubuntu.iso`])).code).toBe(0);
    const whole = await finished('/images/ubuntu.iso', since);
    expect(whole.partial).toBeUndefined();
    expect(fold(whole)).toBe('done');
  });

  it('serves single byte ranges: a-b, a-, -n; 416 with bytes */size; multi-range gets the whole file', async () => {
    const big = files['big.bin']!;
    const size = big.length;
    const cases: Array<[string, number, number]> = [
      ['0-99', 0, 99],
      ['8388000-', 8388000, size - 1],
      ['-500', size - 500, size - 1],
      ['100-99999999999', 100, size - 1],
    ];
    for (const [spec, start, end] of cases) {
      const dest = join(out, 'range.bin');
      const r = await runL('curl', ['-sS', '-D', '-', '-r', spec, '-o', dest, `${url}/big.bin`]);
      expect(r.stdout, spec).toMatch(/^HTTP\/1\.1 206 Partial Content/);
      expect(r.stdout, spec).toContain(`Content-Range: bytes ${start}-${end}/${size}\r\n`);
      expect(r.stdout, spec).toMatch(new RegExp(`Content-Length: ${end - start + 1}\\r\\n`, 'i'));
      expect(readFileSync(dest).equals(big.subarray(start, end + 1)), spec).toBe(true);
    }
    const bad = await runL('curl', ['-sS', '-D', '-', '-o', '/dev/null', '-r', `${size}-`, `${url}/big.bin`]);
    expect(bad.stdout).toMatch(/^HTTP\/1\.1 416 /);
    expect(bad.stdout).toContain(`Content-Range: bytes */${size}\r\n`);
    const multi = await runL('curl', [
      '-sS',
      '-D',
      '-',
      '-o',
      join(out, 'multi.bin'),
      '-r',
      '0-1,5-6',
      `${url}/big.bin`,
    ]);
    expect(multi.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(readFileSync(join(out, 'multi.bin')).equals(big)).toBe(true);
  });

  it('keeps the connection alive across requests (iPXE: script, kernel, initrd on one connection)', async () => {
    const r = await runL('curl', [
      '-v',
      '-o',
      join(out, 'ka1'),
      `${url}/boot.ipxe`,
      '-o',
      join(out, 'ka2'),
      `${url}/Casper/VMLinuz`,
      '-o',
      join(out, 'ka3'),
      `${url}/big.bin`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/Re-using existing connection/g)?.length).toBe(2);
    expect(readFileSync(join(out, 'ka2')).equals(files['Casper/VMLinuz']!)).toBe(true);
    expect(readFileSync(join(out, 'ka3')).equals(files['big.bin']!)).toBe(true);
  });

  it('answers HTTP/1.0 clients and closes unless they ask for keep-alive (lpxelinux)', async () => {
    const r = await runL('curl', [
      '-0',
      '-v',
      '-o',
      join(out, 'h10a'),
      `${url}/small.txt`,
      '-o',
      join(out, 'h10b'),
      `${url}/Casper/VMLinuz`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/> GET \/small.txt HTTP\/1\.0/);
    expect(r.stderr).toMatch(/< Connection: close/i);
    expect(r.stderr).not.toMatch(/Re-using existing connection/);
    expect(readFileSync(join(out, 'h10b')).equals(files['Casper/VMLinuz']!)).toBe(true);
    const ka = await raw(server.port, 'GET /small.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 1000);
    expect(ka).toMatch(/Connection: keep-alive\r\n/i);
    expect(ka.endsWith('hello over http\n')).toBe(true);
  });

  it('wget downloads the same bytes', async () => {
    const r = await runL('wget', ['-q', '-O', join(out, 'wget.bin'), `${url}/Casper/VMLinuz`]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'wget.bin')).equals(files['Casper/VMLinuz']!)).toBe(true);
  });

  it('ten clients download in parallel', async () => {
    const rs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => runL('curl', ['-sS', '-o', join(out, `p${i}`), `${url}/big.bin`])),
    );
    rs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(out, `p${i}`)).equals(files['big.bin']!), `client ${i}`).toBe(true);
    });
    expect(vfs.open_).toBe(0);
  });

  it('404 for missing files and directories (no listings), 405 with Allow for other methods', async () => {
    for (const p of ['/nope', '/Casper', '/Casper/', '/', '/escape']) {
      const r = await runL('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${url}${p}`]);
      expect(r.stdout, p).toBe('404');
    }
    for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const r = await runL('curl', ['-sS', '-D', '-', '-o', '/dev/null', '-X', m, `${url}/small.txt`]);
      expect(r.stdout, m).toMatch(/^HTTP\/1\.1 405 /);
      expect(r.stdout, m).toMatch(/\r\nAllow: GET, HEAD\r\n/i);
    }
  });

  it("logs a boot-failure report from Bootdrop's iPXE menu (which entry, which PC) and answers it", async () => {
    const r = await run('curl', ['-sS', '-w', ' %{http_code}', `${url}/bootdrop/boot-failed/src1:memtest86-bios`]);
    expect(r.stdout).toBe('reported\n 200');
    expect(logs.find((l) => l.message.includes('src1:memtest86-bios'))).toMatchObject({
      level: 'warn',
      message: 'boot entry src1:memtest86-bios could not start on this PC (its screen says why)',
      client: '127.0.0.1',
    });
    // iPXE percent-encodes the ':' of the entry id
    const enc = await run('curl', ['-sS', '-w', ' %{http_code}', `${url}/bootdrop/boot-failed/src1%3Aother`]);
    expect(enc.stdout).toBe('reported\n 200');
    expect(
      logs.some((l) => l.message === 'boot entry src1:other could not start on this PC (its screen says why)'),
    ).toBe(true);
    // anything else under the prefix is an ordinary missing file
    const bad = await run('curl', [
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${url}/bootdrop/boot-failed/a%20b`,
    ]);
    expect(bad.stdout).toBe('404');
  });

  it('refuses path traversal in every encoding with 400 and logs it', async () => {
    const attempts = [
      '/../../etc/passwd',
      '/Casper/../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/..%5c..%5cetc%5cpasswd',
      '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      '/small.txt%00.png',
      '/%',
      '/%zz',
    ];
    for (const [i, p] of attempts.entries()) {
      // Each from its own address: refusals are logged once per client, then summarised every 10 s.
      const from = ['--interface', `127.0.8.${i + 1}`];
      const r = await runL('curl', [
        '-sS',
        ...from,
        '--path-as-is',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        `${url}${p}`,
      ]);
      expect(r.stdout, p).toBe('400');
    }
    expect(logs.filter((l) => l.level === 'warn' && l.message.startsWith('refused')).length).toBeGreaterThanOrEqual(7);
    const backslash = await raw(
      server.port,
      'GET /..\\..\\etc\\passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(backslash).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers odd request lines with 400 and keeps serving', async () => {
    const odd = [
      'GET ../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
      'HELLO\r\n\r\n',
      'GET /small.txt\r\n\r\n',
      'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n',
      Buffer.from('GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'),
      'GET / HTTP/9.9\r\n\r\n',
      `GET / HTTP/1.1\r\nX: ${'a'.repeat(20000)}\r\n${'Y: b\r\n'.repeat(2000)}\r\n`,
    ];
    for (const req of odd) {
      const res = await raw(server.port, req);
      expect(res, JSON.stringify(req.toString().slice(0, 40))).toMatch(/^HTTP\/1\.[01] (400|431|505) /);
    }
    const abs = await raw(server.port, `GET http://${HOST}/small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(abs).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*hello over http\n$/);
  });

  it('tells the session who fetched what (onRequest)', () => {
    expect(requests).toContainEqual({
      clientIp: '127.0.0.1',
      method: 'GET',
      path: '/boot.ipxe',
      file: '/boot.ipxe',
      status: 200,
    });
    expect(requests).toContainEqual({ clientIp: '127.0.0.1', method: 'GET', path: '/nope', file: null, status: 404 });
    expect(requests).toContainEqual({
      clientIp: '127.0.0.1',
      method: 'GET',
      path: '/big.bin',
      file: '/big.bin',
      status: 206,
    });
  });

  it("a client that disconnects mid-download ends as 'aborted' and releases the file", async () => {
    const since = transfers.length;
    await new Promise<void>((done, fail) => {
      const s = net.connect(server.port, HOST);
      let got = 0;
      s.on('data', (d) => {
        got += d.length;
        if (got > 1024 * 1024) {
          s.destroy();
          done();
        }
      });
      s.on('error', fail);
      s.write('GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    const t = await finished('/huge.bin', since);
    expect(t.outcome).toBe('aborted');
    expect(t.bytes).toBeLessThan(BIG);
    for (let i = 0; i < 50 && vfs.open_ > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(vfs.open_).toBe(0);
  });
});

describe("HTTP responses made per request (a PC's own menu)", () => {
  it('answers from generate() with the raw query, else from the tree; a failing generate is a 500', async () => {
    const seen: Array<{ path: string; query: string; clientIp: string }> = [];
    const server = await startServer({
      generate: (r) => {
        seen.push(r);
        if (r.query === 'boom=1') throw new Error('menu renderer broke');
        return r.path === '/small.txt' && r.query.startsWith('pc=1') ? Buffer.from(`menu for ${r.query}\n`) : null;
      },
    });
    const base = `http://${HOST}:${server.port}`;
    const since = transfers.length;
    // uristring leaves '+', ',' and '&' as they are: generate gets the query as sent
    const q = 'pc=1&model=Standard%20PC%20(i440FX%20+%20PIIX,%201996)';
    const r = await run('curl', ['-sS', '-D', '-', `${base}/small.txt?${q}#frag`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 /);
    const body = `menu for ${q}\n`;
    expect(r.stdout).toMatch(new RegExp(`\\r\\nContent-Length: ${body.length}\\r\\n`, 'i'));
    expect(r.stdout.endsWith(body)).toBe(true);
    expect(seen.at(-1)).toEqual({ path: '/small.txt', query: q, clientIp: '127.0.0.1' });
    // it goes through the tracker like any file (the PC's row shows the menu fetch)
    expect((await finished('/small.txt', since)).outcome).toBe('done');
    // null: the tree answers
    expect((await run('curl', ['-sS', `${base}/small.txt?other=1`])).stdout).toBe('hello over http\n');
    expect((await run('curl', ['-sS', `${base}/small.txt`])).stdout).toBe('hello over http\n');
    // a throwing generate is this request's 500 and a log line, not the server's end
    const boom = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${base}/small.txt?boom=1`]);
    expect(boom.stdout).toBe('500');
    expect(logs.some((l) => l.level === 'error' && l.message.includes('menu renderer broke'))).toBe(true);
    expect((await run('curl', ['-sS', `${base}/small.txt`])).stdout).toBe('hello over http\n');
    await server.stop();
  });
});

describe('HTTP lifecycle and start errors', () => {
  it('stop() closes idle keep-alive connections and in-flight downloads', async () => {
    const server = await startServer();
    const since = transfers.length;
    const idle = net.connect(server.port, HOST);
    const idleClosed = new Promise<void>((r) => idle.on('close', () => r()));
    idle.on('error', () => undefined);
    idle.write('GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => idle.once('data', r));
    const busy = net.connect(server.port, HOST);
    busy.on('error', () => undefined);
    const busyClosed = new Promise<void>((r) => busy.on('close', () => r()));
    busy.write('GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => busy.once('data', r));
    busy.pause(); // a slow client: the response is stuck on back-pressure
    await server.stop();
    await idleClosed;
    busy.resume(); // a paused socket never reads the server's close
    await busyClosed;
    expect((await finished('/huge.bin', since)).outcome).toBe('aborted');
    for (let i = 0; i < 50 && vfs.open_ > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(vfs.open_).toBe(0);
  });

  it('a busy port gives a specific error naming the port and likely holders', async () => {
    const first = await startServer();
    const second = new HttpServer({ vfs, address: HOST, port: first.port, tracker, log: () => undefined });
    const err = (await second.start().catch((e: unknown) => e)) as Error & { code: string; remedy: string };
    expect(err).toBeInstanceOf(PortBindError);
    expect(err.code).toBe('EADDRINUSE');
    expect(err.message).toContain(`HTTP port ${first.port}`);
    expect(err.remedy).toMatch(/nginx/);
  });

  it('an unprivileged user binding port 80 gets EACCES with the remedy (compiled engine)', async () => {
    const built = join(ROOT, 'dist/engine/http/index.js');
    const newest = (d: string): number =>
      Math.max(
        0,
        ...readdirSync(d, { withFileTypes: true }).map((e) =>
          e.isDirectory() ? newest(join(d, e.name)) : statSync(join(d, e.name)).mtimeMs,
        ),
      );
    if (!existsSync(built) || statSync(built).mtimeMs < newest(join(ROOT, 'main/http'))) {
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.engine.json'], { cwd: ROOT, stdio: 'ignore' });
      } catch {
        // Type errors elsewhere in main/ still emit JavaScript; the file check below is what matters.
      }
    }
    if (!existsSync(built))
      throw new Error(`${built} is missing: build the engine with \`npx tsc -p tsconfig.engine.json\``);
    // `nobody` runs a copy of the engine from a world-readable temp folder (the checkout may be where
    // it cannot go), in a namespace where ports below 1024 are privileged whatever the host's sysctl.
    const copy = readableCopy();
    const ns = await privilegedPortsNs();
    try {
      const script = join(copy.root, 'eacces.js');
      writeFileSync(
        script,
        `const { HttpServer } = require(${JSON.stringify(join(copy.engine, 'http'))});
const { MountedTree } = require(${JSON.stringify(join(copy.engine, 'vfs'))});
const { TransferTracker } = require(${JSON.stringify(join(copy.engine, 'transfer'))});
new HttpServer({ vfs: new MountedTree(), address: '127.0.0.1', port: 80, tracker: new TransferTracker(() => {}), log: () => {} })
  .start().then(() => { console.log('READY'); process.exit(0); }, (e) => { console.log('STARTERR ' + JSON.stringify({ code: e.code, message: e.message, remedy: e.remedy })); });`,
        { mode: 0o644 },
      );
      const child = spawn('ip', ['netns', 'exec', ns.ns, 'runuser', '-u', 'nobody', '--', process.execPath, script], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const line = await waitForOutput(child, /STARTERR .*|READY/, 30_000);
      child.kill('SIGKILL');
      expect(line).toMatch(/^STARTERR /);
      const err = JSON.parse(line.slice(9)) as { code: string; message: string; remedy: string };
      expect(err.code).toBe('EACCES');
      expect(err.message).toContain('HTTP port 80');
      expect(err.remedy).toContain('ip_unprivileged_port_start');
    } finally {
      await ns.destroy();
      copy.remove();
    }
  });
});
