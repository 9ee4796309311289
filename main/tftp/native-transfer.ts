import type { HostSpan, VfsFile } from '../vfs';
import { loadTftpPump, PUMP_PHASE, PUMP_STATE, type PumpEnd, type PumpHandle, type TftpPump } from '../native';
import type { Negotiated } from './options';
import type { ScopedLog } from '../log';
import { errorMessage } from '../errors';

/** How often the pump's acknowledged byte count is copied into the transfer tracker (it coalesces). */
const PROGRESS_MS = 250;

export interface NativeTransferStart {
  address: string;
  peer: { ip: string; port: number };
  filename: string;
  file: VfsFile;
  opts: Negotiated;
  oack: Buffer | null;
  /** Base retransmission timeout (already capped by the client's timeout option). */
  timeoutMs: number;
  retries: number;
  maxBackoffMs: number;
  log: ScopedLog;
  /** Called once with the transfer's end, unless cancel() came first. */
  onEnd: (result: { outcome: 'done' | 'failed' | 'aborted'; reason?: string }) => void;
  onProgress: (bytes: number) => void;
}

/**
 * A read transfer served by the native data pump (main/native/tftp-pump.ts) instead of ReadSession's
 * JavaScript engine: same protocol, same outcomes and log lines. ReadSession holds it and answers the
 * server's questions (lastHeard, allSent, unanswered) from the state the pump thread publishes.
 */
export class NativeTransfer {
  /**
   * Written by the pump thread. Made from an ArrayBuffer on purpose: V8 may keep a small typed array's
   * bytes inside its (moving) heap; an ArrayBuffer's backing store is allocated outside and never moves.
   */
  private readonly state = new Float64Array(new ArrayBuffer(PUMP_STATE.length * Float64Array.BYTES_PER_ELEMENT));
  private handle: PumpHandle | null = null;
  private progress: NodeJS.Timeout | null = null;
  private over = false;

  private constructor(
    private readonly pump: TftpPump,
    private readonly s: NativeTransferStart,
  ) {
    this.state[PUMP_STATE.lastHeard] = Date.now();
    this.state[PUMP_STATE.phase] = s.oack ? PUMP_PHASE.oack : PUMP_PHASE.data;
    this.state[PUMP_STATE.base] = 1;
  }

  /**
   * Start the pump for this transfer, or return null (with the reason logged at debug level) when it
   * cannot serve it: helper off or missing, a generated file, a bind/dup/thread failure. The caller
   * then serves the transfer in JavaScript — the client is never dropped for it.
   */
  static start(s: NativeTransferStart): NativeTransfer | null {
    const pump = loadTftpPump();
    if (!pump) return null;
    let spans: HostSpan[] | null = null;
    try {
      spans = s.file.hostSpans?.(0, s.file.size) ?? null;
    } catch {
      spans = null;
    }
    if (!spans) return null;
    const t = new NativeTransfer(pump, s);
    try {
      t.handle = pump.start({
        address: s.address,
        peerIp: s.peer.ip,
        peerPort: s.peer.port,
        spans,
        size: s.file.size,
        blksize: s.opts.blksize,
        windowsize: s.opts.windowsize,
        timeoutMs: s.timeoutMs,
        retries: s.retries,
        maxBackoffMs: s.maxBackoffMs,
        oack: s.oack,
        state: t.state,
        onEnd: (end, value, message) => {
          try {
            t.ended(end, value, message);
          } catch (err) {
            // Called from the pump's completion callback: a throw here would be an uncaught exception.
            s.log('error', `TFTP transfer end handling failed: ${errorMessage(err)}`, s.peer.ip);
          }
        },
      });
    } catch (err) {
      s.log('debug', `native TFTP pump not used for ${s.filename}: ${errorMessage(err)}`, s.peer.ip);
      return null;
    }
    t.progress = setInterval(() => s.onProgress(t.state[PUMP_STATE.bytes]!), PROGRESS_MS);
    t.progress.unref();
    return t;
  }

  get lastHeard(): number {
    return this.state[PUMP_STATE.lastHeard]!;
  }

  /** True once the final block went out: a new request from the same port means the client has it. */
  get allSent(): boolean {
    return (
      this.state[PUMP_STATE.phase] === PUMP_PHASE.data &&
      this.state[PUMP_STATE.sentUpTo] === this.state[PUMP_STATE.lastBlock]
    );
  }

  /** True while nothing beyond the OACK / first window was acknowledged (a repeated RRQ is a duplicate). */
  get unanswered(): boolean {
    const phase = this.state[PUMP_STATE.phase];
    return phase === PUMP_PHASE.oack || (phase === PUMP_PHASE.data && this.state[PUMP_STATE.base] === 1);
  }

  get bytes(): number {
    return this.state[PUMP_STATE.bytes]!;
  }

  /** Local port of the transfer (the server's TID). */
  get port(): number {
    return this.state[PUMP_STATE.port]!;
  }

  /** Stop the pump; its end is then not reported. */
  cancel(): void {
    if (this.over) return;
    this.over = true;
    this.stopProgress();
    if (this.handle) this.pump.cancel(this.handle);
  }

  private stopProgress(): void {
    if (this.progress) clearInterval(this.progress);
    this.progress = null;
  }

  private ended(end: PumpEnd, value: number, message: string): void {
    this.stopProgress();
    if (this.over) return;
    this.over = true;
    const { log, filename, peer } = this.s;
    const ip = peer.ip;
    this.s.onProgress(this.bytes);
    // The same outcomes and log lines as ReadSession's JavaScript engine (session.ts).
    switch (end) {
      case 'done':
        this.s.onEnd({ outcome: 'done' });
        return;
      case 'options-declined': {
        // OVMF's tsize probe: it reads the size from the OACK and ends with ERROR 8. Not a failure.
        const what = message || String(value);
        log('debug', `client ended option negotiation (${value}: ${message})`, ip);
        this.s.onEnd({ outcome: 'aborted', reason: `client ended after the option reply (${what})` });
        return;
      }
      case 'client-error': {
        const what = message || `error ${value}`;
        log('info', `client aborted ${filename}: ${what}`, ip);
        this.s.onEnd({ outcome: 'aborted', reason: `client aborted: ${what}` });
        return;
      }
      case 'unreachable':
        this.s.onEnd({ outcome: 'aborted', reason: 'client went away (port unreachable)' });
        return;
      case 'timeout': {
        const what = value === 0 ? 'option acknowledgement' : `block ${value}`;
        log('warn', `gave up on ${filename}: no ACK for ${what} after ${this.s.retries} retries`, ip);
        this.s.onEnd({ outcome: 'failed', reason: `timed out waiting for the client (${what})` });
        return;
      }
      case 'read-error':
        log('error', `read failed for ${filename}: ${message}`, ip);
        this.s.onEnd({ outcome: 'failed', reason: `read error: ${message}` });
        return;
      case 'cancelled':
        this.s.onEnd({ outcome: 'aborted', reason: 'stopped' });
        return;
      default:
        log('error', `transfer socket error: ${message}`, ip);
        this.s.onEnd({ outcome: 'failed', reason: message });
    }
  }
}
