/**
 * Typed face of the sendfile(2) helper (main/native/sendfile/*.c → dist/native/sendfile.node): the
 * kernel copies runs of host files straight to a connected socket, driven by the helper's own pump
 * threads (epoll, one per CPU up to 4), so an HTTP body never passes through JavaScript buffers.
 * Linux only; `sendfileAvailable()` is false when the helper is not built or BOOTDROP_NATIVE=0, and
 * callers then use their JavaScript path.
 */
import { getSystemErrorName } from 'node:util';
import { loadNative } from './load';

export interface SendfileSpan {
  fd: number;
  position: number;
  length: number;
}

type SendfileOutcome = 'done' | 'aborted' | 'failed';

export interface SendfileResult {
  outcome: SendfileOutcome;
  /** Bytes the kernel accepted for the socket. */
  bytes: number;
  /** What happened, e.g. "the client stopped reading (ETIMEDOUT)"; null when done. */
  error: string | null;
}

/** One running body: progress to poll, a cancel that takes effect within ~200 ms, the end. */
export interface SendfileJob {
  /** Bytes sent so far (cheap: one shared-memory read). */
  sent(): number;
  cancel(): void;
  readonly done: Promise<SendfileResult>;
}

/** Opaque handle of a running job (a Node-API external). */
declare const jobHandle: unique symbol;
type JobHandle = { readonly [jobHandle]: true };

interface SendfileModule {
  start(
    socketFd: number,
    spans: number[],
    idleMs: number,
    done: (outcome: SendfileOutcome, reason: string, errno: number) => void,
  ): JobHandle;
  sent(job: JobHandle): number;
  cancel(job: JobHandle): void;
}

let running = 0;

/** True when the native helper is loaded (Linux, built, not turned off). */
export function sendfileAvailable(): boolean {
  return loadNative<SendfileModule>('sendfile') !== null;
}

/** Native jobs running in this process right now. */
export function sendfileJobsRunning(): number {
  return running;
}

function describe(reason: string, errno: number): string {
  if (!errno) return reason;
  let name: string;
  try {
    name = getSystemErrorName(-errno);
  } catch {
    name = `errno ${errno}`;
  }
  return `${reason} (${name})`;
}

/**
 * Start sending `spans` (in order) to the socket `socketFd`. The helper dup()s the socket and every
 * span fd before this returns, so the caller may close its own at any time. A client that accepts no
 * byte for `idleMs` (1 ms to 24 h) ends the job as 'aborted'. Throws when the job cannot start
 * (helper missing, bad fd or span, no thread): nothing has been sent then, and the caller can still
 * send the body another way.
 */
export function startSendfile(socketFd: number, spans: readonly SendfileSpan[], idleMs: number): SendfileJob {
  const mod = loadNative<SendfileModule>('sendfile');
  if (!mod) throw new Error('the sendfile helper is not available');
  const flat: number[] = [];
  for (const s of spans) flat.push(s.fd, s.position, s.length);
  let resolveDone!: (r: SendfileResult) => void;
  const done = new Promise<SendfileResult>((resolve) => (resolveDone = resolve));
  // The callback cannot run before start() returns (it is queued to this thread), so `job` is set.
  const job: JobHandle = mod.start(socketFd, flat, Math.round(idleMs), (outcome, reason, errno) => {
    running--;
    resolveDone({ outcome, bytes: mod.sent(job), error: outcome === 'done' ? null : describe(reason, errno) });
  });
  running++;
  return {
    sent: () => mod.sent(job),
    cancel: () => mod.cancel(job),
    done,
  };
}
