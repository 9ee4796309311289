/**
 * Faults: heavy packet loss, clients that vanish mid-transfer, an ISO truncated or deleted while it is
 * served, a disk that starts failing reads. Each time the affected transfer ends with a clear event,
 * resources return to zero, the server stays up and other transfers continue.
 */
import { createHash } from 'node:crypto';
import * as dgram from 'node:dgram';
import { promises as fsp, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../main/contract';
import { HttpServer } from '../../main/http';
import { openIso } from '../../main/iso';
import { TftpServer } from '../../main/tftp';
import { encodeRequest } from '../../main/tftp/packet';
import { TransferTracker } from '../../main/transfer';
import { MountedTree, VfsError, type Vfs, type VfsFile } from '../../main/vfs';
import { requirePeers } from '../helpers/dhcp/harness';
import { buildIso, makeTree, removeTempDirs, tempDir } from '../helpers/mkiso';
import { TestLan } from '../helpers/netns';
import { ServeProcess } from '../helpers/qemu';
import { buildFixture } from '../helpers/testiso';
import { httpGet, tftpFetch } from '../fuzz/lib/clients';

const HOST = '127.0.0.5';
const ROOT = path.resolve(__dirname, '..', '..');

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Vfs whose reads start failing with EIO past `failAfter` bytes (a disk unplugged mid-read). */
class FailingDisk implements Vfs {
  readonly kind = 'folder' as const;
  readonly location = '/media/usb/unplugged.iso';
  constructor(
    private readonly size: number,
    private readonly failAfter: number,
  ) {}
  async stat(): Promise<never> {
    throw new VfsError('ENOENT', '/', 'not used');
  }
  lstat = this.stat;
  readdir = this.stat;
  createReadStream = this.stat;
  async open(p: string): Promise<VfsFile> {
    const { size, failAfter, location } = this;
    return {
      path: p,
      size,
      async read(buf, off, len, pos) {
        if (pos + len > failAfter)
          throw new VfsError('EIO', p, 'reading the ISO failed: EIO: i/o error, read', location);
        buf.fill(0x5a, off, off + len);
        return len;
      },
      close: async () => undefined,
    };
  }
  async close(): Promise<void> {}
}

describe('faults', () => {
  let work: string;
  let isoPath: string;
  let big: Buffer;
  let tree: MountedTree;
  const transfers: TransferProgress[] = [];
  const logs: string[] = [];
  let tftp: TftpServer;
  let http: HttpServer;
  const tracker = new TransferTracker((t) => {
    if (t.outcome !== 'active') transfers.push(t);
  });

  beforeAll(async () => {
    work = await tempDir('faults');
    // A 24 MiB file late in the image, a small one early: truncating the image kills one, not the other.
    big = Buffer.alloc(24 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    await makeTree(path.join(work, 'src'), { 'A_SMALL.TXT': 'small and early\n', 'Z_BIG.BIN': big });
    isoPath = path.join(work, 'served.iso');
    await buildIso(path.join(work, 'src'), isoPath, { volid: 'FAULTS' });
    tree = new MountedTree();
    tree.mount('/iso/f', await openIso(isoPath));
    tree.mount('/usb', new FailingDisk(4 << 20, 1 << 20));
    tree.setFile('/boot.ipxe', Buffer.from('#!ipxe\n'));
    const log = (level: string, message: string) => logs.push(`${level}: ${message}`);
    tftp = new TftpServer({ vfs: tree, address: HOST, port: 0, tracker, log, timeoutMs: 200, retries: 3 });
    http = new HttpServer({ vfs: tree, address: HOST, port: 0, tracker, log });
    await tftp.start();
    await http.start();
  });
  afterAll(async () => {
    await tftp?.stop();
    await http?.stop();
    await removeTempDirs();
  });

  it('a TFTP client that vanishes mid-transfer: the session ends and the count returns to 0', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const first = new Promise<void>((r) => sock.once('message', () => r()));
    sock.send(encodeRequest({ op: 'rrq', filename: 'iso/f/Z_BIG.BIN', mode: 'octet' }), tftp.port, HOST);
    await first;
    expect(tftp.activeSessions).toBe(1);
    sock.close(); // gone without a word: the next retransmit meets ICMP port unreachable
    await until('the TFTP session to end', () => tftp.activeSessions === 0);
    await until('the transfer event', () =>
      transfers.some((t) => t.protocol === 'tftp' && t.file === '/iso/f/Z_BIG.BIN'),
    );
    expect(transfers.find((t) => t.protocol === 'tftp' && t.file === '/iso/f/Z_BIG.BIN')).toMatchObject({
      outcome: 'aborted',
    });
    expect(tracker.activeCount).toBe(0);
  });

  it('an HTTP client that vanishes mid-download: connection and transfer handles return to 0', async () => {
    const sock = net.connect({ host: HOST, port: http.port });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /iso/f/Z_BIG.BIN HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((r) => sock.once('data', () => r()));
    expect(http.connections).toBe(1);
    sock.destroy();
    await until('the HTTP connection to close', () => http.connections === 0);
    await until('the transfer to end', () => tracker.activeCount === 0);
    expect(transfers.filter((t) => t.protocol === 'http').at(-1)).toMatchObject({
      file: '/iso/f/Z_BIG.BIN',
      outcome: 'aborted',
    });
  });

  it('the ISO truncated during a download: that transfer fails clearly, the early file and the server carry on', async () => {
    const sock = net.connect({ host: HOST, port: http.port });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /iso/f/Z_BIG.BIN HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((r) => sock.once('data', () => r()));
    sock.pause(); // a slow client: the server is mid-file when the image shrinks
    await fsp.truncate(isoPath, 2 << 20);
    sock.resume();
    let got = 0;
    sock.on('data', (c: Buffer) => (got += c.length));
    await new Promise<void>((r) => sock.once('close', () => r()));
    expect(got).toBeLessThan(big.length);
    await until('the failed transfer', () => transfers.some((t) => t.protocol === 'http' && t.outcome === 'failed'));
    const failed = transfers.filter((t) => t.protocol === 'http' && t.outcome === 'failed').at(-1)!;
    expect(failed.error).toMatch(/served\.iso.*ends early at byte \d+.*re-download/);
    expect(logs.some((l) => /^error: read failed while sending \/iso\/f\/Z_BIG\.BIN/.test(l))).toBe(true);
    // The small file lies before the cut: still served, over both protocols.
    const small = await httpGet(HOST, http.port, '/iso/f/A_SMALL.TXT');
    expect(small.status).toBe(200);
    expect(
      (
        await tftpFetch(HOST, tftp.port, encodeRequest({ op: 'rrq', filename: 'iso/f/A_SMALL.TXT', mode: 'octet' }))
      ).data.toString(),
    ).toBe('small and early\n');
    expect((await httpGet(HOST, http.port, '/boot.ipxe')).status).toBe(200);
    // The client has seen `Connection: close`; the server counts the socket closed a moment later.
    await until('the HTTP connections to close', () => http.connections === 0);
  });

  it('the ISO deleted while served: the open image keeps serving (Unix keeps the inode) until it is removed', async () => {
    await fsp.unlink(isoPath);
    const r = await httpGet(HOST, http.port, '/iso/f/A_SMALL.TXT');
    expect(r.status).toBe(200);
    expect(r.reply.toString()).toMatch(/small and early\n$/);
  });

  it('a disk failing reads (EIO): TFTP and HTTP transfers fail with the reason, the server keeps serving', async () => {
    const since = transfers.length;
    const t = await tftpFetch(
      HOST,
      tftp.port,
      encodeRequest({ op: 'rrq', filename: 'usb/x.img', mode: 'octet' }),
      3000,
    );
    expect(t.error).toMatch(/^0: Read error on the server/);
    const h = await httpGet(HOST, http.port, '/usb/x.img');
    expect(h.reply.length).toBeLessThan(4 << 20);
    await until('both failures', () => transfers.slice(since).filter((x) => x.outcome === 'failed').length === 2);
    for (const x of transfers.slice(since).filter((y) => y.outcome === 'failed')) expect(x.error).toMatch(/EIO/);
    expect((await httpGet(HOST, http.port, '/boot.ipxe')).status).toBe(200);
    // The failed session closes after its ERROR is sent, which can be just after the client saw it.
    await until('the TFTP session to end', () => tftp.activeSessions === 0);
    await until('the HTTP connections to close', () => http.connections === 0);
  });
});

describe('TFTP at 30% packet loss (namespaces, iptables statistic)', () => {
  it('a loader arrives byte-identical with 30% of the packets each host receives dropped', async () => {
    requirePeers();
    const fx = await buildFixture('casper');
    const lan = await TestLan.create('loss');
    let serve: ServeProcess | null = null;
    try {
      const server = await lan.addHost('server', '10.213.74.2/24');
      const pc = await lan.addHost('pc', '10.213.74.3/24');
      serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy']);
      await serve.ready();
      await lan.setLoss(server, 0.3);
      await lan.setLoss(pc, 0.3);
      const want = readFileSync(path.join(ROOT, 'assets', 'loaders', 'memdisk'));
      const r = await pc.exec(
        [
          'sh',
          '-c',
          'curl -sS --max-time 240 --tftp-blksize 1468 -o /tmp/bd-loss-memdisk tftp://10.213.74.2/loaders/memdisk && sha256sum /tmp/bd-loss-memdisk',
        ],
        true,
      );
      expect(r.code, `${r.stderr}\n${serve.describe()}`).toBe(0);
      expect(r.stdout.split(' ')[0]).toBe(createHash('sha256').update(want).digest('hex'));
      expect(serve.exited).toBe(false);
    } finally {
      await serve?.stop();
      await lan.destroy();
    }
  });
});
