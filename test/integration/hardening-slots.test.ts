/**
 * Several hosts misbehave at once, and a PC still gets its files. Each loopback address is one host
 * (127.0.1.x, 127.0.2.x attack; 127.0.0.30/31 are the PC): the attackers fill every HTTP and TFTP slot
 * they can — slowloris connections, TFTP transfers ACKed about once a second — and reconnect whenever
 * the server closes them; meanwhile the PC fetches a 1 MiB file and must get every byte. Refusal
 * floods from several hosts must come out as a handful of summary lines that still count every request.
 */
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogLevel } from '../../main/contract';
import { HttpServer, type HttpServerOptions } from '../../main/http';
import { TftpServer, type TftpServerOptions } from '../../main/tftp';
import { encodeAck, encodeRequest, parsePacket } from '../../main/tftp/packet';
import { TransferTracker } from '../../main/transfer';
import { FolderSource, MountedTree } from '../../main/vfs';
import { rawGet } from '../helpers/tftp-raw';

const SERVER = '127.0.0.20';
const PC = '127.0.0.30';
const BOOTING_PC = '127.0.0.31';
const MIB = 1024 * 1024;

interface Line {
  level: LogLevel;
  message: string;
  client?: string;
}

let dir: string;
let tree: MountedTree;
let kernel: Buffer;
const tracker = new TransferTracker(() => undefined);
let logs: Line[] = [];
const stops: Array<() => Promise<void> | void> = [];

