/**
 * Typed face of dist/native/tftp.node (main/native/tftp/*.c): the TFTP data pump. One read transfer
 * whose bytes are in host files is served by its own thread with blocking recv/send(mmsg) on its own
 * UDP socket, after the JavaScript server parsed the request, opened the file and negotiated the
 * options. Lock-step TFTP costs ~30 µs of CPU per block in Node's datagram path and waits for the
 * event loop; the pump does two syscalls per block instead. It is kept for the Secure Boot chain,
 * where signed GRUB pulls kernel and initrd at blksize 1024 lock-step: seconds per PC on a 40 MiB
 * initrd (docs/benchmarks.md, "Simplicity pass").
 */
import { loadNative } from './load';

/** Slots of the Float64Array the pump thread keeps up to date (pump.h TP_STATE_*). */
export const PUMP_STATE = {
  /** Date.now() when the client last showed it is alive (a new ACK). */
  lastHeard: 0,
  /** Bytes the client acknowledged. */
  bytes: 1,
  /** PUMP_PHASE. */
  phase: 2,
  /** First unacknowledged absolute block. */
  base: 3,
  /** Highest absolute block sent in the current window. */
  sentUpTo: 4,
  /** Absolute number of the final (short, possibly empty) block. */
  lastBlock: 5,
  /** Local port of the transfer socket (the server's TID). */
  port: 6,
  length: 8,
} as const;

export const PUMP_PHASE = { oack: 1, data: 2, ended: 3 } as const;

/**
 * How a pumped transfer ended. `value`: the client's error code for options-declined/client-error,
 * the block waited for on timeout (0 = the OACK), the errno for socket-error.
 */
export type PumpEnd =
  | 'done'
  | 'options-declined'
  | 'client-error'
  | 'unreachable'
  | 'timeout'
  | 'read-error'
  | 'socket-error'
  | 'cancelled';

interface PumpJob {
  /** Serving address (IPv4): the transfer socket binds to it on a fresh port. */
  address: string;
  peerIp: string;
  peerPort: number;
  /** The file's bytes as runs of host files, in order, adding up to `size`. Each fd is dup()ed. */
  spans: ReadonlyArray<{ fd: number; position: number; length: number }>;
  size: number;
  blksize: number;
  /** 1..64 */
  windowsize: number;
  /** First retransmission timeout; doubles per retry up to max(timeoutMs, maxBackoffMs). */
  timeoutMs: number;
  retries: number;
  maxBackoffMs: number;
  /** Sent first (then ACK 0 is awaited); null: block 1 goes first. */
  oack: Buffer | null;
  /** PUMP_STATE.length slots, written by the pump thread. */
  state: Float64Array;
  /** Called once on the JavaScript thread when the transfer ended (also after cancel). */
  onEnd: (end: PumpEnd, value: number, message: string) => void;
}

/** Opaque: what start() returns, for cancel(). */
export type PumpHandle = { readonly __tftpPump: unique symbol };

export interface TftpPump {
  /** Throws (starting nothing) on bad input or when the socket, a dup or the thread fails. */
  start(job: PumpJob): PumpHandle;
  /** Ends the transfer promptly (within ~200 ms at worst); onEnd follows with 'cancelled'. */
  cancel(handle: PumpHandle): void;
}

/** The pump, or null when native helpers are off/unavailable (serve in JavaScript then). */
export function loadTftpPump(): TftpPump | null {
  return loadNative<TftpPump>('tftp');
}
