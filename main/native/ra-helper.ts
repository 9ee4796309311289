/**
 * Runs the bootdrop-ra program (main/native/bootdrop-ra/bootdrop-ra.c → dist/native/bootdrop-ra), which
 * sends Bootdrop's fixed router advertisement for an engine without CAP_NET_RAW: the .deb gives the
 * program that one capability, as ping has it. Its line protocol: "send" in; "ready",
 * "rs <address>" and "send-failed <reason>" out; stdin closed → it exits. It builds the packet itself
 * from the interface's MAC, so nothing here chooses bytes or addresses.
 */
import { spawn } from 'node:child_process';
import { errorMessage } from '../errors';
import { findNativeFile } from './load';

const RA_HELPER = 'bootdrop-ra';

export interface RaHelperEvents {
  /** The socket is open and the helper has dropped its capability. */
  ready(): void;
  /** A router solicitation arrived from `from`. */
  solicitation(from: string): void;
  /** The kernel refused one send (e.g. no link-local address yet); the helper carries on. */
  sendFailed(reason: string): void;
  /** The helper ended without being asked to: its own one-line reason, or how it ended. */
  exited(reason: string): void;
}

export interface RaHelper {
  readonly path: string;
  /** Ask for one advertisement (queued in the pipe until the helper is ready). */
  send(): void;
  /** Close its stdin: it exits; no more events. */
  close(): void;
}

/** The helper next to the native addons (dist/native, or the app's resources/native), or null. */
export function raHelperPath(): string | null {
  return findNativeFile(RA_HELPER);
}

// Anything longer is not the helper's protocol; a line of its own is under 80 characters.
const MAX_LINE = 512;

/** Starts the helper on `ifname`. Failing to start is reported through `exited`, like any other end. */
export function startRaHelper(path: string, ifname: string, events: RaHelperEvents): RaHelper {
  const child = spawn(path, [ifname], { stdio: ['pipe', 'pipe', 'pipe'] });
  let closed = false;
  let ended = false;
  let out = '';
  let err = '';
  const end = (reason: string) => {
    if (ended) return;
    ended = true;
    if (!closed) events.exited(reason);
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (closed) continue;
      if (line === 'ready') events.ready();
      else if (line.startsWith('rs ')) events.solicitation(line.slice(3));
      else if (line.startsWith('send-failed ')) events.sendFailed(line.slice(12));
    }
    if (out.length > MAX_LINE) {
      end(`${path} wrote something that is not its protocol`);
      child.kill();
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (err.length < MAX_LINE) err += chunk;
  });
  // A helper that died leaves a broken pipe; its exit says why, the write error adds nothing.
  child.stdin.on('error', () => undefined);
  child.on('error', (e) => end(`cannot run ${path}: ${errorMessage(e)}`));
  child.on('close', (code, signal) => {
    const said = err.split('\n')[0]?.trim();
    end(said || `${path} ended (${signal ?? `exit code ${code}`})`);
  });
  return {
    path,
    send: () => {
      if (!closed && !ended && child.stdin.writable) child.stdin.write('send\n');
    },
    close: () => {
      if (closed) return;
      closed = true;
      child.stdin.end();
      // It exits on EOF at once; should it not, it is not left behind.
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill(), 2000).unref();
    },
  };
}
