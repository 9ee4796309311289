/**
 * A bare TFTP client over UDP for what real tools cannot show: OVMF's probe, duplicate ACKs,
 * mid-window loss, timeouts, refusals. Talks to a server on loopback.
 */
import * as dgram from 'node:dgram';
import { encodeAck, encodeRequest, parsePacket, type TftpPacket } from '../../main/tftp/packet';

/** A bare UDP client: send packets, read the replies with a timeout. */
export class RawClient {
  private queue: Array<{ packet: TftpPacket; from: dgram.RemoteInfo; at: number }> = [];
  private waiter: (() => void) | null = null;
  private constructor(
    readonly socket: dgram.Socket,
    readonly host: string,
  ) {
    socket.on('message', (msg, from) => {
      const r = parsePacket(msg);
      if (!r.ok) throw new Error(`server sent a malformed packet: ${r.reason}`);
      this.queue.push({ packet: r.packet, from, at: Date.now() });
      this.waiter?.();
    });
  }
  /** A client on `local` (default 127.0.0.1) talking to the server at `host`. */
  static async open(host: string, local = '127.0.0.1'): Promise<RawClient> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, local, () => r()));
    return new RawClient(s, host);
  }
  /** Resolves once the packet left (closing the socket earlier would silently drop it). */
  send(buf: Buffer, port: number, address = this.host): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(buf, port, address, (err) => (err ? reject(err) : resolve())),
    );
  }
  async next(timeoutMs = 5000): Promise<{ packet: TftpPacket; from: dgram.RemoteInfo; at: number } | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.queue.shift()!;
  }
  close(): void {
    this.socket.close();
  }
}

export interface RawGet {
  data: Buffer;
  oack: Map<string, string> | null;
  dataPackets: number;
  from: Set<string>;
}

/**
 * Download with the raw client, as an RFC 7440 client does: ACK at the end of each window, and on a
 * gap ACK the last in-order block once. `dropOnce` simulates losing the first copy of those blocks;
 * `dupAcks` sends every ACK twice (the Sorcerer's Apprentice trigger).
 */
export async function rawGet(
  host: string,
  port: number,
  filename: string,
  opts: {
    options?: Array<[string, string]>;
    dropOnce?: number[];
    dupAcks?: boolean;
    /** How long to wait for each packet (default 5 s). */
    waitMs?: number;
    /** The client's own address (default 127.0.0.1): several loopback addresses act as several hosts. */
    local?: string;
  } = {},
): Promise<RawGet> {
  const c = await RawClient.open(host, opts.local);
  try {
    await c.send(encodeRequest({ op: 'rrq', filename, mode: 'octet', options: opts.options ?? [] }), port);
    const chunks: Buffer[] = [];
    const drop = new Set(opts.dropOnce ?? []);
    const from = new Set<string>();
    let blksize = 512;
    let window = 1;
    let oack: Map<string, string> | null = null;
    let expected = 1;
    let inWindow = 0;
    let gapSignalled = false;
    let dataPackets = 0;
    let tid = 0;
    const ack = async (n: number) => {
      await c.send(encodeAck(n), tid);
      if (opts.dupAcks) await c.send(encodeAck(n), tid);
    };
    for (let guard = 0; guard < 1_000_000; guard++) {
      const got = await c.next(opts.waitMs);
      if (!got) throw new Error(`timed out waiting for block ${expected}`);
      const { packet: p, from: rinfo } = got;
      from.add(rinfo.address);
      tid = rinfo.port;
      if (p.op === 'oack') {
        oack = p.options;
        blksize = Number(p.options.get('blksize') ?? 512);
        window = Number(p.options.get('windowsize') ?? 1);
        await ack(0);
        continue;
      }
      if (p.op === 'error') throw new Error(`server error ${p.code}: ${p.message}`);
      if (p.op !== 'data') throw new Error(`unexpected ${p.op}`);
      dataPackets++;
      if (p.block === (expected & 0xffff)) {
        if (drop.delete(expected)) continue;
        chunks.push(Buffer.from(p.payload));
        expected++;
        gapSignalled = false;
        if (p.payload.length < blksize) {
          await ack(expected - 1);
          return { data: Buffer.concat(chunks), oack, dataPackets, from };
        }
        if (++inWindow >= window) {
          inWindow = 0;
          await ack(expected - 1);
        }
      } else if (!gapSignalled && ((p.block - expected) & 0xffff) < 0x8000) {
        gapSignalled = true; // RFC 7440: a block beyond the expected one means loss; say where we are
        inWindow = 0;
        await ack(expected - 1);
      }
    }
    throw new Error('unreachable');
  } finally {
    c.close();
  }
}