function sources(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}.${i + 1}`);
}

async function waitFor(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !cond();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startHttp(extra: Partial<HttpServerOptions> = {}): Promise<HttpServer> {
  const s = new HttpServer({
    vfs: tree,
    address: SERVER,
    port: 0,
    tracker,
    log: (level, message, client) => logs.push({ level, message, ...(client ? { client } : {}) }),
    ...extra,
  });
  await s.start();
  stops.push(() => s.stop());
  return s;
}

async function startTftp(extra: Partial<TftpServerOptions> = {}): Promise<TftpServer> {
  const s = new TftpServer({
    vfs: tree,
    address: SERVER,
    port: 0,
    tracker,
    log: (level, message, client) => logs.push({ level, message, ...(client ? { client } : {}) }),
    ...extra,
  });
  await s.start();
  stops.push(() => s.stop());
  return s;
}

/**
 * Slowloris from several hosts: each connection sends a request line and then one header line a
 * second, never finishing; a connection the server closes is opened again (while the attack runs).
 */
class Slowloris {
  private readonly open = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  connected = 0;
  closedByServer = 0;

  constructor(
    private readonly port: number,
    private readonly from: string[],
    private readonly perSource: number,
  ) {}

  start(): this {
    for (const src of this.from) for (let i = 0; i < this.perSource; i++) this.connect(src);
    return this;
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  private connect(src: string): void {
    if (this.stopped) return;
    const s = net.connect({ host: SERVER, port: this.port, localAddress: src });
    this.open.add(s);
    s.on('error', () => undefined);
    s.on('connect', () => {
      this.connected++;
      s.write('GET /kernel.bin HTTP/1.1\r\nHost: bootdrop\r\n');
      const drip = setInterval(() => s.write('X-Slow: 1\r\n'), 1000);
      s.once('close', () => clearInterval(drip));
    });
    s.once('close', () => {
      this.open.delete(s);
      if (this.stopped) return;
      this.closedByServer++;
      this.later(200, () => this.connect(src));
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.open) s.destroy();
  }
}

/**
 * Slow TFTP readers from several hosts: each socket asks for the big file and ACKs each block about a
 * second later (alive, so never "silent"); refused or dropped, it asks again (while the attack runs).
 */
class SlowAcker {
  private readonly sockets: dgram.Socket[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  acks = 0;
  busy = 0;
  dropped = 0;

  constructor(
    private readonly port: number,
    private readonly from: string[],
    private readonly perSource: number,
  ) {}

  async start(): Promise<this> {
    for (const src of this.from) {
      for (let i = 0; i < this.perSource; i++) {
        const s = dgram.createSocket('udp4');
        await new Promise<void>((r) => s.bind(0, src, () => r()));
        this.sockets.push(s);
        let acked = 0;
        const ask = () => {
          acked = 0;
          if (!this.stopped)
            s.send(encodeRequest({ op: 'rrq', filename: 'big.bin', mode: 'octet', options: [] }), this.port, SERVER);
        };
        s.on('message', (msg, from) => {
          const r = parsePacket(msg);
          if (!r.ok || this.stopped) return;
          const p = r.packet;
          if (p.op === 'error') {
            if (/busy/i.test(p.message)) this.busy++;
            else this.dropped++;
            this.later(200, ask);
          } else if (p.op === 'data' && p.block > acked) {
            acked = p.block;
            this.later(900, () => {
              this.acks++;
              if (!this.stopped) s.send(encodeAck(p.block), from.port, SERVER);
            });
          }
        });
        ask();
      }
    }
    return this;
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.close();
  }
}

/** GET a file as a PC on `local` would: status and body. */
function httpGet(port: number, path: string, local: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: SERVER, port, path, localAddress: local, agent: false, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 20 s')));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bd-slots-'));
  kernel = randomBytes(MIB);
  writeFileSync(join(dir, 'kernel.bin'), kernel);
  writeFileSync(join(dir, 'big.bin'), randomBytes(8 * MIB));
  tree = new MountedTree();
  tree.mount('/', await FolderSource.open(dir));
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  logs = [];
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP slots under a slowloris from several hosts', () => {
  it('10 hosts × 32 slow connections: the table fills, yet a PC gets its 1 MiB file, three times', async () => {
    const server = await startHttp();
    const attack = new Slowloris(server.port, sources('127.0.1', 10), 32).start();
    stops.push(() => attack.stop());
    // 224 = 256 − the 32 kept for PCs our DHCP answered: the attackers hold every slot they may.
    await waitFor('the attack to fill the table', () => server.connections >= 224);
    for (let i = 0; i < 3; i++) {
      const got = await httpGet(server.port, '/kernel.bin', PC);
      expect(got.status).toBe(200);
      expect(got.body.equals(kernel)).toBe(true);
    }
    expect(server.connections).toBeGreaterThanOrEqual(200); // the attack was still in full swing
    expect(attack.closedByServer).toBeGreaterThan(0);
  });

  it('many one-connection hosts fill everything but the reserve: a PC we answered still gets in', async () => {
    // Small numbers, same shape: 16 slots, 4 reserved, 1 per host, nobody ever stale. Twelve hosts
    // hold the twelve open slots; a PC nobody vouches for is turned away, one our DHCP answered is not.
    const server = await startHttp({
      maxConnections: 16,
      reservedConnections: 4,
      maxConnectionsPerClient: 1,
      staleMs: 600_000,
      reserved: (ip) => ip === BOOTING_PC,
    });
    const attack = new Slowloris(server.port, sources('127.0.2', 14), 1).start();
    stops.push(() => attack.stop());
    await waitFor('the attack to fill the table', () => server.connections >= 12);
    await expect(httpGet(server.port, '/kernel.bin', PC)).rejects.toThrow(/ECONNRESET|socket hang up/);
    const got = await httpGet(server.port, '/kernel.bin', BOOTING_PC);
    expect(got.status).toBe(200);
    expect(got.body.equals(kernel)).toBe(true);
    expect(logs.some((l) => l.client === PC && /busy: refused a connection, all 12 slots/.test(l.message))).toBe(true);
  });

  it('one host with many addresses (one MAC) shares one per-source cap', async () => {
    const addresses = sources('127.0.9', 10);
    const server = await startHttp({
      maxConnectionsPerClient: 4,
      sourceOf: (ip) => (addresses.includes(ip) ? '52:54:00:00:09:01' : ip),
    });
    const attack = new Slowloris(server.port, addresses, 2).start();
    stops.push(() => attack.stop());
    await waitFor('the refusals beyond the cap', () => attack.closedByServer >= 16);
    expect(server.connections).toBe(4); // 10 addresses × 2 wanted, one MAC: 4
    const got = await httpGet(server.port, '/kernel.bin', PC);
    expect(got.body.equals(kernel)).toBe(true);
  });
});

describe('TFTP slots under slow-ACK readers from several hosts', () => {
  it('19 hosts × 16 transfers ACKed once a second: the table fills, yet a PC gets its 1 MiB file', async () => {
    const server = await startTftp();
    const attack = await new SlowAcker(server.port, sources('127.0.3', 19), 16).start();
    stops.push(() => attack.stop());
    await waitFor('the attack to fill the table', () => server.activeSessions >= 224);
    // The holders are alive (they ACK every 0.9 s, never stale): only fairness can make room for the PC.
    await waitFor('the attackers to ACK', () => attack.acks > 0);
    for (let i = 0; i < 2; i++) {
      const got = await rawGet(SERVER, server.port, 'kernel.bin', {
        local: PC,
        options: [
          ['blksize', '1468'],
          ['windowsize', '4'],
        ],
      });
      expect(got.data.equals(kernel)).toBe(true);
    }
    expect(server.activeSessions).toBeGreaterThanOrEqual(200); // still under attack
    expect(attack.acks).toBeGreaterThan(0); // alive, not silent: only fairness could make room
    expect(attack.busy).toBeGreaterThan(0);
  });

  it('many one-transfer hosts fill everything but the reserve: a PC we answered still gets in', async () => {
    const server = await startTftp({
      maxSessions: 16,
      reservedSessions: 4,
      maxPerClient: 1,
      staleMs: 600_000,
      reserved: (ip) => ip === BOOTING_PC,
    });
    const attack = await new SlowAcker(server.port, sources('127.0.4', 14), 1).start();
    stops.push(() => attack.stop());
    await waitFor('the attack to fill the table', () => server.activeSessions >= 12);
    await expect(rawGet(SERVER, server.port, 'kernel.bin', { local: PC })).rejects.toThrow(/Server busy/);
    const got = await rawGet(SERVER, server.port, 'kernel.bin', {
      local: BOOTING_PC,
      options: [['blksize', '1468']],
    });
    expect(got.data.equals(kernel)).toBe(true);
  });
});

/** `N more … ` summary lines plus the lines logged as they came: every refusal is accounted for. */
function accounted(lines: Line[], client: string): number {
  let n = 0;
  for (const l of lines.filter((x) => x.client === client)) {
    const m = /^(\d+) more /.exec(l.message);
    n += m ? Number(m[1]) : 1;
  }
  return n;
}

describe('refusal floods from several hosts become summary lines', () => {
  it('HTTP: 10 hosts × 1000 traversal GETs → at most 3 lines per host, and they count all 10 000', async () => {
    const server = await startHttp();
    const hosts = sources('127.0.5', 10);
    const targets = ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/shadow', '/a/..%5c..%5cetc/passwd', '/x%00y'];
    await Promise.all(
      hosts.map(
        (src, h) =>
          new Promise<void>((resolve, reject) => {
            const s = net.connect({ host: SERVER, port: server.port, localAddress: src });
            let answers = 0;
            let text = '';
            s.on('data', (d: Buffer) => {
              text += d.toString('latin1');
              for (let at = text.indexOf('HTTP/1.1 400'); at >= 0; at = text.indexOf('HTTP/1.1 400')) {
                answers++;
                text = text.slice(at + 12);
              }
              text = text.slice(-11); // a status line split across two reads
              if (answers >= 1000) {
                s.destroy();
                resolve();
              }
            });
            s.on('error', reject);
            s.on('close', () => (answers >= 1000 ? resolve() : reject(new Error(`${src}: ${answers} answers`))));
            let batch = '';
            for (let i = 0; i < 1000; i++)
              batch += `GET ${targets[(i + h) % targets.length]} HTTP/1.1\r\nHost: bootdrop\r\n\r\n`;
            s.write(batch);
          }),
      ),
    );
    await server.stop(); // writes the pending summaries
    const lines = logs.filter((l) => l.level !== 'debug');
    expect(lines.length).toBeLessThanOrEqual(3 * hosts.length);
    for (const src of hosts) expect(accounted(lines, src)).toBe(1000);
  });

  it('TFTP: 10 hosts × 200 refused requests → at most 3 lines per host, and they count all 2000', async () => {
    const server = await startTftp();
    const hosts = sources('127.0.6', 10);
    await Promise.all(
      hosts.map(async (src) => {
        const s = dgram.createSocket('udp4');
        await new Promise<void>((r) => s.bind(0, src, () => r()));
        try {
          for (let i = 0; i < 200; i++) {
            const op = i % 2 ? 'wrq' : 'rrq';
            const answer = new Promise<void>((resolve) => s.once('message', () => resolve()));
            s.send(
              encodeRequest({ op, filename: `../../etc/\x01passwd${i}`, mode: 'octet', options: [] }),
              server.port,
              SERVER,
            );
            await answer;
          }
        } finally {
          s.close();
        }
      }),
    );
    await server.stop();
    const lines = logs.filter((l) => l.level !== 'debug');
    expect(lines.length).toBeLessThanOrEqual(3 * hosts.length);
    for (const src of hosts) expect(accounted(lines, src)).toBe(200);
  });
});
