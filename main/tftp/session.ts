import * as dgram from 'node:dgram';
import type { TransferHandle, TransferTracker } from '../transfer';
import type { Vfs, VfsFile } from '../vfs';
import { NativeTransfer } from './native-transfer';
import { negotiate, type Negotiated } from './options';
import { dataHeader, encodeError, encodeOack, parsePacket, TftpErrorCode, type RequestPacket } from './packet';
import { refusalFor } from './refusal';
import { errorMessage } from '../errors';
import type { ScopedLog } from '../log';
import type { LogLevel } from '../contract';

export interface SessionConfig {
  vfs: Vfs;
  address: string;
  tracker: TransferTracker;
  log: ScopedLog;
  mtu: number | undefined;
  timeoutMs: number;
  retries: number;
  /** Serve host-file transfers with the native data pump when it is available (default true). */
  native?: boolean;
  /** Where refusals and misses are logged (summarised per client by the server); default `log`. */
  logRefusal?: (refusal: { level: LogLevel; message: string; result: string }, ip: string) => void;
  onFile?: (e: {
    clientIp: string;
    path: string;
    file: string | null;
    result: 'ok' | 'not-found' | 'refused' | 'error';
  }) => void;
}

export interface Peer {
  ip: string;
  port: number;
}

/** Read-ahead target; the buffer also always holds two full windows. */
const READ_AHEAD = 512 * 1024;
/**
 * Backoff doubles per retry up to 8 s: 8 retries give up after ~55 s at a 1 s base. The later waits
 * must outlast client timeouts (atftp: 5 s), because some clients re-ACK only when the line has been
 * quiet that long — atftp sends one "extra ACK" per window and then ignores our repeats — and under
 * loss that one re-ACK can be lost too: five quiet 8 s gaps give it five chances, not two.
 */
const MAX_BACKOFF_MS = 8000;

/** 'native': the transfer runs in the native data pump (NativeTransfer), not in this engine. */
type Phase = 'opening' | 'oack' | 'data' | 'native' | 'ended';

/**
 * One read transfer, on its own ephemeral socket (its TID) bound to the serving address and connected
 * to the client, so the kernel drops packets from anyone else.
 *
 * Sending: a window of DATA blocks (1 unless windowsize was negotiated) goes out as subarrays of a
 * read-ahead buffer behind immutable shared headers; nothing is allocated per block except the view.
 * Retransmission happens ONLY on timeout — an old or duplicate ACK is ignored, which is what prevents
 * the Sorcerer's Apprentice bug (RFC 1123 4.2.3.1). An ACK in the middle of the window (RFC 7440 loss
 * signal) starts the next window right after the acknowledged block.
 *
 * A file whose bytes are in host files (an ISO extent, a folder file) is normally served by the
 * native data pump instead (NativeTransfer: same protocol on a C thread with blocking I/O, because
 * Node's per-datagram cost dominates lock-step TFTP); this engine serves the rest, and everything
 * when the pump is unavailable or turned off.
 */
export class ReadSession {
  phase: Phase = 'opening';
  private heard = Date.now();
  private native: NativeTransfer | null = null;
  private socket: dgram.Socket | null = null;
  private file: VfsFile | null = null;
  private handle: TransferHandle | null = null;
  private opts!: Negotiated;
  private size = 0;
  private lastBlock = 0; // absolute number of the final (short, possibly empty) block
  private base = 1; // first unacknowledged absolute block
  private sentUpTo = 0; // highest absolute block sent in the current window
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  private bufLen = 0;
  private oack: Buffer | null = null;
  private retries = 0;
  private goBackArmed = true;
  private timer: NodeJS.Timeout | null = null;
  private timerMs = 0;
  private refilling = false;

  constructor(
    readonly peer: Peer,
    readonly request: RequestPacket,
    private readonly cfg: SessionConfig,
    private readonly onEnd: (s: ReadSession) => void,
  ) {}

  get key(): string {
    return `${this.peer.ip}:${this.peer.port}`;
  }

  /** When the client last showed it is alive (its request, then each new ACK): who to drop when full. */
  get lastHeard(): number {
    return this.native?.lastHeard ?? this.heard;
  }

  /** True once the final block went out: a new request from the same port means the client has it. */
  get allSent(): boolean {
    if (this.phase === 'native') return this.native!.allSent;
    return this.phase === 'data' && this.sentUpTo === this.lastBlock;
  }

