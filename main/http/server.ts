import * as http from 'node:http';
import type { Socket } from 'node:net';
import { sendfileAvailable, type SendfileJob } from '../native';
import { admit, explainBindError, SERVICES, type SlotLimits } from '../net';
import type { TransferHandle, TransferTracker } from '../transfer';
import { isVfsError, type Vfs, type VfsFile } from '../vfs';
import { ONE_SHOT_MAX, readWhole, writeFileRange } from './body';
import { bootFailedEntry } from './boot-report';
import { contentTypeFor } from './content-type';
import { parseRange } from './range';
import { decodeRequestPath } from './request-path';
import { planSendfile, sendfileBody, type SendfilePlan } from './sendfile-body';
import { errorMessage } from '../errors';
import { RefusalSummary, type ScopedLog } from '../log';

/** What the session learns per request: "client X fetched file Y" (or tried to). */
export interface HttpRequestEvent {
  clientIp: string;
  method: string;
  /** The decoded request path ('' when it could not be decoded). */
  path: string;
  /** Canonical path inside the Vfs when the file was found. */
  file: string | null;
  status: number;
}

export interface HttpServerOptions {
  vfs: Vfs;
  /** The serving interface's address: the only address listened on, so the ISO never leaks elsewhere. */
  address: string;
  /** Default 80. 0 picks a free port (tests). */
  port?: number;
  tracker: TransferTracker;
  log: ScopedLog;
  /** Default 256. */
  maxConnections?: number;
  /** Open connections per client address, so one host cannot take them all (slowloris). Default 32. */
  maxConnectionsPerClient?: number;
  /** Connections only recently answered PCs (see `reserved`) may use. Default 32 (an eighth of a smaller max). */
  reservedConnections?: number;
  /**
   * When full, a connection without progress for this long (headers not complete, idle keep-alive,
   * a response the client stopped reading) is closed to make room. Default 5000 ms.
   */
  staleMs?: number;
  /** True for an address the DHCP side answered lately (a PC booting from us): it may use the reserve. */
  reserved?: (ip: string) => boolean;
  /** Who an address is, for the per-source counts: its MAC when known (one host, several addresses). */
  sourceOf?: (ip: string) => string;
  /** Time allowed for a client to send the request headers. Default 20 s. */
  headersTimeoutMs?: number;
  /** An idle keep-alive connection or a stalled response is closed after this. Default 60 s. */
  idleTimeoutMs?: number;
  onRequest?: (e: HttpRequestEvent) => void;
  /**
   * Send large bodies with the native sendfile(2) helper when it is available (default true; it is
   * also off with BOOTDROP_NATIVE=0). False forces the JavaScript path (tests run both).
   */
  native?: boolean;
  /**
   * A response made for this one request rather than read from `vfs` (a PC's own menu, built from the
   * facts in its query string): return the body, or null to serve the path from `vfs` as usual.
   */
  generate?: (req: GenerateRequest) => Buffer | null;
}

/** What `generate` sees of a request: the clean path, the raw query string (no '?'), the client. */
interface GenerateRequest {
  path: string;
  query: string;
  clientIp: string;
}

/** The raw query of a request target ('' when none), as the client sent it: its own rules decode it. */
function queryOf(target: string): string {
  const q = target.indexOf('?');
  if (q < 0) return '';
  const end = target.indexOf('#', q);
  return target.slice(q + 1, end < 0 ? undefined : end);
}

/** A generated body as a VfsFile, so it takes the same path as any file (ranges, tracker, logs). */
function bufferFile(path: string, data: Buffer): VfsFile {
  return {
    path,
    size: data.length,
    async read(buffer, offset, length, position) {
      if (position >= data.length) return 0;
      return data.copy(buffer, offset, position, Math.min(data.length, position + length));
    },
    async close() {},
  };
}

