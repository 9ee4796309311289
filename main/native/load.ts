/**
 * Loads Bootdrop's optional native I/O helpers (dist/native/<name>.node, built by
 * scripts/build-native.mjs from main/native/<name>/*.c). Two only make bulk I/O cheaper — sendfile(2)
 * for HTTP bodies, a blocking-socket TFTP data pump — so their callers keep a JavaScript path and use
 * it when a helper is missing (other platforms, no compiler) or turned off. The third (ndp: a raw
 * ICMPv6 socket for the direct cable's router advertisement) has no JavaScript equivalent: without it
 * that advertisement is simply not sent, and the log says so. Next to them sits one program,
 * bootdrop-ra, which sends that advertisement for an engine without CAP_NET_RAW (`findNativeFile`).
 *
 * BOOTDROP_NATIVE=0 turns all helpers off (tests run both paths); BOOTDROP_NATIVE_DIR points at the
 * folder holding the .node files (the desktop app passes `process.resourcesPath/native`).
 */
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { errorMessage } from '../errors';

const cache = new Map<string, unknown>();
const failures = new Map<string, string>();

function candidates(file: string): string[] {
  const dirs: string[] = [];
  if (process.env.BOOTDROP_NATIVE_DIR) dirs.push(process.env.BOOTDROP_NATIVE_DIR);
  // dist/engine/native/load.js → dist/native; out/main/index.js (electron-vite bundle) → dist/native;
  // dist/bench/main/native/load.js (the benchmarks' build) → dist/native.
  dirs.push(
    nodePath.resolve(__dirname, '..', '..', 'native'),
    nodePath.resolve(__dirname, '..', '..', 'dist', 'native'),
    nodePath.resolve(__dirname, '..', '..', '..', 'native'),
  );
  return dirs.map((d) => nodePath.join(d, file));
}

/** True unless BOOTDROP_NATIVE=0. */
export function nativeAllowed(): boolean {
  return process.env.BOOTDROP_NATIVE !== '0';
}

/**
 * The helper's exports, or null when it is turned off, not built, or fails to load (the reason is
 * kept for `nativeStatus`). Loaded once per process.
 */
export function loadNative<T>(name: string): T | null {
  if (!nativeAllowed()) return null;
  if (cache.has(name)) return cache.get(name) as T | null;
  let mod: T | null = null;
  const file = candidates(`${name}.node`).find((f) => existsSync(f));
  if (!file) failures.set(name, `${name}.node not found (run npm run build:native)`);
  else {
    try {
      const m = { exports: {} as unknown };
      process.dlopen(m, file);
      mod = m.exports as T;
    } catch (err) {
      failures.set(name, `${file}: ${errorMessage(err)}`);
    }
  }
  cache.set(name, mod);
  return mod;
}

/**
 * Where a file built next to the addons is (dist/native, or the app's resources/native), e.g. the
 * bootdrop-ra program; null when none of the folders has it. Not affected by BOOTDROP_NATIVE=0.
 */
export function findNativeFile(file: string): string | null {
  return candidates(file).find((f) => existsSync(f)) ?? null;
}

/** Which helpers are in use, for logs and `bootdrop serve` start-up: name → 'native' or the reason not. */
export function nativeStatus(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    if (!nativeAllowed()) out[n] = 'off (BOOTDROP_NATIVE=0)';
    else out[n] = loadNative(n) ? 'native' : (failures.get(n) ?? 'unavailable');
  }
  return out;
}
