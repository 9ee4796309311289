/** Raw TFTP and HTTP clients for the hardening tests: send exactly the bytes given, keep every byte received. */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { encodeAck } from '../../../main/tftp/packet';

export interface TftpResult {
  data: Buffer;
  /** ERROR packet text ("code: message"), or 'timeout'; null when the file arrived. */
  error: string | null;
  /** Every byte received, DATA headers included (what a canary check must scan). */
  raw: Buffer;
}

/** One TFTP read of `request` (a raw RRQ datagram) with 512-byte blocks; bounded by `timeoutMs` of silence. */
export function tftpFetch(
  host: string,
  port: number,
  request: Buffer,
  timeoutMs = 2000,
  maxBytes = 8 << 20,
  from = '127.0.0.1',
): Promise<TftpResult> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const parts: Buffer[] = [];
    const raw: Buffer[] = [];
    let expected = 1;
    let size = 0;
    let timer: NodeJS.Timeout;
    const done = (error: string | null) => {
      clearTimeout(timer);
      sock.close();
      resolve({ data: Buffer.concat(parts), error, raw: Buffer.concat(raw) });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done('timeout'), timeoutMs);
    };
    sock.on('message', (msg, rinfo) => {
      raw.push(Buffer.from(msg));
      const op = msg.length >= 2 ? msg.readUInt16BE(0) : 0;
      if (op === 5) return done(`${msg.readUInt16BE(2)}: ${msg.toString('utf8', 4).replace(/\0.*$/, '')}`);
      if (op === 6) {
        sock.send(encodeAck(0), rinfo.port, rinfo.address);
        return arm();
      }
      if (op !== 3 || msg.length < 4) return;
      const block = msg.readUInt16BE(2);
      sock.send(encodeAck(block), rinfo.port, rinfo.address);
      if (block === (expected & 0xffff)) {
        parts.push(msg.subarray(4));
        size += msg.length - 4;
        expected++;
        if (msg.length - 4 < 512 || size > maxBytes) return done(null);
      }
      arm();
    });
    sock.bind(0, from, () => {
      sock.send(request, port, host);
      arm();
    });
  });
}

/** Send raw bytes to an HTTP server and collect the reply until it closes (or `timeoutMs`). */
function httpRaw(
  host: string,
  port: number,
  data: Buffer | string,
  timeoutMs = 3000,
): Promise<{ reply: Buffer; status: number | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = net.connect({ host, port });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      const reply = Buffer.concat(chunks);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(reply.toString('latin1', 0, 20));
      resolve({ reply, status: m ? Number(m[1]) : null });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('connect', () => sock.write(data));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', finish);
    sock.on('close', finish);
  });
}

/** A GET with Connection: close for a raw request target (no normalisation, unlike curl). */
export function httpGet(host: string, port: number, target: string): Promise<{ reply: Buffer; status: number | null }> {
  return httpRaw(
    host,
    port,
    Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 'latin1'),
  );
}
