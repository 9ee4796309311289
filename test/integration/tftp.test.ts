/**
 * TFTP server against real clients on loopback: curl, atftp, tftp-hpa, plus a raw UDP client for what
 * the tools cannot show (OVMF's probe, duplicate ACKs, mid-window loss, timeouts, refusals).
 * The server listens on 127.0.0.2 so we can check that transfers come from the same address.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLevel, TransferProgress } from '../../main/contract';
import { TftpServer, type TftpServerOptions } from '../../main/tftp';
import { PortBindError } from '../../main/net';
import { encodeAck, encodeError, encodeRequest, type TftpPacket } from '../../main/tftp/packet';
import { RawClient, rawGet } from '../helpers/tftp-raw';
import { TransferTracker } from '../../main/transfer';
import { FolderSource, MountedTree } from '../../main/vfs';
import { finishedTransfer } from '../helpers/peers';
import { run } from '../helpers/run';

const HOST = '127.0.0.2';

for (const tool of ['curl', 'atftp', 'tftp']) {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is missing: install the test peers with scripts/install-deps.sh (curl, atftp, tftp-hpa)`);
  }
}

let dir: string;
let out: string;
let files: Record<string, Buffer>;
let tree: MountedTree;
const transfers: TransferProgress[] = [];
const logs: Array<{ level: LogLevel; message: string; client?: string }> = [];
const tracker = new TransferTracker((t) => {
  if (t.outcome !== 'active') transfers.push(t);
});
const servers: TftpServer[] = [];

async function startServer(extra: Partial<TftpServerOptions> = {}): Promise<TftpServer> {
  const s = new TftpServer({
    vfs: tree,
    address: HOST,
    port: 0,
    tracker,
    log: (level, message, client) => logs.push({ level, message, client }),
    timeoutMs: 1000,
    ...extra,
  });
  await s.start();
  servers.push(s);
  return s;
}

const finished = (file: string, since: number): Promise<TransferProgress> => finishedTransfer(transfers, file, since);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bd-tftp-'));
  out = mkdtempSync(join(tmpdir(), 'bd-tftp-out-'));
  files = {
    'small.txt': Buffer.from('hello from bootdrop\n'),
    'big.bin': randomBytes(3_000_000),
    'exact.bin': randomBytes(512 * 8), // a multiple of every window: ends with an empty block
    'empty.bin': Buffer.alloc(0),
    'Boot/PXELinux.0': randomBytes(40_000),
  };
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  symlinkSync('/etc/passwd', join(dir, 'escape'));
  tree = new MountedTree();
  tree.mount('/', await FolderSource.open(dir));
  tree.setFile('/menu.ipxe', Buffer.from('#!ipxe\necho generated\n'));
});

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

/**
 * Every suite runs on both engines: the native data pump (host-file transfers; the default) and the
 * JavaScript ReadSession (native: false; also what generated files always use).
 */
