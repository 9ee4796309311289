import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { sendfileJobsRunning, startSendfile, type SendfileJob, type SendfileResult } from '../native';
import type { HostSpan } from '../vfs';
import { errorMessage } from '../errors';

/**
 * Native jobs at once in this process (a few pump threads serve them all; each job holds a dup of its
 * socket and source files). Beyond it bodies take the JavaScript path, as they do on other platforms.
 */
const NATIVE_JOBS_MAX = 256;
/** How often the kernel's progress is copied into the transfer tracker (which coalesces to 250 ms). */
const PROGRESS_MS = 200;

/** The socket's file descriptor, or -1. */
function socketFd(socket: Socket | null): number {
  // Node exposes no public accessor; TCPWrap has an `fd` getter on Unix (it is -1 on Windows and
  // after the socket closes), and that is exactly the descriptor libuv writes to.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- private Node handle, see above
  const fd = (socket as any)?._handle?.fd as unknown;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : -1;
}

/** What `sendfileBody` needs before it is worth writing the headers for it; null = use JavaScript. */
export interface SendfilePlan {
  socket: Socket;
  fd: number;
  spans: HostSpan[];
}

export function planSendfile(res: ServerResponse, spans: HostSpan[] | null): SendfilePlan | null {
  if (!spans || spans.length === 0 || sendfileJobsRunning() >= NATIVE_JOBS_MAX) return null;
  // A pipelined response waiting for its turn has no socket yet; its headers are buffered by Node.
  const socket = res.socket;
  if (!socket || socket !== res.req.socket || socket.destroyed) return null;
  const fd = socketFd(socket);
  return fd >= 0 ? { socket, fd, spans } : null;
}

export type SendfileBodyResult = SendfileResult | { outcome: 'not-started'; bytes: 0; error: string };

/**
 * Send the body natively once Node has handed the (already written) headers to the kernel: the
 * helper writes to the same socket behind Node's back, so nothing of Node's may still be queued.
 * 'not-started' means no body byte was sent and the caller should send it the JavaScript way.
 * Node's own socket timeout is off while the job runs (the socket looks idle to Node); the job
 * applies `idleMs` itself, to progress rather than to socket activity.
 */
export async function sendfileBody(
  plan: SendfilePlan,
  res: ServerResponse,
  idleMs: number,
  onBytes: (n: number) => void,
  register: (job: SendfileJob) => () => void,
): Promise<SendfileBodyResult> {
  const { socket } = plan;
  // Writes on a stream complete in order, so this callback runs after the headers left Node.
  const flushed = await new Promise<boolean>((resolve) => {
    const onClose = () => resolve(false);
    res.once('close', onClose);
    socket.write(Buffer.alloc(0), (err) => {
      res.off('close', onClose);
      resolve(!err);
    });
  });
  if (!flushed || res.destroyed || socket.destroyed)
    return { outcome: 'aborted', bytes: 0, error: 'the client closed the connection' };
  if (socket.writableLength !== 0 || socketFd(socket) !== plan.fd)
    return { outcome: 'not-started', bytes: 0, error: 'socket busy' };
  let job: SendfileJob;
  try {
    // idleMs 0 means no idle timeout for Node's sockets; the helper wants a bound, so a day it is.
    job = startSendfile(plan.fd, plan.spans, idleMs > 0 ? idleMs : 86_400_000);
  } catch (err) {
    return { outcome: 'not-started', bytes: 0, error: errorMessage(err) };
  }
  const unregister = register(job);
  socket.setTimeout(0);
  let reported = 0;
  const report = () => {
    const now = job.sent();
    if (now > reported) {
      onBytes(now - reported);
      reported = now;
    }
  };
  const timer = setInterval(report, PROGRESS_MS);
  const cancel = () => job.cancel();
  res.once('close', cancel);
  try {
    const result = await job.done;
    report();
    return result;
  } finally {
    clearInterval(timer);
    res.off('close', cancel);
    unregister();
    if (!socket.destroyed) socket.setTimeout(idleMs);
  }
}
