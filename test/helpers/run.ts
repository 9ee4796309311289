/** Run a peer tool (curl, wget, atftp, tftp-hpa, node …) to the end and report what it said; never rejects. */
import { execFile } from 'node:child_process';

export interface Ran {
  /** The exit code; -1 when the tool could not start, was killed, or ran past `timeoutMs`. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** The tool's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Bounded: a hung peer fails the test instead of stalling CI. 0: unbounded (the caller bounds it). */
  timeoutMs?: number;
  /** latin1 keeps raw bytes (HTTP headers, binary bodies on stdout) one char per byte. */
  encoding?: 'utf8' | 'latin1';
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Ran> {
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd,
        env: opts.env,
        timeout: opts.timeoutMs ?? 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        encoding: opts.encoding ?? 'utf8',
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Run a tool that must succeed (a fixture builder: mformat, xorriso …); else throw with its stderr. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<Ran> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${[cmd, ...args].join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r;
}
