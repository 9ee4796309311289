import * as dgram from 'node:dgram';
import { admit, explainBindError, SERVICES, type SlotLimits } from '../net';
import type { TransferTracker } from '../transfer';
import type { Vfs } from '../vfs';
import { encodeError, parsePacket, TftpErrorCode, type RequestPacket } from './packet';
import { ReadSession, type SessionConfig } from './session';
import { RefusalSummary, type ScopedLog } from '../log';

interface TftpFileEvent {
  clientIp: string;
  /** The name the client asked for, as sent. */
  path: string;
  /** Canonical path inside the Vfs when found. */
  file: string | null;
  result: 'ok' | 'not-found' | 'refused' | 'error';
}

export interface TftpServerOptions {
  vfs: Vfs;
  /** The serving interface's address; the listener and every transfer socket bind to it. */
  address: string;
  /** Default 69. 0 picks a free port (tests). */
  port?: number;
  tracker: TransferTracker;
  log: ScopedLog;
  /** Interface MTU: caps the negotiated blksize at mtu − 32 so DATA is never fragmented. */
  mtu?: number;
  /**
   * Concurrent transfers. When full, a new request takes the place of the transfer whose client has
   * been silent longest (at least `staleMs`), else of the stalest transfer of the client holding the
   * most; with neither it gets "server busy" (policy: ../net/slots.ts). Default 256.
   */
  maxSessions?: number;
  /** Concurrent transfers per client address, so one host cannot take every slot. Default 16. */
  maxPerClient?: number;
  /** Transfers only recently answered PCs (see `reserved`) may use. Default 32 (⅛ of a smaller maxSessions). */
  reservedSessions?: number;
  /** A transfer whose client sent nothing for this long may be dropped to make room. Default 2000 ms. */
  staleMs?: number;
  /** True for an address the DHCP side answered lately (a PC booting from us): it may use the reserve. */
  reserved?: (ip: string) => boolean;
  /** Who an address is, for the per-source counts: its MAC when known (one host, several addresses). */
  sourceOf?: (ip: string) => string;
  /** First retransmission timeout; doubles per retry. Default 1000 ms. */
  timeoutMs?: number;
  /** Retransmissions before a transfer fails. Default 8 (see session.ts: quiet gaps for atftp). */
  retries?: number;
  /**
   * Serve transfers of host-file bytes (ISO extents, folder files) with the native data pump
   * (main/native/tftp-pump.ts) when it is built and BOOTDROP_NATIVE is not 0. Default true; false
   * forces the JavaScript engine (tests run both).
   */
  native?: boolean;
  /** Told about every read request (for the session's "client X fetched Y"). */
  onRequest?: (e: TftpFileEvent) => void;
}

/**
 * Read-only TFTP server (RFC 1350 + options 2347/2348/2349/7440) streaming straight from a Vfs.
 * The listener only dispatches: each read request gets its own ReadSession with its own socket.
 */
export class TftpServer {
  private listener: dgram.Socket | null = null;
  private readonly sessions = new Map<string, ReadSession>();
  /** Who each transfer counts against (see `sourceOf`), fixed when it was admitted. */
  private readonly sourceOfSession = new WeakMap<ReadSession, string>();
  private readonly cfg: SessionConfig;
  private boundPort = 0;
  /** Refusals: one line per client, then one summary per 10 s: a request flood must not become a log flood. */
  private readonly refusals: RefusalSummary;
  /** Not-found lines: a PXE client tries several names, so a few more before summarising. */
  private readonly misses: RefusalSummary;
  private readonly limits: SlotLimits;