  /** True while nothing beyond the OACK / first window was acknowledged (a repeated RRQ is a duplicate). */
  get unanswered(): boolean {
    if (this.phase === 'native') return this.native!.unanswered;
    return this.phase === 'opening' || this.phase === 'oack' || (this.phase === 'data' && this.base === 1);
  }

  /** True when the native data pump serves this transfer. */
  get pumped(): boolean {
    return this.native !== null;
  }

  /** A getter, so checks after an await are not narrowed away by the compiler. */
  get ended(): boolean {
    return this.phase === 'ended';
  }

  async start(): Promise<void> {
    const { ip } = this.peer;
    const name = this.request.filename;
    // The file first: if the native pump serves it, it makes its own socket (the TID), and Node's
    // would be one bind and close for nothing.
    let file: VfsFile | null = null;
    let refusal: unknown = null;
    try {
      file = await this.cfg.vfs.open(name);
    } catch (err) {
      refusal = err;
    }
    if (this.ended) {
      void file?.close().catch(() => undefined);
      return;
    }
    this.file = file;
    if (file) {
      this.size = file.size;
      this.opts = negotiate(this.request.options, { mtu: this.cfg.mtu, fileSize: this.size });
      if (this.opts.oack.length > 0) this.oack = encodeOack(this.opts.oack);
      if (this.cfg.native !== false && this.startNative(file)) return;
    }
    try {
      const socket = await this.openSocket();
      if (this.ended) {
        socket.close(); // stopped while binding
        return;
      }
      this.socket = socket;
    } catch (err) {
      this.cfg.log('error', `cannot open a transfer socket on ${this.cfg.address}: ${errorMessage(err)}`, ip);
      this.end(null);
      return;
    }
    if (!file) {
      this.refuse(refusal, name);
      return;
    }
    this.begin(file);
    const { blksize, windowsize } = this.opts;
    this.lastBlock = Math.floor(this.size / blksize) + 1;
    const target = Math.ceil(Math.max(READ_AHEAD, 2 * windowsize * blksize) / blksize) * blksize;
    this.buf = Buffer.allocUnsafe(Math.max(1, Math.min(target, this.size)));
    if (this.oack) {
      this.phase = 'oack';
      this.sendControl(this.oack);
      this.arm();
    } else {
      this.phase = 'data';
      this.sendWindow();
    }
  }

  /** Report the transfer (onFile, tracker, log) once it is certain to be served. */
  private begin(file: VfsFile): void {
    const ip = this.peer.ip;
    const name = this.request.filename;
    this.cfg.onFile?.({ clientIp: ip, path: name, file: file.path, result: 'ok' });
    this.handle = this.cfg.tracker.begin({ protocol: 'tftp', clientIp: ip, file: file.path, total: this.size });
    const detail = this.opts.oack.length ? ` (${this.opts.oack.map(([k, v]) => `${k}=${v}`).join(' ')})` : '';
    this.cfg.log('info', `sending ${file.path}, ${this.size} bytes${detail}`, ip);
    if (this.opts.ignored.length) this.cfg.log('debug', `options ignored: ${this.opts.ignored.join('; ')}`, ip);
    if (this.request.mode === 'netascii')
      this.cfg.log('debug', `netascii requested for ${name}: sent as octet (boot files are binary)`, ip);
  }

  /** Hand the transfer to the native data pump; false when it cannot take it (JavaScript serves it). */
  private startNative(file: VfsFile): boolean {
    const native = NativeTransfer.start({
      address: this.cfg.address,
      peer: this.peer,
      filename: this.request.filename,
      file,
      opts: this.opts,
      oack: this.oack,
      timeoutMs: this.baseTimeout(),
      retries: this.cfg.retries,
      maxBackoffMs: MAX_BACKOFF_MS,
      log: this.cfg.log,
      onProgress: (bytes) => this.handle?.set(bytes),
      onEnd: (result) => this.end(result),
    });
    if (!native) return false;
    this.native = native;
    this.phase = 'native';
    this.begin(file);
    this.cfg.log('debug', `native data pump serves ${this.request.filename} from port ${native.port}`, this.peer.ip);
    return true;
  }

