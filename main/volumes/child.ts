/**
 * A short-lived Node child for work that can hang in the kernel: `df` on a stale network mount, a
 * readdir on a disk that stopped answering. The engine's event loop (DHCP, TFTP, HTTP) never waits on
 * it: the child runs with a time limit and is killed, with its own children, when it passes.
 */
import { spawn } from 'node:child_process';

export class ChildTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    /** What the child had printed before it was stopped. */
    readonly partial: string,
  ) {
    super(`${what} did not finish within ${(timeoutMs / 1000).toFixed(1)} s and was stopped`);
    this.name = 'ChildTimeoutError';
  }
}

export interface NodeChildOptions {
  /** Names the job in errors ("listing the mounted drives (df)"). */
  what: string;
  timeoutMs: number;
  args?: string[];
}

/**
 * Run `source` (CommonJS) in a new Node process and resolve with its stdout. In Electron
 * process.execPath is the app itself; ELECTRON_RUN_AS_NODE makes it a plain Node for the child.
 */
export function runNodeChild(source: string, o: NodeChildOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', source, ...(o.args ?? [])], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group on POSIX, so a timeout kills `df` too, not only the Node child.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    let out = '';
    let err = '';
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      kill(child.pid);
      // Not waiting for 'close': a grandchild stuck in the kernel may hold the pipes open for good.
      child.stdout.destroy();
      child.stderr.destroy();
      reject(new ChildTimeoutError(o.what, o.timeoutMs, out));
    }, o.timeoutMs);
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${o.what} could not start: ${e.message}`));
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${o.what} failed (exit ${code ?? 'by signal'}): ${err.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

function kill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') process.kill(pid, 'SIGKILL');
    else process.kill(-pid, 'SIGKILL'); // the whole group: node, sh, df
  } catch {
    /* already gone */
  }
}
