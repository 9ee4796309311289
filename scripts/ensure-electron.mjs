#!/usr/bin/env node
// prestart / predev: make sure the Electron binary is there before electron-vite looks for it.
// Electron 45 downloads its binary lazily (on the first `require('electron')`, writing
// node_modules/electron/path.txt); electron-vite only reads that file and dies with "Electron
// uninstall". So run Electron's own installer (node_modules/electron/install.js: same cache, same
// mirrors, same checksums) here, and when the download cannot happen say so in one line instead of
// a stack trace. Deliberately not a postinstall: an offline `npm ci` must still succeed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);

/** node_modules/electron, or null when the package itself is missing (npm ci not run). */
function electronDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The executable electron-vite will run, or null when it is not there yet. */
export function installedBinary(dir) {
  // electron-vite (and the e2e test) run ELECTRON_EXEC_PATH when it is set.
  const given = process.env.ELECTRON_EXEC_PATH;
  if (given) return existsSync(given) ? given : null;
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const exe = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

/** The first line of the installer's error output that says what went wrong (not a stack frame). */
export function failureReason(stderr) {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at '));
  return lines[0] ?? 'no error output';
}

function main() {
  const dir = electronDir();
  const prefix = 'bootdrop: cannot start the desktop app —';
  if (!dir) {
    console.error(`${prefix} the electron package is not installed; run "npm ci" first.`);
    return 1;
  }
  if (installedBinary(dir)) return 0;
  if (process.env.ELECTRON_EXEC_PATH) {
    console.error(`${prefix} ELECTRON_EXEC_PATH=${process.env.ELECTRON_EXEC_PATH} does not exist.`);
    return 1;
  }
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  console.error(`Downloading the Electron ${version} binary (once)…`);
  const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { encoding: 'utf8', stdio: 'pipe' });
  if (r.status === 0 && installedBinary(dir)) return 0;
  const why = r.error ? r.error.message : failureReason(`${r.stderr ?? ''}\n${r.stdout ?? ''}`);
  console.error(
    `${prefix} the Electron ${version} binary could not be downloaded (${why}). ` +
      'Connect to the internet and run it again (or set ELECTRON_MIRROR, or ELECTRON_EXEC_PATH to an ' +
      'Electron executable); meanwhile the same UI runs in a browser: npx bootdrop serve --ui',
  );
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main());
