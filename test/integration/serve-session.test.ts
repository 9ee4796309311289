import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { buildFixture, type BootFixture } from '../helpers/testiso';

const ROOT = path.resolve(__dirname, '..', '..');

// The Session (compiled engine) in a namespace, driven like the desktop app drives it: a start that
// fails half-way (DHCP's port taken after HTTP and TFTP are up) must close what it opened, report a
// ServeError with a remedy, and a later start must succeed on the same ports.
const SCRIPT = `
const dgram = require('node:dgram');
const { Session, createEngineServices, defaultLoadersDir } = require(${JSON.stringify(path.join(ROOT, 'dist/engine/session'))});
(async () => {
  const out = {};
  const s = new Session({ loadersDir: defaultLoadersDir(), httpPort: 80, mode: 'proxy', interfaceName: 'eth0' }, createEngineServices());
  const events = [];
  s.onEvent((e) => events.push(e.type));
  await s.addSource({ path: process.argv[1] });
  const blocker = dgram.createSocket('udp4');
  await new Promise((r) => blocker.bind({ port: 4011, address: '0.0.0.0', exclusive: true }, r));
  out.failed = await s.start();
  await new Promise((r) => blocker.close(r));
  out.started = await s.start();
  out.stopped = await s.stop();
  out.again = await s.start();
  out.snapshot = await s.snapshot();
  out.log = await s.exportLog();
  out.events = [...new Set(events)];
  await s.dispose();
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('Session start/stop in a namespace', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let fx: BootFixture;
  beforeAll(async () => {
    fx = await buildFixture('casper');
    lan = await TestLan.create('ses');
    server = await lan.addHost('server', '10.213.57.2/24');
  });
  afterAll(async () => lan?.destroy());

  it('rolls back a half-started serve and starts cleanly afterwards', async () => {
    const r = await server.exec([process.execPath, '-e', SCRIPT, fx.iso]);
    const out = JSON.parse(r.stdout) as Record<string, { serving: boolean; error: { code: string; message: string; remedy: string } | null }> & {
      snapshot: { sources: unknown[]; clients: unknown[] };
      log: string;
      events: string[];
    };
    expect(out.failed!.serving).toBe(false);
    expect(out.failed!.error).toMatchObject({ code: 'EADDRINUSE' });
    expect(out.failed!.error!.message).toMatch(/4011/);
    expect(out.failed!.error!.remedy.length).toBeGreaterThan(10);
    expect(out.started).toMatchObject({ serving: true, error: null, address: '10.213.57.2' });
    expect(out.stopped!.serving).toBe(false);
    expect(out.again!.serving).toBe(true);
    expect(out.snapshot.sources).toHaveLength(1);
    expect(out.log).toMatch(/ERROR session: .*4011/);
    expect(out.events).toEqual(expect.arrayContaining(['sources', 'state', 'log']));
  });
});