  constructor(private readonly opts: TftpServerOptions) {
    this.refusals = new RefusalSummary(opts.log, 'refused requests from this client');
    this.misses = new RefusalSummary(opts.log, 'requests for missing files from this client', { burst: 20 });
    this.limits = {
      max: opts.maxSessions ?? 256,
      perSource: opts.maxPerClient ?? 16,
      reserve: opts.reservedSessions ?? Math.min(32, Math.floor((opts.maxSessions ?? 256) / 8)),
      staleMs: opts.staleMs ?? 2000,
    };
    this.cfg = {
      vfs: opts.vfs,
      address: opts.address,
      tracker: opts.tracker,
      log: opts.log,
      mtu: opts.mtu,
      timeoutMs: opts.timeoutMs ?? 1000,
      retries: opts.retries ?? 8,
      native: opts.native ?? true,
      onFile: opts.onRequest,
      logRefusal: (r, ip) => (r.result === 'not-found' ? this.misses : this.refusals).note(r.level, r.message, ip),
    };
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    if (this.listener) return;
    const port = this.opts.port ?? 69;
    const socket = dgram.createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) =>
        reject(explainBindError(err, port, this.opts.address, process.platform, SERVICES.tftp)),
      );
      socket.bind({ address: this.opts.address, port, exclusive: true }, () => resolve());
    }).catch((err: unknown) => {
      socket.close();
      throw err;
    });
    socket.removeAllListeners('error');
    socket.on('error', (err) => this.opts.log('error', `TFTP listener error: ${err.message}`));
    socket.on('message', (msg, rinfo) => this.onRequest(msg, { ip: rinfo.address, port: rinfo.port }));
    this.listener = socket;
    this.boundPort = socket.address().port;
    this.opts.log('info', `TFTP listening on ${this.opts.address}:${this.boundPort}`);
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    for (const s of [...this.sessions.values()]) s.end({ outcome: 'aborted', reason: 'server stopped' });
    this.refusals.close();
    this.misses.close();
    this.sessions.clear();
    if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
    // Session sockets close on the next turn (after a last ERROR could leave); wait for that.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Log a refused request: one line per client, then one summary per 10 s. */
  private refusal(level: 'warn' | 'info', message: string, ip: string): void {
    this.refusals.note(level, message, ip);
  }

  private onRequest(msg: Buffer, peer: { ip: string; port: number }): void {
    const reply = (code: number, text: string) => {
      try {
        this.listener?.send(encodeError(code, text), peer.port, peer.ip);
      } catch {
        // The listener is closing (stop() raced a request): nothing to answer with.
      }
    };
    const parsed = parsePacket(msg);
    if (!parsed.ok) {
      this.refusal('warn', `malformed request: ${parsed.reason.slice(0, 200)}`, peer.ip);
      reply(TftpErrorCode.IllegalOperation, `Malformed request: ${parsed.reason}`);
      return;
    }
    const p = parsed.packet;
    if (p.op === 'wrq') {
      this.refusal(
        'warn',
        `refused write request for ${JSON.stringify(p.filename.slice(0, 200))} (Bootdrop serves read-only)`,
        peer.ip,
      );
      reply(TftpErrorCode.AccessViolation, 'Access violation: read-only server');
      return;
    }
    if (p.op !== 'rrq') {
      // DATA/ACK/ERROR on port 69 belong to no transfer (a late packet, or a confused client).
      this.opts.log('debug', `ignored ${p.op.toUpperCase()} on the request port`, peer.ip);
      return;
    }
    if (p.mode === 'mail') {
      reply(TftpErrorCode.IllegalOperation, 'Mail mode not supported');
      return;
    }
    const key = `${peer.ip}:${peer.port}`;
    const existing = this.sessions.get(key);
    if (existing) {
      // The same request again before anything was acknowledged: a retransmitted RRQ; our timer resends.
      if (existing.unanswered && sameRequest(existing.request, p)) return;
      // Same port, new request: the client moved on (it has the file if the last block went out).
      existing.end(
        existing.allSent ? { outcome: 'done' } : { outcome: 'aborted', reason: 'client sent a new request' },
      );
    }
    const source = this.makeRoom(peer.ip, p.filename);
    if (source === null) {
      reply(TftpErrorCode.NotDefined, 'Server busy, try again');
      return;
    }
    const session = new ReadSession(peer, p, this.cfg, (s) => {
      if (this.sessions.get(s.key) === s) this.sessions.delete(s.key);
    });
    this.sessions.set(key, session);
    this.sourceOfSession.set(session, source);
    void session.start();
  }

  /**
   * Whether a new transfer for `ip` may start — its source, or null for "busy" — ending another one
   * first if the slot policy says so (../net/slots.ts): a silent client's transfer (spoofed sources
   * never ACK), else the stalest of the client holding the most, so slow-ACKing floods from several
   * hosts cannot starve a booting PC.
   */
  private makeRoom(ip: string, filename: string): string | null {
    const { max, perSource, reserve } = this.limits;
    const now = Date.now();
    const name = JSON.stringify(filename.slice(0, 200));
    // Ask about the reserve only near the limit: under no pressure the answer changes nothing.
    const reserved = this.sessions.size >= max - reserve && this.opts.reserved?.(ip) === true;
    const source = this.opts.sourceOf?.(ip) ?? ip;
    const holders = [...this.sessions.values()].map((s) => ({
      session: s,
      source: this.sourceOfSession.get(s) ?? s.peer.ip,
      ip: s.peer.ip,
      lastActive: s.lastHeard,
    }));
    const decision = admit(holders, { source, reserved, ip }, now, this.limits);
    if (decision.kind === 'refuse') {
      const why =
        decision.why === 'per-source'
          ? `busy: this client already has ${perSource} transfers running, refused ${name}`
          : `busy: ${reserved ? max : max - reserve} transfers running and none silent, refused ${name}`;
      this.refusal('warn', why, ip);
      return null;
    }
    if (decision.kind === 'evict') {
      const victim = decision.victim.session;
      const dropped = JSON.stringify(victim.request.filename.slice(0, 200));
      this.refusal(
        'info',
        decision.why === 'stale'
          ? `dropped ${dropped}: the client has been silent and the server is full`
          : `dropped ${dropped}: the server is full and this client holds the most transfers`,
        victim.peer.ip,
      );
      const reason =
        decision.why === 'stale' ? 'client silent while the server was full' : 'server full, this client held the most';
      victim.end({ outcome: 'aborted', reason });
      this.sessions.delete(victim.key);
    }
    return source;
  }
}

function sameRequest(a: RequestPacket, b: RequestPacket): boolean {
  if (a.filename !== b.filename || a.mode !== b.mode || a.options.size !== b.options.size) return false;
  for (const [k, v] of a.options) if (b.options.get(k) !== v) return false;
  return true;
}