  private openSocket(): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket({ type: 'udp4' });
      s.once('error', reject);
      s.bind({ address: this.cfg.address, port: 0 }, () => {
        s.connect(this.peer.port, this.peer.ip, () => {
          s.off('error', reject);
          s.on('error', (err) => this.onSocketError(err));
          s.on('message', (msg) => this.onMessage(msg));
          resolve(s);
        });
      });
    });
  }

  private refuse(err: unknown, name: string): void {
    const r = refusalFor(err, name);
    if (this.cfg.logRefusal) this.cfg.logRefusal({ level: r.level, message: r.log, result: r.result }, this.peer.ip);
    else this.cfg.log(r.level, r.log, this.peer.ip);
    this.cfg.onFile?.({ clientIp: this.peer.ip, path: name, file: null, result: r.result });
    this.sendControl(encodeError(r.code, r.text));
    this.end(null);
  }

  private onMessage(msg: Buffer): void {
    if (this.phase === 'ended') return;
    const parsed = parsePacket(msg);
    if (!parsed.ok) {
      this.cfg.log('debug', `ignored malformed packet: ${parsed.reason}`, this.peer.ip);
      return;
    }
    const p = parsed.packet;
    if (p.op === 'ack') this.onAck(p.block);
    else if (p.op === 'error') {
      if (this.phase === 'oack') {
        // OVMF's tsize probe: it reads the size from the OACK and ends with ERROR 8. Not a failure.
        this.cfg.log('debug', `client ended option negotiation (${p.code}: ${p.message})`, this.peer.ip);
        this.end({ outcome: 'aborted', reason: `client ended after the option reply (${p.message || p.code})` });
      } else {
        this.cfg.log(
          'info',
          `client aborted ${this.request.filename}: ${p.message || `error ${p.code}`}`,
          this.peer.ip,
        );
        this.end({ outcome: 'aborted', reason: `client aborted: ${p.message || `error ${p.code}`}` });
      }
    }
    // Anything else on a read transfer's TID is noise; the kernel already filtered other peers.
  }

  private onAck(block: number): void {
    if (this.phase === 'oack') {
      if (block !== 0) return;
      this.heard = Date.now();
      this.phase = 'data';
      this.retries = 0;
      this.sendWindow();
      return;
    }
    if (this.phase !== 'data') return;
    // Map the 16-bit number onto the absolute block in [base - 1, sentUpTo] (block numbers roll over).
    const a = this.sentUpTo - (((((this.sentUpTo & 0xffff) - block) % 65536) + 65536) % 65536);
    if (a < this.base) return; // duplicate or stale: never resend on it (Sorcerer's Apprentice)
    this.heard = Date.now();
    this.base = a + 1;
    this.retries = 0;
    this.handle?.set(Math.min(a * this.opts.blksize, this.size));
    if (a === this.lastBlock) {
      this.end({ outcome: 'done' });
      return;
    }
    if (a === this.sentUpTo) {
      this.goBackArmed = true;
      this.sendWindow();
    } else if (this.goBackArmed) {
      // RFC 7440: an ACK inside the window says block a+1 was lost; resend from there, once. Further
      // mid-window ACKs are usually echoes of the resent blocks that were still in flight (atftp ACKs
      // every duplicate); resending on each of those would snowball, so they only move the base and
      // the timeout covers a second loss.
      this.goBackArmed = false;
      this.sendWindow();
    }
  }

  /**
   * Send blocks base .. base+window-1. Synchronous while the read-ahead buffer covers the window (the
   * hot path: no promise, no allocation but the views); otherwise refill first, then come back.
   */
  private sendWindow(): void {
    if (this.phase !== 'data') return;
    if (this.refilling) return; // refillThenSend sends from the then-current base when done
    const first = this.base;
    const last = Math.min(first + this.opts.windowsize - 1, this.lastBlock);
    if (!this.covers(first, last)) {
      void this.refillThenSend(first);
      return;
    }
    const bs = this.opts.blksize;
    const socket = this.socket!;
    for (let k = first; k <= last; k++) {
      const off = (k - 1) * bs - this.bufStart;
      const len = Math.min(bs, this.size - (k - 1) * bs);
      // No callback: a failed send surfaces as the socket's 'error' event (onSocketError).
      socket.send([dataHeader(k), this.buf.subarray(off, off + len)]);
    }
    this.sentUpTo = last;
    this.arm();
  }

  private async refillThenSend(first: number): Promise<void> {
    this.refilling = true;
    try {
      await this.refill(first);
    } catch (err) {
      if (this.ended) return; // stopped while reading: the file was closed under us
      this.cfg.log('error', `read failed for ${this.request.filename}: ${errorMessage(err)}`, this.peer.ip);
      this.sendControl(encodeError(TftpErrorCode.NotDefined, 'Read error on the server'));
      this.end({ outcome: 'failed', reason: `read error: ${errorMessage(err)}` });
      return;
    } finally {
      this.refilling = false;
    }
    this.sendWindow();
  }

  private covers(first: number, last: number): boolean {
    const bs = this.opts.blksize;
    const from = (first - 1) * bs;
    const to = Math.min(last * bs, this.size);
    return from >= this.bufStart && to <= this.bufStart + this.bufLen;
  }

  private async refill(first: number): Promise<void> {
    // Blocks still queued for sending point into the buffer: let them go out before overwriting it.
    // (Normally none are: the client has ACKed what we sent before we need the next part of the file.)
    for (let i = 0; i < 1000 && !this.ended && this.socket!.getSendQueueCount() > 0; i++)
      await new Promise((r) => setImmediate(r));
    if (this.ended) return;
    const start = (first - 1) * this.opts.blksize;
    const want = Math.min(this.buf.length, this.size - start);
    let got = 0;
    while (got < want) {
      const n = await this.file!.read(this.buf, got, want - got, start + got);
      if (n <= 0) throw new Error(`file ended at ${start + got} of ${this.size} bytes`);
      got += n;
    }
    this.bufStart = start;
    this.bufLen = got;
  }

  /**
   * The client's RFC 2349 timeout is an upper bound: curl asks for 6 s, but on a LAN resending sooner
   * after a loss costs nothing and keeps a lossy transfer moving.
   */
  private baseTimeout(): number {
    return Math.min(this.opts.timeoutMs ?? Infinity, this.cfg.timeoutMs);
  }

  private arm(): void {
    const base = this.baseTimeout();
    const wait = Math.min(base * 2 ** this.retries, Math.max(base, MAX_BACKOFF_MS));
    // Re-arming after every window is the common case: refresh() reuses the timer instead of a new one.
    if (this.timer && this.timerMs === wait) {
      this.timer.refresh();
      return;
    }
    this.clearTimer();
    this.timerMs = wait;
    this.timer = setTimeout(this.onTimeout, wait);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly onTimeout = (): void => {
    this.timer = null;
    if (this.phase === 'ended') return;
    if (++this.retries > this.cfg.retries) {
      const what = this.phase === 'oack' ? 'option acknowledgement' : `block ${this.base}`;
      this.cfg.log(
        'warn',
        `gave up on ${this.request.filename}: no ACK for ${what} after ${this.cfg.retries} retries`,
        this.peer.ip,
      );
      this.sendControl(encodeError(TftpErrorCode.NotDefined, 'Timeout'));
      this.end({ outcome: 'failed', reason: `timed out waiting for the client (${what})` });
      return;
    }
    if (this.phase === 'oack') {
      this.sendControl(this.oack!);
      this.arm();
    } else if (this.phase === 'data') {
      this.goBackArmed = true;
      this.sendWindow();
    }
  };

  private onSocketError(err: Error): void {
    if (this.phase === 'ended') return;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') {
      // ICMP port unreachable: the client closed its port. After the final block went out that means
      // it has the file and only its last ACK was lost (curl and tftp-hpa exit right after ACKing).
      if (this.allSent) this.end({ outcome: 'done' });
      else this.end({ outcome: 'aborted', reason: 'client went away (port unreachable)' });
      return;
    }
    this.cfg.log('error', `transfer socket error: ${err.message}`, this.peer.ip);
    this.end({ outcome: 'failed', reason: err.message });
  }

  private sendControl(packet: Buffer): void {
    this.socket?.send(packet, (err) => {
      if (err && this.phase !== 'ended') this.onSocketError(err);
    });
  }

  /** Stop the session; `result` null when no transfer was ever started (refused request). */
  end(result: { outcome: 'done' | 'failed' | 'aborted'; reason?: string } | null): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.clearTimer();
    this.native?.cancel();
    if (result) this.handle?.finish(result.outcome, result.reason);
    if (result?.outcome === 'done')
      this.cfg.log('info', `sent ${this.request.filename} (${this.size} bytes)`, this.peer.ip);
    const socket = this.socket;
    // Let a final ERROR packet leave before closing.
    if (socket) setImmediate(() => socket.close());
    void this.file?.close().catch(() => undefined);
    this.onEnd(this);
  }
}
