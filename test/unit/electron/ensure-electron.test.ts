import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// scripts/ensure-electron.mjs runs before `npm start` / `npm run dev` (prestart/predev). It runs
// Electron's own installer for real; the download is pointed at a closed loopback port (ELECTRON_MIRROR,
// an empty cache) so it fails the way an offline machine's does.
const ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/ensure-electron.mjs');
const electronDir = join(ROOT, 'node_modules/electron');
const pathTxt = join(electronDir, 'path.txt');
const installed = existsSync(pathTxt) && existsSync(join(electronDir, 'dist', readFileSync(pathTxt, 'utf8').trim()));

function run(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const cache = mkdtempSync(join(tmpdir(), 'bootdrop-electron-cache-'));
  try {
    const r = spawnSync(process.execPath, [SCRIPT], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_EXEC_PATH: '', electron_config_cache: cache, ...env },
      timeout: 60_000,
    });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

describe('npm start / npm run dev: the Electron binary', () => {
  it('package.json runs the check before start and dev, never as a postinstall', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe('node scripts/ensure-electron.mjs');
    expect(pkg.scripts.predev).toBe('node scripts/ensure-electron.mjs');
    expect(pkg.scripts.postinstall).toBeUndefined();
    expect(pkg.scripts.prepare).toContain('npm run build:ui'); // `npx bootdrop serve --ui` after `npm ci`
  });

  it.skipIf(installed)('says in one line why it cannot start when the download fails', () => {
    const r = run({ ELECTRON_MIRROR: 'http://127.0.0.1:9/' });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2); // "Downloading …" and the verdict: no stack trace
    expect(lines[1]).toMatch(
      /^bootdrop: cannot start the desktop app — the Electron \d+\.\d+\.\d+ binary could not be downloaded \(.+\)\. Connect to the internet/,
    );
    expect(lines[1]).toContain('npx bootdrop serve --ui');
  });

  it('names a wrong ELECTRON_EXEC_PATH instead of downloading', () => {
    const r = run({ ELECTRON_EXEC_PATH: '/nonexistent/electron' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'bootdrop: cannot start the desktop app — ELECTRON_EXEC_PATH=/nonexistent/electron does not exist.',
    );
  });

  it('is quiet and succeeds when ELECTRON_EXEC_PATH points at a file', () => {
    const r = run({ ELECTRON_EXEC_PATH: process.execPath });
    expect(r).toEqual({ status: 0, stderr: '' });
  });
});