describe.each([
  ['native pump', true],
  ['JavaScript', false],
] as const)('%s engine', (_engine, native) => {
  const start = (extra: Partial<TftpServerOptions> = {}) => startServer({ native, ...extra });
  let refusingHost = native ? 0 : 100;
  /** The transfers logged since `since` ran on this engine (the pump logs where it serves from). */
  const expectEngine = (since: number) => {
    const pumped = logs.slice(since).filter((l) => l.message.startsWith('native data pump serves')).length;
    if (native) expect(pumped, 'transfers served by the native pump').toBeGreaterThan(0);
    else expect(pumped).toBe(0);
  };

  describe('TFTP server with real clients', () => {
    let server: TftpServer;
    let url: string;
    beforeAll(async () => {
      server = await start();
      url = `tftp://${HOST}:${server.port}`;
    });

    it.each([512, 1468, 8192])('curl --tftp-blksize %i downloads byte-identical data', async (bs) => {
      const since = transfers.length;
      const logsBefore = logs.length;
      const dest = join(out, `curl-${bs}.bin`);
      const r = await run('curl', ['-sS', '--tftp-blksize', String(bs), '-o', dest, `${url}/big.bin`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(readFileSync(dest).equals(files['big.bin']!)).toBe(true);
      const t = await finished('/big.bin', since);
      expect(t).toMatchObject({
        protocol: 'tftp',
        outcome: 'done',
        bytes: 3_000_000,
        total: 3_000_000,
        clientIp: '127.0.0.1',
      });
      expectEngine(logsBefore);
    });

    it('curl --tftp-no-options (plain RFC 1350) works, including a file ending on a block boundary', async () => {
      for (const name of ['big.bin', 'exact.bin', 'empty.bin']) {
        const dest = join(out, `noopt-${name}`);
        const r = await run('curl', ['-sS', '--tftp-no-options', '-o', dest, `${url}/${name}`]);
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(dest).equals(files[name]!), name).toBe(true);
      }
    });

    it('atftp negotiates windowsize 8 + blksize 1468 (OACK checked in its trace)', async () => {
      const since = logs.length;
      const dest = join(out, 'atftp.bin');
      const r = await run('atftp', [
        '--trace',
        '--option',
        'windowsize 8',
        '--option',
        'blksize 1468',
        '-g',
        '-r',
        'big.bin',
        '-l',
        dest,
        HOST,
        String(server.port),
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const trace = r.stdout + r.stderr;
      expect(trace).toMatch(/received OACK <windowsize: 8, blksize: 1468/);
      expect(readFileSync(dest).equals(files['big.bin']!)).toBe(true);
      expectEngine(since);
    });

    it('tftp-hpa (binary mode, port argument) downloads, and its put is refused', async () => {
      const r = await run('tftp', ['-m', 'binary', HOST, String(server.port), '-c', 'get', 'big.bin', 'hpa.bin'], {
        cwd: out,
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(join(out, 'hpa.bin')).equals(files['big.bin']!)).toBe(true);
      writeFileSync(join(out, 'upload.txt'), 'x');
      const put = await run('tftp', ['-m', 'binary', HOST, String(server.port), '-c', 'put', 'upload.txt'], {
        cwd: out,
      });
      expect(put.stdout + put.stderr).toMatch(/Error code 2: Access violation/);
      expect(logs.some((l) => l.level === 'warn' && /refused write request for "upload.txt"/.test(l.message))).toBe(
        true,
      );
    });

    it('serves generated files and matches names case-insensitively with backslashes', async () => {
      const gen = await rawGet(HOST, server.port, 'menu.ipxe');
      expect(gen.data.toString()).toBe('#!ipxe\necho generated\n');
      const r = await run('atftp', [
        '-g',
        '-r',
        '\\BOOT\\pxelinux.0',
        '-l',
        join(out, 'pxe.0'),
        HOST,
        String(server.port),
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(join(out, 'pxe.0')).equals(files['Boot/PXELinux.0']!)).toBe(true);
    });

    it('curl reports not found (error 1) and access violation for -T uploads', async () => {
      const nf = await run('curl', ['-sS', '-o', join(out, 'nf'), `${url}/no-such-file`]);
      expect(nf.code).toBe(68); // CURLE_TFTP_NOTFOUND
      writeFileSync(join(out, 'up.txt'), 'upload');
      const up = await run('curl', ['-sS', '-T', join(out, 'up.txt'), `${url}/up.txt`]);
      expect(up.code).toBe(69); // CURLE_TFTP_PERM
    });

    it('transfers come from the listener address, one ephemeral port per transfer', async () => {
      const a = await rawGet(HOST, server.port, 'small.txt');
      expect([...a.from]).toEqual([HOST]);
    });

    it('ten clients at once all get the right bytes', async () => {
      const sizes = [512, 1024, 1432, 1468, 8192, 512, 1408, 4096, 1468, 512];
      const results = await Promise.all(
        sizes.map((bs, i) =>
          run('curl', ['-sS', '--tftp-blksize', String(bs), '-o', join(out, `par-${i}.bin`), `${url}/big.bin`]),
        ),
      );
      results.forEach((r, i) => {
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(join(out, `par-${i}.bin`)).equals(files['big.bin']!), `client ${i}`).toBe(true);
      });
      for (let i = 0; i < 50 && server.activeSessions > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(server.activeSessions).toBe(0);
    });
  });

  describe('TFTP protocol details (raw client)', () => {
    let server: TftpServer;
    beforeAll(async () => {
      server = await start({ timeoutMs: 4000, mtu: 1500 });
    });

    it("OVMF's tsize probe ends quietly as 'aborted'; the real RRQ then gets blksize 1468 + windowsize 4", async () => {
      const since = transfers.length;
      const logsBefore = logs.length;
      const c = await RawClient.open(HOST);
      await c.send(
        encodeRequest({
          op: 'rrq',
          filename: 'big.bin',
          mode: 'octet',
          options: [
            ['tsize', '0'],
            ['blksize', '1468'],
          ],
        }),
        server.port,
      );
      const reply = await c.next();
      expect(reply?.packet).toEqual({
        op: 'oack',
        options: new Map([
          ['tsize', '3000000'],
          ['blksize', '1468'],
        ]),
      });
      await c.send(encodeError(8, 'tsize probe done'), reply!.from.port);
      c.close();
      const probe = await finished('/big.bin', since);
      expect(probe.outcome).toBe('aborted');
      // (An earlier test's refusal summary may fall due meanwhile: its 10 s timer is not this probe's doing.)
      const problems = logs.slice(logsBefore).filter((l) => l.level === 'warn' || l.level === 'error');
      expect(problems.filter((l) => !/^\d+ more refused requests/.test(l.message))).toEqual([]);

      const got = await rawGet(HOST, server.port, 'big.bin', {
        options: [
          ['blksize', '1468'],
          ['windowsize', '4'],
        ],
      });
      expect(got.oack).toEqual(
        new Map([
          ['blksize', '1468'],
          ['windowsize', '4'],
        ]),
      );
      expect(got.data.equals(files['big.bin']!)).toBe(true);
    });

    it('a retransmitted RRQ does not start a second transfer; a new RRQ from the same port replaces the old one', async () => {
      const since = transfers.length;
      const c = await RawClient.open(HOST);
      const rrq = encodeRequest({ op: 'rrq', filename: 'exact.bin', mode: 'octet' });
      await c.send(rrq, server.port);
      await c.send(rrq, server.port);
      const first = await c.next();
      expect(first?.packet).toMatchObject({ op: 'data', block: 1 });
      expect(await c.next(500)).toBe(null); // no second transfer answering the repeat
      expect(server.activeSessions).toBe(1);
      await c.send(encodeRequest({ op: 'rrq', filename: 'small.txt', mode: 'octet' }), server.port);
      const second = await c.next();
      expect(second?.packet).toMatchObject({ op: 'data', block: 1, payload: files['small.txt'] });
      expect(second!.from.port).not.toBe(first!.from.port);
      expect(await finished('/exact.bin', since)).toMatchObject({
        outcome: 'aborted',
        error: 'client sent a new request',
      });
      await c.send(encodeAck(1), second!.from.port);
      expect(await finished('/small.txt', since)).toMatchObject({ outcome: 'done' });
      c.close();
    });

    it('caps blksize to the MTU option and says so in the OACK', async () => {
      const got = await rawGet(HOST, server.port, 'small.txt', {
        options: [
          ['BLKSIZE', '9000'],
          ['UnknownOpt', '1'],
        ],
      });
      expect(got.oack).toEqual(new Map([['blksize', '1468']]));
    });

    it("never resends on duplicate ACKs (no Sorcerer's Apprentice)", async () => {
      const since = logs.length;
      const got = await rawGet(HOST, server.port, 'big.bin', { options: [['blksize', '1468']], dupAcks: true });
      expect(got.data.equals(files['big.bin']!)).toBe(true);
      expect(got.dataPackets).toBe(Math.floor(3_000_000 / 1468) + 1);
      expectEngine(since);
    });

    it('after a loss inside a window, resends from the block after the ACK without waiting for the timeout', async () => {
      // A server whose retransmission timer would take 10 minutes: every resend this transfer gets can
      // only be the answer to the client's ACK. The client waits 20 s at most for each packet, so a
      // server that waited for its timer fails with "timed out waiting for block N".
      const patient = await start({ timeoutMs: 600_000 });
      // Windows shift after each resend: 2 is 2nd of [1..8], 500 is 3rd of [498..505], 1002 4th of [999..1006].
      const got = await rawGet(HOST, patient.port, 'big.bin', {
        options: [
          ['blksize', '1468'],
          ['windowsize', '8'],
        ],
        dropOnce: [2, 500, 1002],
        waitMs: 20_000,
      });
      expect(got.data.equals(files['big.bin']!)).toBe(true);
      // Each loss costs at most the rest of its window again (resent from the lost block on).
      const blocks = Math.floor(3_000_000 / 1468) + 1;
      expect(got.dataPackets).toBeGreaterThan(blocks);
      expect(got.dataPackets).toBeLessThanOrEqual(blocks + 3 * 8);
    });

    it('a lost first block of a window (the ACK repeats the previous one) is resent on timeout only', async () => {
      const quick = await start({ timeoutMs: 200 });
      const got = await rawGet(HOST, quick.port, 'big.bin', {
        options: [
          ['blksize', '1468'],
          ['windowsize', '4'],
        ],
        dropOnce: [5, 9],
      });
      expect(got.data.equals(files['big.bin']!)).toBe(true);
    });

    it('rolls block numbers over past 65535 (40 MiB at blksize 512, curl)', async () => {
      // A host file, so the native engine serves it too (generated files always use JavaScript).
      const big = randomBytes(40 * 1024 * 1024);
      writeFileSync(join(dir, 'roll.bin'), big);
      try {
        const since = logs.length;
        const dest = join(out, 'roll.bin');
        const r = await run(
          'curl',
          ['-sS', '--tftp-blksize', '512', '-o', dest, `tftp://${HOST}:${server.port}/roll.bin`],
          { timeoutMs: 300_000 },
        );
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(dest).equals(big)).toBe(true);
        expectEngine(since);
      } finally {
        rmSync(join(dir, 'roll.bin'));
      }
    });

    it.each([
      ['../../etc/passwd', 2],
      ['/../etc/passwd', 2],
      ['boot\\..\\..\\etc\\passwd', 2],
      ['escape', 2], // a symlink in the served folder pointing at /etc/passwd
      ['no/such/file', 1],
      ['Boot', 1], // a directory is not a file
    ])('refuses %s with error %i', async (name, code) => {
      // Each from its own address: refusals are logged once per client, then summarised.
      const c = await RawClient.open(HOST, `127.0.7.${++refusingHost}`);
      await c.send(encodeRequest({ op: 'rrq', filename: name, mode: 'octet' }), server.port);
      const r = await c.next();
      c.close();
      expect(r?.packet).toMatchObject({ op: 'error', code });
      if (code === 2)
        expect(logs.some((l) => l.level === 'warn' && l.message.includes(JSON.stringify(name)))).toBe(true);
    });

    it('refuses a raw write request with error 2, and malformed packets with error 4, and keeps serving', async () => {
      const c = await RawClient.open(HOST);
      await c.send(encodeRequest({ op: 'wrq', filename: 'x', mode: 'octet' }), server.port);
      expect((await c.next())?.packet).toMatchObject({ op: 'error', code: 2 });
      const junk = [
        [0],
        [0, 1, 0x41],
        [0, 99, 1, 2],
        [0, 1, 0x41, 0, 0x6f, 0x63, 0x74, 0x65, 0x74, 0, 0x62, 0],
        [0xff, 0xff, 0xff],
      ];
      for (const bytes of junk) {
        await c.send(Buffer.from(bytes), server.port);
        const r = await c.next();
        expect(r?.packet).toMatchObject({ op: 'error' });
      }
      c.close();
      expect((await rawGet(HOST, server.port, 'small.txt')).data.equals(files['small.txt']!)).toBe(true);
    });
  });

  describe('TFTP retransmission, limits and lifecycle', () => {
    it('retransmits on timeout with exponential backoff, then gives up as failed', async () => {
      const server = await start({ timeoutMs: 150, retries: 3 });
      const since = transfers.length;
      const c = await RawClient.open(HOST);
      await c.send(encodeRequest({ op: 'rrq', filename: 'exact.bin', mode: 'octet' }), server.port);
      const arrivals: number[] = [];
      let last: TftpPacket | null = null;
      for (let i = 0; i < 10; i++) {
        const r = await c.next(5000);
        if (!r) break;
        last = r.packet;
        if (r.packet.op === 'data') arrivals.push(r.at);
        else break;
      }
      c.close();
      expect(arrivals).toHaveLength(4); // the first send + 3 retries
      expect(last).toMatchObject({ op: 'error', code: 0 });
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
      expect(gaps[2]!).toBeGreaterThan(gaps[0]! * 1.5);
      const t = await finished('/exact.bin', since);
      expect(t).toMatchObject({ outcome: 'failed', bytes: 0 });
      expect(server.activeSessions).toBe(0);
    });

    it('answers "busy" beyond maxSessions; stop() aborts running transfers and frees the port', async () => {
      const server = await start({ maxSessions: 1, timeoutMs: 5000 });
      const since = transfers.length;
      const hold = await RawClient.open(HOST);
      await hold.send(encodeRequest({ op: 'rrq', filename: 'big.bin', mode: 'octet' }), server.port);
      expect((await hold.next())?.packet).toMatchObject({ op: 'data', block: 1 });
      expect(server.activeSessions).toBe(1);
      const other = await RawClient.open(HOST);
      await other.send(encodeRequest({ op: 'rrq', filename: 'small.txt', mode: 'octet' }), server.port);
      expect((await other.next())?.packet).toMatchObject({ op: 'error', message: 'Server busy, try again' });
      other.close();
      const port = server.port;
      await server.stop();
      hold.close();
      expect(server.activeSessions).toBe(0);
      expect(await finished('/big.bin', since)).toMatchObject({ outcome: 'aborted', error: 'server stopped' });
      const again = await start({ port });
      expect(again.port).toBe(port);
    });

    it('when full, a client silent for staleMs is dropped for a new one; a live one is not', async () => {
      const server = await start({ maxSessions: 1, staleMs: 300, timeoutMs: 5000 });
      const since = transfers.length;
      const silent = await RawClient.open(HOST);
      await silent.send(
        encodeRequest({ op: 'rrq', filename: 'big.bin', mode: 'octet', options: [['blksize', '1468']] }),
        server.port,
      );
      const oack = await silent.next();
      expect(oack?.packet).toMatchObject({ op: 'oack' });
      await silent.send(encodeAck(0), oack!.from.port);
      expect((await silent.next())?.packet).toMatchObject({ op: 'data', block: 1 });
      // Just heard from: the newcomer is refused.
      const early = await RawClient.open(HOST);
      await early.send(encodeRequest({ op: 'rrq', filename: 'small.txt', mode: 'octet' }), server.port);
      expect((await early.next())?.packet).toMatchObject({ op: 'error', message: 'Server busy, try again' });
      early.close();
      await new Promise((r) => setTimeout(r, 400));
      const got = await rawGet(HOST, server.port, 'small.txt');
      expect(got.data.equals(files['small.txt']!)).toBe(true);
      expect(await finished('/big.bin', since)).toMatchObject({
        outcome: 'aborted',
        error: 'client silent while the server was full',
      });
      silent.close();
    });

    it('ignores malformed and foreign packets on the transfer port, and ends as aborted on a client ERROR', async () => {
      const server = await start({ timeoutMs: 5000 });
      const since = transfers.length;
      const c = await RawClient.open(HOST);
      await c.send(
        encodeRequest({ op: 'rrq', filename: 'big.bin', mode: 'octet', options: [['blksize', '1468']] }),
        server.port,
      );
      const oack = await c.next();
      const tid = oack!.from.port;
      const junk = [
        [],
        [0],
        [0, 4],
        [0, 4, 0],
        [0, 9, 0, 0],
        [0, 1, 0x41, 0],
        [0, 3, 0, 1, 1, 2],
        [0, 6, 0],
        Array.from({ length: 2000 }, () => 4),
      ];
      for (const bytes of junk) await c.send(Buffer.from(bytes), tid);
      await c.send(encodeAck(0), tid);
      expect((await c.next())?.packet).toMatchObject({ op: 'data', block: 1 });
      for (const bytes of junk) await c.send(Buffer.from(bytes), tid);
      await c.send(encodeAck(1), tid);
      expect((await c.next())?.packet).toMatchObject({ op: 'data', block: 2 });
      expect(await c.next(300)).toBe(null); // nothing was resent because of the junk
      await c.send(encodeError(0, 'user cancelled'), tid);
      c.close();
      expect(await finished('/big.bin', since)).toMatchObject({
        outcome: 'aborted',
        error: 'client aborted: user cancelled',
        bytes: 1468,
      });
      expect(logs.some((l) => l.level === 'info' && l.message === 'client aborted big.bin: user cancelled')).toBe(true);
    });

    it('stop() ends a running transfer at once: nothing more is sent', async () => {
      const server = await start({ timeoutMs: 100 });
      const since = transfers.length;
      const c = await RawClient.open(HOST);
      await c.send(encodeRequest({ op: 'rrq', filename: 'big.bin', mode: 'octet' }), server.port);
      expect((await c.next())?.packet).toMatchObject({ op: 'data', block: 1 });
      await server.stop();
      expect(await finished('/big.bin', since)).toMatchObject({ outcome: 'aborted', error: 'server stopped' });
      while (await c.next(50)); // a retransmission may have crossed stop()
      expect(await c.next(700)).toBe(null); // 100 ms timeout: several resends would have come by now
      c.close();
    });

    it('a busy port gives a specific error naming the port and the likely holder', async () => {
      const first = await start();
      const second = new TftpServer({ vfs: tree, address: HOST, port: first.port, tracker, log: () => undefined });
      const err = (await second.start().catch((e: unknown) => e)) as Error & { code: string; remedy: string };
      expect(err).toBeInstanceOf(PortBindError);
      expect(err.code).toBe('EADDRINUSE');
      expect(err.message).toContain(`TFTP port ${first.port}`);
      expect(err.remedy).toMatch(/tftpd-hpa/);
    });
  });
});
