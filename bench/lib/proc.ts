/**
 * Process plumbing for the bench: spawn a server and wait until it is ready, run a command to
 * completion with a hard timeout, sample a process's resident memory, stop what we started.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';

export interface RunResult {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run a command to the end; any failure (exit code, timeout) throws with its stderr. */
export function run(cmd: string, args: string[], timeoutMs = 600_000): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const ms = performance.now() - t0;
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve({ stdout, stderr, ms });
      },
    );
  });
}

/** A long-running server we started; stop() ends exactly this process. */
export class Server {
  private output = '';
  private exitCode: number | null | undefined = undefined;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.stdout?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
    proc.stderr?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
    proc.on('exit', (code) => (this.exitCode = code));
  }

  static start(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Server {
    return new Server(name, spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }));
  }

  get log(): string {
    return this.output;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Wait until the output matches `pattern` (e.g. the engine's ready line). */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (this.exitCode !== undefined)
        throw new Error(`${this.name} exited (${this.exitCode}) before it was ready:\n${this.output}`);
      if (Date.now() > until) throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output}`);
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait until a TCP port on loopback accepts connections. */
export async function waitForTcp(port: number, host = '127.0.0.1', timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A free TCP port on loopback (briefly bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in bytes (VmRSS), or null once it is gone. */
function rssOf(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Sample a process's RSS every `everyMs` until stopped; returns the peak seen. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let peak = rssOf(pid) ?? 0;
  const timer = setInterval(() => {
    const r = rssOf(pid);
    if (r !== null && r > peak) peak = r;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
