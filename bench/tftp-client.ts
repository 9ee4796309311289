/**
 * A TFTP read client (RFC 1350 + blksize 2348 + windowsize 7440) used the same way against every
 * server. Run as its own process, usually inside a namespace:
 *
 *   node tftp-client.js <host> <port> <file> <blksize> <windowsize>
 *
 * Prints {"bytes":n,"ms":t,"blksize":b,"windowsize":w} with what the server actually agreed to
 * (a server without windowsize support answers without it, and the client runs lock-step).
 */
import * as dgram from 'node:dgram';
import { errorMessage } from '../main/errors';

const TIMEOUT_MS = 1000;
const MAX_TIMEOUTS = 10;

function rrq(file: string, blksize: number, windowsize: number): Buffer {
  const parts = [file, 'octet', 'blksize', String(blksize)];
  if (windowsize > 1) parts.push('windowsize', String(windowsize));
  return Buffer.concat([Buffer.from([0, 1]), ...parts.map((p) => Buffer.from(`${p}\0`, 'latin1'))]);
}

function ack(block: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(4, 0);
  b.writeUInt16BE(block & 0xffff, 2);
  return b;
}

function parseOack(msg: Buffer): Map<string, string> {
  const fields = msg.subarray(2).toString('latin1').split('\0');
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) out.set(fields[i]!.toLowerCase(), fields[i + 1]!);
  return out;
}

export function fetchTftp(
  host: string,
  port: number,
  file: string,
  blksize: number,
  windowsize: number,
  localAddress?: string,
): Promise<{ bytes: number; ms: number; blksize: number; windowsize: number }> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    let tid = 0;
    let bs = 512;
    let ws = 1;
    let expected = 1; // next absolute block wanted
    let inWindow = 0;
    let bytes = 0;
    let timeouts = 0;
    let timer: NodeJS.Timeout | null = null;
    const t0 = performance.now();
    const finish = (err: Error | null) => {
      if (timer) clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve({ bytes, ms: performance.now() - t0, blksize: bs, windowsize: ws });
    };
    const sendAck = (block: number) => sock.send(ack(block), tid || port, host);
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        if (++timeouts > MAX_TIMEOUTS)
          return finish(new Error(`TFTP ${file}: no data for ${MAX_TIMEOUTS} s at block ${expected}`));
        if (tid === 0) sock.send(rrq(file, blksize, windowsize), port, host);
        else sendAck(expected - 1);
        inWindow = 0;
        arm();
      }, TIMEOUT_MS);
    };
    sock.on('error', (err) => finish(err));
    sock.on('message', (msg, rinfo) => {
      if (tid === 0) tid = rinfo.port;
      else if (rinfo.port !== tid) return;
      const op = msg.readUInt16BE(0);
      timeouts = 0;
      if (op === 6) {
        const o = parseOack(msg);
        bs = Number(o.get('blksize') ?? 512);
        ws = Number(o.get('windowsize') ?? 1);
        sendAck(0);
        arm();
        return;
      }
      if (op === 5)
        return finish(
          new Error(
            `TFTP ${file}: error ${msg.readUInt16BE(2)} ${msg.subarray(4).toString('latin1').replace(/\0.*$/, '')}`,
          ),
        );
      if (op !== 3) return;
      const block = msg.readUInt16BE(2);
      if (block !== (expected & 0xffff)) {
        // Out of order: RFC 7440 says ACK the last good block so the server resends from there.
        if (inWindow > 0) sendAck(expected - 1);
        inWindow = 0;
        arm();
        return;
      }
      const len = msg.length - 4;
      bytes += len;
      expected++;
      inWindow++;
      if (len < bs) {
        // Close only once the final ACK has left: a send still queued when the socket closes is dropped,
        // and the server would then resend the last block until it gives up, like for a vanished PC.
        if (timer) clearTimeout(timer);
        sock.send(ack(expected - 1), tid || port, host, () => finish(null));
        return;
      }
      if (inWindow >= ws) {
        inWindow = 0;
        sendAck(expected - 1);
      }
      arm();
    });
    sock.bind({ port: 0, ...(localAddress ? { address: localAddress } : {}) }, () => {
      sock.send(rrq(file, blksize, windowsize), port, host);
      arm();
    });
  });
}

if (require.main === module) {
  const [host, port, file, blksize, windowsize] = process.argv.slice(2);
  fetchTftp(host!, Number(port), file!, Number(blksize), Number(windowsize)).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${errorMessage(err)}\n`);
      process.exit(1);
    },
  );
}
