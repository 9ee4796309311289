/**
 * TFTP option negotiation (RFC 2347 OACK; 2348 blksize; 2349 tsize + timeout; 7440 windowsize).
 * Pure: what the client asked for + what we allow → what the transfer uses and what the OACK says.
 *
 * What real firmware asks for (so these paths stay exercised):
 * - OVMF / EDK2: RRQ with `tsize 0` (+ blksize), reads the size from the OACK, then aborts with
 *   ERROR 8; then a second RRQ with `blksize 1468 windowsize 4`.
 * - iPXE: `blksize 1432` (and `tsize`).
 * - PXELINUX: `blksize 1408` (and `tsize`).
 */

const DEFAULT_BLKSIZE = 512;
export const MIN_BLKSIZE = 8;
export const MAX_BLKSIZE = 65464;
/** Largest window we agree to; more buys nothing on a LAN and needs a bigger read-ahead buffer. */
export const MAX_WINDOWSIZE = 64;
/**
 * A window arrives at the client as one burst. Past ~64 KiB it overflows a default Linux receive
 * buffer (208 KiB, counted with per-packet overhead): every window then loses its tail and stalls for
 * a timeout (seen with atftp `windowsize 16` + `blksize 8192` on loopback: 40 MiB took 100 s instead
 * of 0.4 s). So the window we grant shrinks with the block size.
 */
export const MAX_WINDOW_BYTES = 64 * 1024;
/** IPv4 header (20) + UDP header (8) + TFTP DATA header (4). */
const DATA_OVERHEAD = 32;

export interface NegotiationLimits {
  /** Interface MTU; caps blksize so DATA packets are never IP-fragmented. */
  mtu?: number;
  /** File size, for tsize. */
  fileSize: number;
}

export interface Negotiated {
  blksize: number;
  windowsize: number;
  /** Retransmission timeout the client asked for (RFC 2349), in ms; null = server default. */
  timeoutMs: number | null;
  /** Accepted options, in request order, exactly as the OACK states them. Empty → no OACK. */
  oack: Array<[string, string]>;
  /** Options we did not accept, with why (logged at debug level). */
  ignored: string[];
}

export function maxBlksizeFor(mtu: number | undefined): number {
  if (mtu === undefined) return MAX_BLKSIZE;
  return Math.max(MIN_BLKSIZE, Math.min(MAX_BLKSIZE, mtu - DATA_OVERHEAD));
}

/** A strictly decimal integer (no sign, no spaces, no exponent), or null. */
function decimal(value: string): number | null {
  if (!/^\d{1,10}$/.test(value)) return null;
  return Number(value);
}

export function negotiate(requested: ReadonlyMap<string, string>, limits: NegotiationLimits): Negotiated {
  const result: Negotiated = { blksize: DEFAULT_BLKSIZE, windowsize: 1, timeoutMs: null, oack: [], ignored: [] };
  const cap = maxBlksizeFor(limits.mtu);
  let windowsize = 1;
  let windowEntry: [string, string] | null = null;
  for (const [name, value] of requested) {
    const n = decimal(value);
    switch (name) {
      case 'blksize':
        if (n === null || n < MIN_BLKSIZE) {
          result.ignored.push(`blksize "${value}" is not a number >= ${MIN_BLKSIZE}`);
          break;
        }
        // RFC 2348: the server may answer with a smaller size; the client must then use it.
        result.blksize = Math.min(n, cap);
        result.oack.push(['blksize', String(result.blksize)]);
        break;
      case 'tsize':
        // On a read request the client sends 0 and we answer with the real size.
        if (n === null) {
          result.ignored.push(`tsize "${value}" is not a number`);
          break;
        }
        result.oack.push(['tsize', String(limits.fileSize)]);
        break;
      case 'timeout':
        if (n === null || n < 1 || n > 255) {
          result.ignored.push(`timeout "${value}" is not 1..255 seconds`);
          break;
        }
        result.timeoutMs = n * 1000;
        result.oack.push(['timeout', String(n)]);
        break;
      case 'windowsize':
        if (n === null || n < 1 || n > 65535) {
          result.ignored.push(`windowsize "${value}" is not 1..65535`);
          break;
        }
        windowsize = n;
        windowEntry = ['windowsize', ''];
        result.oack.push(windowEntry);
        break;
      default:
        // RFC 2347: unknown options are silently left out of the OACK.
        result.ignored.push(`unknown option "${name}"`);
    }
  }
  if (windowEntry) {
    // Granted after the loop: the cap depends on the blksize, which may come later in the request.
    result.windowsize = Math.max(
      1,
      Math.min(windowsize, MAX_WINDOWSIZE, Math.floor(MAX_WINDOW_BYTES / result.blksize)),
    );
    windowEntry[1] = String(result.windowsize);
  }
  return result;
}