/** One open connection, as the slot policy sees it. */
interface Connection {
  socket: Socket;
  ip: string;
  /** What the per-source counts go by (the MAC when known, else `ip`). */
  source: string;
  /** Connected, a request started or ended, or body bytes went out. */
  lastActive: number;
}

/** A body for the native path: bytes [start, end) of `file`, and how to name it in logs. */
interface NativeBody {
  file: VfsFile;
  start: number;
  end: number;
  what: string;
  ip: string;
}

/** stop() waits this long at most for native jobs to notice the cancel (they check every ~200 ms). */
const NATIVE_STOP_WAIT_MS = 2000;

const ALLOW = 'GET, HEAD';

function clientIpOf(req: http.IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '?';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * Read-only HTTP/1.1 file server over a Vfs: GET and HEAD, single byte ranges, keep-alive (iPXE
 * fetches script, kernel and initrd on one connection), HTTP/1.0 (lpxelinux). No directory listings.
 */
export class HttpServer {
  private server: http.Server | null = null;
  private boundPort = 0;
  private readonly conns = new Map<Socket, Connection>();
  /** Refusals (busy, bad paths, malformed requests): one line per client, then one summary per 10 s. */
  private readonly refusals: RefusalSummary;
  /** Not-found lines: PXELINUX tries a dozen config names, so a few more before summarising. */
  private readonly misses: RefusalSummary;
  /** Boot-failure reports from the menu: a PC may try a few entries; a flood of them is summarised. */
  private readonly reports: RefusalSummary;
  private readonly limits: SlotLimits;
  /** Native bodies being sent, so stop() can cancel them. */
  private readonly nativeJobs = new Set<SendfileJob>();
  private nativeFallbackLogged = false;

  constructor(private readonly opts: HttpServerOptions) {
    this.refusals = new RefusalSummary(opts.log, 'refused requests or connections from this client');
    this.misses = new RefusalSummary(opts.log, 'requests for missing files from this client', { burst: 20 });
    this.reports = new RefusalSummary(opts.log, 'boot failure reports from this client', { burst: 5 });
    this.limits = {
      max: opts.maxConnections ?? 256,
      perSource: opts.maxConnectionsPerClient ?? 32,
      reserve: opts.reservedConnections ?? Math.min(32, Math.floor((opts.maxConnections ?? 256) / 8)),
      staleMs: opts.staleMs ?? 5000,
    };
  }

  /** Open connections right now (all clients). */
  get connections(): number {
    return this.conns.size;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${this.opts.address}:${this.boundPort || (this.opts.port ?? 80)}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const port = this.opts.port ?? 80;
    const idle = this.opts.idleTimeoutMs ?? 60_000;
    const server = http.createServer({
      headersTimeout: this.opts.headersTimeoutMs ?? 20_000,
      requestTimeout: Math.max(this.opts.headersTimeoutMs ?? 20_000, 30_000),
      keepAliveTimeout: idle,
      // How often the header/request timeouts are enforced (Node's default of 30 s would let a
      // slowloris connection live 50 s against a 20 s headers timeout).
      connectionsCheckingInterval: 1000,
    });
    // No server.maxConnections: Node would drop the newcomer, where onConnection may instead close a
    // stale connection to make room (see ../net/slots.ts).
    server.timeout = idle;
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.touch(req.socket);
      res.once('close', () => this.touch(req.socket));
      this.handle(req, res).catch((err: unknown) => {
        this.opts.log('error', `HTTP handler failed: ${errorMessage(err)}`, clientIpOf(req));
        if (!res.headersSent) this.sendStatus(res, 500, 'Internal error');
        else res.destroy();
      });
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(explainBindError(err, port, this.opts.address, process.platform, SERVICES.http)),
      );
      server.listen({ host: this.opts.address, port, exclusive: true }, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', (err) => this.opts.log('error', `HTTP server error: ${err.message}`));
    this.server = server;
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : port;
    this.opts.log('info', `HTTP listening on ${this.url}`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    this.refusals.close();
    this.misses.close();
    this.reports.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const jobs = [...this.nativeJobs];
    for (const job of jobs) job.cancel();
    server.closeAllConnections();
    await closed;
    // The jobs hold dups of sockets and source files: let them close those before we report stopped.
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, NATIVE_STOP_WAIT_MS)));
    await Promise.race([Promise.all(jobs.map((j) => j.done)), cap]);
    clearTimeout(timer);
  }

  private get nativeEnabled(): boolean {
    return this.opts.native !== false && sendfileAvailable();
  }

  private onConnection(socket: Socket): void {
    const ip = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '?';
    const now = Date.now();
    const { max, perSource, reserve } = this.limits;
    // Ask about the reserve only near the limit: under no pressure the answer changes nothing.
    const reserved = this.conns.size >= max - reserve && this.opts.reserved?.(ip) === true;
    const source = this.opts.sourceOf?.(ip) ?? ip;
    const decision = admit(this.conns.values(), { source, reserved, ip }, now, this.limits);
    if (decision.kind === 'refuse') {
      const why =
        decision.why === 'per-source'
          ? `refused connections beyond ${perSource} open ones from this client`
          : `busy: refused a connection, all ${reserved ? max : max - reserve} slots are in use and none is idle`;
      this.refusals.note('warn', why, ip);
      socket.destroy();
      return;
    }
    if (decision.kind === 'evict') {
      const v = decision.victim;
      const idle = Math.round((now - v.lastActive) / 1000);
      this.refusals.note(
        'info',
        decision.why === 'stale'
          ? `closed a connection idle for ${idle} s to make room for ${ip}`
          : `closed this client's oldest connection (it holds the most) to make room for ${ip}`,
        v.ip,
      );
      this.conns.delete(v.socket);
      v.socket.destroy();
    }
    this.conns.set(socket, { socket, ip, source, lastActive: now });
    socket.once('close', () => this.conns.delete(socket));
  }

  /** Progress on a connection: it is not a stale holder. */
  private touch(socket: Socket): void {
    const c = this.conns.get(socket);
    if (c) c.lastActive = Date.now();
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    const ip = socket.remoteAddress?.replace(/^::ffff:/, '');
    // A response whose headers are out (its body perhaps being written by the native helper) must not
    // get a 400 in the middle of its body: garbage pipelined behind a good request ends the connection.
    // Node's own default clientError handler makes the same check.
    // _httpMessage: Node's private link from a socket to its current response.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const busy = (socket as any)._httpMessage?.headersSent === true;
    if (err.code === 'ECONNRESET' || !socket.writable || busy) {
      socket.destroy();
      return;
    }
    const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADER_OVERFLOW';
    const line = `malformed HTTP request refused (${err.code ?? err.message})`;
    if (timeout) this.opts.log('debug', line, ip);
    else this.refusals.note('warn', line, ip ?? '?');
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  private sendStatus(
    res: http.ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ): void {
    const body = `${text}\n`;
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const ip = clientIpOf(req);
    const method = req.method ?? '';
    const report = (path: string, file: string | null, status: number) =>
      this.opts.onRequest?.({ clientIp: ip, method, path, file, status });
    if (method !== 'GET' && method !== 'HEAD') {
      this.refusals.note('info', `${JSON.stringify(method.slice(0, 40))} refused (read-only server)`, ip);
      report('', null, 405);
      this.sendStatus(res, 405, 'Method not allowed', { Allow: ALLOW });
      return;
    }
    if (req.httpVersionMajor !== 1) {
      // llhttp lets an HTTP/0.9-style line ("GET /x" without a version) through; no boot client sends one.
      this.refusals.note('warn', `refused request without an HTTP/1.x version: ${JSON.stringify(req.url)}`, ip);
      report('', null, 400);
      res.shouldKeepAlive = false;
      this.sendStatus(res, 400, 'Bad request');
      return;
    }
    const decoded = decodeRequestPath(req.url ?? '');
    if (!decoded.ok) {
      this.refusals.note(
        decoded.traversal ? 'warn' : 'info',
        `refused ${JSON.stringify(req.url)}: ${decoded.reason}`,
        ip,
      );
      report('', null, 400);
      this.sendStatus(res, 400, 'Bad request');
      return;
    }
    const path = decoded.path;
    const failedEntry = bootFailedEntry(path);
    if (failedEntry !== null) {
      this.reports.note('warn', `boot entry ${failedEntry} could not start on this PC (its screen says why)`, ip);
      report(path, null, 200);
      this.sendStatus(res, 200, 'reported');
      return;
    }
    if (decoded.dir) {
      // No listings of anything, ever: a directory is simply not a file here.
      report(path, null, 404);
      this.sendStatus(res, 404, 'Not found');
      return;
    }
    const generated = this.opts.generate?.({ path, query: queryOf(req.url ?? ''), clientIp: ip }) ?? null;
    if (generated) {
      await this.respondWithFile(req, res, bufferFile(path, generated), report);
      return;
    }
    let file: VfsFile;
    try {
      file = await this.opts.vfs.open(path);
    } catch (err) {
      const status = this.openFailureStatus(err, path, ip);
      report(path, null, status);
      this.sendStatus(res, status, status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Read error');
      return;
    }
    try {
      await this.respondWithFile(req, res, file, report);
    } finally {
      await file.close().catch(() => undefined);
    }
  }

  private openFailureStatus(err: unknown, path: string, ip: string): number {
    if (isVfsError(err, 'ENOENT') || isVfsError(err, 'ENOTDIR') || isVfsError(err, 'EISDIR')) {
      this.misses.note('info', `not found: ${path}`, ip);
      return 404;
    }
    if (isVfsError(err, 'EOUTSIDE') || isVfsError(err, 'ELOOP')) {
      this.refusals.note('warn', `refused ${path}: ${errorMessage(err)}`, ip);
      return 404;
    }
    if (isVfsError(err, 'EINVAL')) {
      this.refusals.note('warn', `refused ${path}: ${errorMessage(err)}`, ip);
      return 400;
    }
    this.opts.log('error', `cannot read ${path}: ${errorMessage(err)}`, ip);
    return 500;
  }

  private async respondWithFile(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    file: VfsFile,
    report: (path: string, file: string | null, status: number) => void,
  ): Promise<void> {
    const ip = clientIpOf(req);
    const size = file.size;
    const range = parseRange(req.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      report(file.path, file.path, 416);
      this.sendStatus(res, 416, 'Range not satisfiable', {
        'Accept-Ranges': 'bytes',
        'Content-Range': `bytes */${size}`,
      });
      return;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end + 1 : size;
    const status = range.kind === 'partial' ? 206 : 200;
    const headers: http.OutgoingHttpHeaders = {
      'Accept-Ranges': 'bytes',
      'Content-Type': contentTypeFor(file.path),
      'Content-Length': end - start,
    };
    if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
    report(file.path, file.path, status);
    if (req.method === 'HEAD') {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const what = range.kind === 'partial' ? `${file.path} [${start}-${end - 1}]` : file.path;
    const handle = this.opts.tracker.begin({
      protocol: 'http',
      clientIp: ip,
      file: file.path,
      total: end - start,
      partial: end - start < size,
    });
    if (end - start <= ONE_SHOT_MAX) {
      // Small bodies (sanboot's 64 KiB ranges, scripts): one read, then headers and body in one write.
      let body: Buffer;
      try {
        body = await readWhole(file, start, end);
      } catch (err) {
        this.opts.log('error', `read failed while sending ${what}: ${errorMessage(err)}`, ip);
        handle.finish('failed', errorMessage(err));
        this.sendStatus(res, 500, 'Read error');
        return;
      }
      if (res.destroyed) {
        handle.finish('aborted', 'client closed the connection');
        return;
      }
      res.writeHead(status, headers);
      res.end(body);
      handle.add(body.length);
      handle.finish('done');
      // A range is one of thousands (sanboot reads a disk image 64 KiB at a time): the transfer
      // tracker already reports it, a log line each would flood the log.
      if (range.kind !== 'partial') this.opts.log('info', `sent ${what} (${end - start} bytes)`, ip);
      return;
    }
    const plan = this.nativeEnabled ? planSendfile(res, file.hostSpans?.(start, end) ?? null) : null;
    res.writeHead(status, headers);
    if (plan && (await this.sendNative(plan, res, handle, { file, start, end, what, ip }))) return;
    let outcome;
    try {
      outcome = await writeFileRange(file, start, end, res, (n) => {
        handle.add(n);
        this.touch(req.socket);
      });
    } catch (err) {
      this.opts.log('error', `read failed while sending ${what}: ${errorMessage(err)}`, ip);
      handle.finish('failed', errorMessage(err));
      res.destroy();
      return;
    }
    if (outcome === 'aborted') {
      this.opts.log('info', `client closed the connection during ${what}`, ip);
      handle.finish('aborted', 'client closed the connection');
      return;
    }
    res.end();
    handle.finish('done');
    this.opts.log('info', `sent ${what} (${end - start} bytes)`, ip);
  }

  /**
   * The body by sendfile(2) (headers already set): true when the response is finished, false when
   * the native job could not start — nothing of the body was sent, the caller sends it in JavaScript.
   */
  private async sendNative(
    plan: SendfilePlan,
    res: http.ServerResponse,
    handle: TransferHandle,
    body: NativeBody,
  ): Promise<boolean> {
    const { what, ip } = body;
    res.flushHeaders();
    const register = (job: SendfileJob) => {
      this.nativeJobs.add(job);
      return () => this.nativeJobs.delete(job);
    };
    const r = await sendfileBody(
      plan,
      res,
      this.opts.idleTimeoutMs ?? 60_000,
      (n) => {
        handle.add(n);
        this.touch(res.socket ?? res.req.socket);
      },
      register,
    );
    if (r.outcome === 'not-started') {
      if (!this.nativeFallbackLogged)
        this.opts.log('debug', `sendfile not used, sending in JavaScript: ${r.error}`, ip);
      this.nativeFallbackLogged = true;
      return false;
    }
    if (r.outcome === 'done') {
      // Headers carried Content-Length and the kernel took every byte: end without data keeps the
      // connection reusable (iPXE fetches script, kernel and initrd on one).
      res.end();
      handle.finish('done');
      this.opts.log('info', `sent ${what} (${body.end - body.start} bytes by sendfile)`, ip);
      return true;
    }
    res.destroy();
    if (r.outcome === 'aborted') {
      this.opts.log('info', `stopped sending ${what} after ${r.bytes} bytes: ${r.error}`, ip);
      handle.finish('aborted', r.error ?? 'client closed the connection');
      return true;
    }
    const readError = await this.readErrorAt(body, body.start + r.bytes);
    if (readError) this.opts.log('error', `read failed while sending ${what}: ${readError}`, ip);
    else this.opts.log('error', `sending ${what} failed after ${r.bytes} bytes: ${r.error}`, ip);
    handle.finish('failed', readError ?? r.error ?? 'sendfile failed');
    return true;
  }

  /**
   * Why the source could not be read at `pos`, in the Vfs's own words ("served.iso: the image ends
   * early at byte N — re-download it"), or null if it reads fine there. sendfile(2) only knows that the
   * host file ended; the Vfs knows which file that is and what the user can do about it.
   */
  private async readErrorAt(body: NativeBody, pos: number): Promise<string | null> {
    try {
      const n = await body.file.read(Buffer.alloc(1), 0, 1, pos);
      return n > 0 ? null : `${body.file.path} ended at byte ${pos}, expected ${body.end}`;
    } catch (err) {
      return errorMessage(err);
    }
  }
}
