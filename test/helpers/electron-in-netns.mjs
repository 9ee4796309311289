#!/usr/bin/env node
/**
 * Playwright's Electron launcher, pointed at this script as its `executablePath`, starts the real
 * Electron inside a test's network namespace as an unprivileged user (the desktop app refuses root).
 * Playwright then connects to the two debuggers Electron announces on stderr ("Debugger listening on
 * ws://127.0.0.1:<port>/…", "DevTools listening on …"), but those ports are on the namespace's own
 * loopback. So each announced port gets a twin on this side's 127.0.0.1 that relays every connection
 * into the namespace (through `ip netns exec … node`), and the line Playwright reads names the twin.
 *
 * Configured by environment (removed before Electron sees it):
 *   BOOTDROP_E2E_ELECTRON  the Electron executable
 *   BOOTDROP_E2E_NETNS     the network namespace to run it in
 *   BOOTDROP_E2E_UID, BOOTDROP_E2E_GID  who runs it
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

const {
  BOOTDROP_E2E_ELECTRON: electron,
  BOOTDROP_E2E_NETNS: ns,
  BOOTDROP_E2E_UID: uid,
  BOOTDROP_E2E_GID: gid,
} = process.env;
if (!electron || !ns || !uid || !gid) {
  process.stderr.write('electron-in-netns: BOOTDROP_E2E_ELECTRON, _NETNS, _UID and _GID must be set\n');
  process.exit(2);
}
const env = { ...process.env };
for (const name of Object.keys(env)) if (name.startsWith('BOOTDROP_E2E_')) delete env[name];

const child = spawn(
  'ip',
  [
    'netns',
    'exec',
    ns,
    'setpriv',
    `--reuid=${uid}`,
    `--regid=${gid}`,
    '--clear-groups',
    '--',
    electron,
    ...process.argv.slice(2),
  ],
  { env, stdio: ['inherit', 'inherit', 'pipe'] },
);

// Runs inside the namespace, once per relayed connection: stdin/stdout <-> 127.0.0.1:<port>.
const RELAY =
  "const s=require('node:net').connect(+process.argv[1],'127.0.0.1');" +
  'process.stdin.pipe(s);s.pipe(process.stdout);' +
  "s.on('error',()=>process.exit(1));s.on('close',()=>process.exit(0));";

const twins = [];
const relays = new Set();

/** A listener on this side's loopback whose connections end up on `port` inside the namespace. */
function twin(port) {
  const server = createServer((socket) => {
    const relay = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', RELAY, String(port)], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    relays.add(relay);
    relay.on('exit', () => relays.delete(relay));
    socket.pipe(relay.stdin);
    relay.stdout.pipe(socket);
    socket.on('error', () => relay.kill());
    socket.on('close', () => relay.kill());
    relay.on('exit', () => socket.destroy());
  });
  twins.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

const ANNOUNCE = /^((?:Debugger|DevTools) listening on ws:\/\/127\.0\.0\.1:)(\d+)(\/.*)$/;

// Lines are rewritten in order: Playwright must read each announcement only once its twin listens.
let pending = Promise.resolve();
createInterface({ input: child.stderr }).on('line', (line) => {
  pending = pending.then(async () => {
    const m = ANNOUNCE.exec(line);
    if (!m) return void process.stderr.write(line + '\n');
    const port = await twin(Number(m[2]));
    process.stderr.write(`${m[1]}${port}${m[3]}\n`);
  });
});

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));

// Electron is gone: end the relays too (they run in its namespace), then exit as it did.
child.on('close', (code, signal) => {
  void pending.finally(async () => {
    for (const server of twins) server.close();
    await Promise.all(
      [...relays].map((relay) => {
        const gone = new Promise((resolve) => relay.once('exit', resolve));
        relay.kill();
        return gone;
      }),
    );
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
});
