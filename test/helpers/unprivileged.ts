/**
 * Tests that check what an unprivileged user gets (EACCES on ports below 1024, with the remedy) drop
 * to `nobody`. Two things must not depend on the machine: where the checkout is (a clone in a folder
 * nobody may enter, like root's home or a root-only temp dir, would fail with "Cannot find module"),
 * and the host's net.ipv4.ip_unprivileged_port_start (README tells users to lower it, which would make
 * the bind succeed). So the compiled engine is copied to a world-readable temp folder, and the process
 * runs in a namespace of its own where the sysctl is set to the kernel default.
 */
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

/** Every folder from `/` down to `dir` lets others in (o+x), so `nobody` can reach files there. */
function othersCanEnter(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * A world-readable copy of dist/engine and dist/native (same relative layout, so the native loader
 * finds its helpers) plus the given repository files, under a fresh temp folder. Returns its root;
 * remove() deletes it.
 */
export function readableCopy(extraFiles: string[] = []): { root: string; engine: string; remove(): void } {
  const engine = join(ROOT, 'dist', 'engine');
  if (!existsSync(join(engine, 'index.js')) && !existsSync(join(engine, 'cli', 'index.js')))
    throw new Error(`${engine} is missing: build the engine with \`npm run build:engine\``);
  const base = othersCanEnter(tmpdir()) ? tmpdir() : '/tmp';
  if (!othersCanEnter(base)) throw new Error(`no temp folder the unprivileged user can enter (${tmpdir()}, /tmp)`);
  const root = mkdtempSync(join(base, 'bootdrop-unpriv-'));
  cpSync(engine, join(root, 'dist', 'engine'), { recursive: true });
  if (existsSync(join(ROOT, 'dist', 'native')))
    cpSync(join(ROOT, 'dist', 'native'), join(root, 'dist', 'native'), { recursive: true });
  for (const f of extraFiles) cpSync(join(ROOT, f), join(root, f), { recursive: true });
  // mkdtemp makes 0700; everything below is created with the umask's read bits.
  chmodSync(root, 0o755);
  accessSync(root, constants.R_OK);
  return { root, engine: join(root, 'dist', 'engine'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

let nsCount = 0;

/**
 * A namespace with only loopback up, where ports below 1024 are privileged again
 * (net.ipv4.ip_unprivileged_port_start=1024 is per network namespace), whatever the host has.
 */
export async function privilegedPortsNs(): Promise<{ ns: string; destroy(): Promise<void> }> {
  const ns = `bd${process.pid % 100000}priv${++nsCount}`;
  await execFileP('ip', ['netns', 'add', ns]);
  try {
    await execFileP('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await execFileP('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_unprivileged_port_start=1024']);
  } catch (err) {
    await execFileP('ip', ['netns', 'del', ns]).catch(() => undefined);
    throw err;
  }
  return {
    ns,
    destroy: () =>
      execFileP('ip', ['netns', 'del', ns]).then(
        () => undefined,
        () => undefined,
      ),
  };
}
