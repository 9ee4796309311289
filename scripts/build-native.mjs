#!/usr/bin/env node
// Builds Bootdrop's optional native I/O helpers: every main/native/<name>/ folder with .c files
// becomes dist/native/<name>.node. They use only Node-API (ABI-stable), compiled straight with the
// system C compiler against the `node-api-headers` package — no node-gyp, no header download — so the
// same file loads in Node 20+ and in Electron on Linux. Elsewhere, or without a compiler, nothing is
// built and the engine uses its pure JavaScript paths (same behaviour, slower).
// Linked -z nodelete: helper threads may outlive a worker_thread's environment, so the library must
// never be unloaded (the addons also pin themselves at load time).
// One folder is a program, not an addon: main/native/bootdrop-ra/ becomes dist/native/bootdrop-ra, the
// router-advertisement helper that the .deb gives cap_net_raw (README: "IPv6 router advertisement"),
// built as a hardened position-independent executable.
// BOOTDROP_NATIVE_REQUIRED=1 (CI) turns "could not build" into an error.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const srcRoot = path.join(root, 'main', 'native');
const outDir = path.join(root, 'dist', 'native');
const required = process.env.BOOTDROP_NATIVE_REQUIRED === '1';
const PROGRAMS = new Set(['bootdrop-ra']);

function skip(why) {
  if (required) {
    console.error(`build-native: ${why} (BOOTDROP_NATIVE_REQUIRED=1)`);
    process.exit(1);
  }
  console.error(`build-native: skipped — ${why}; the engine will use its JavaScript I/O paths`);
  process.exit(0);
}

if (process.platform !== 'linux') skip(`native helpers are Linux-only (this is ${process.platform})`);
let include;
try {
  include = path.join(path.dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include');
} catch {
  skip('the node-api-headers package is not installed (npm ci installs it)');
}
const cc = process.env.CC || 'cc';
try {
  execFileSync(cc, ['--version'], { stdio: 'ignore' });
} catch {
  skip(`no C compiler (${cc}); install gcc (Debian: apt-get install gcc libc6-dev)`);
}

mkdirSync(outDir, { recursive: true });
for (const name of readdirSync(srcRoot)) {
  const dir = path.join(srcRoot, name);
  if (!statSync(dir).isDirectory()) continue;
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.c'))
    .map((f) => path.join(dir, f));
  if (sources.length === 0) continue;
  const program = PROGRAMS.has(name);
  const out = path.join(outDir, program ? name : `${name}.node`);
  const common = ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror'];
  const flags = program
    ? [...common, '-fPIE', '-pie', '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong', '-Wl,-z,relro,-z,now']
    : [
        ...common,
        '-fPIC',
        '-shared',
        '-pthread',
        '-fvisibility=hidden',
        '-DNAPI_VERSION=8',
        '-Wl,-z,nodelete',
        `-I${include}`,
      ];
  try {
    execFileSync(cc, [...flags, ...sources, '-o', out], { stdio: 'inherit' });
  } catch {
    if (required) process.exit(1);
    console.error(`build-native: ${name} failed to compile; the engine will use its JavaScript path for it`);
    continue;
  }
  console.error(`build-native: ${path.relative(root, out)}`);
}
if (!existsSync(outDir)) skip('nothing built');
