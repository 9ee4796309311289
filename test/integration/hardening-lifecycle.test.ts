/**
 * Only the chosen interface, clean shutdown, stolen ports, the link going down or the address
 * changing: `bootdrop serve` in a namespace that sits on two LANs. Listeners are read back with `ss`
 * inside the namespace.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSecondLink, pxeClient, requirePeers } from '../helpers/dhcp/harness';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { ServeProcess } from '../helpers/qemu';
import { buildFixture, type BootFixture } from '../helpers/testiso';

const A = '10.213.72';
const B = '10.213.73';

interface Listener {
  proto: 'udp' | 'tcp';
  local: string;
  process: string;
}

/** Sockets in the namespace (listening TCP, all UDP) as `ss` sees them. */
async function sockets(host: NetnsHost): Promise<Listener[]> {
  const out: Listener[] = [];
  for (const [proto, flags] of [
    ['udp', '-Hanup'],
    ['tcp', '-Hlntp'],
  ] as const) {
    const r = await host.exec(['ss', flags]);
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const cols = line.trim().split(/\s+/);
      out.push({ proto, local: cols[3]!, process: cols.slice(5).join(' ') });
    }
  }
  return out;
}

describe('serving one interface, and the lifecycle around it', () => {
  let lanA: TestLan;
  let lanB: TestLan;
  let server: NetnsHost;
  let pcA: NetnsHost;
  let pcB: NetnsHost;
  let fx: BootFixture;
  let id: string;

  beforeAll(async () => {
    requirePeers();
    fx = await buildFixture('casper');
    id = path.basename(fx.iso, '.iso');
    lanA = await TestLan.create('lca');
    lanB = await TestLan.create('lcb');
    server = await lanA.addHost('srv', `${A}.2/24`);
    await addSecondLink(server, lanB, 'eth1', `${B}.2/24`);
    pcA = await lanA.addHost('pc', `${A}.3/24`, { mac: '52:54:00:72:00:03' });
    pcB = await lanB.addHost('pc', `${B}.3/24`, { mac: '52:54:00:73:00:03' });
    // LAN B may even route to LAN A's address through the server (weak host model): 4011 must still stay silent.
    await pcB.exec(['ip', 'route', 'add', `${A}.0/24`, 'via', `${B}.2`]);
  });
  afterAll(async () => {
    await lanA?.destroy();
    await lanB?.destroy();
  });

  it('listens only on the serving address (DHCP 0.0.0.0:67 receive socket excepted), answers nothing from LAN B, and SIGTERM closes every socket', async () => {
    const serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy']);
    try {
      await serve.ready();
      const mine = (await sockets(server)).filter((s) => s.process.includes('node'));
      const locals = mine.map((s) => `${s.proto} ${s.local}`).sort();
      expect(locals).toEqual(
        [`tcp ${A}.2:80`, `udp ${A}.2:4011`, `udp ${A}.2:67`, `udp ${A}.2:69`, 'udp 0.0.0.0:67'].sort(),
      );
      // LAN B: a broadcast DISCOVER reaches the 0.0.0.0:67 socket through eth1 but is never answered there;
      // a unicast to A's 4011 routed in through eth1 neither; TFTP and HTTP on B's address are closed.
      expect(await pxeClient(pcB, { kind: 'bios', mac: '52:54:00:73:00:03' })).toEqual([]);
      expect(
        await pxeClient(pcB, { kind: 'uefi', type: 'request', server: `${A}.2`, port: 4011, ciaddr: `${B}.3` }),
      ).toEqual([]);
      const tftpB = await pcB.exec(
        ['curl', '-sS', '--max-time', '5', '-o', '/dev/null', `tftp://${B}.2/loaders/undionly.kpxe`],
        true,
      );
      expect(tftpB.code).not.toBe(0);
      const httpB = await pcB.exec(
        ['curl', '-sS', '--max-time', '5', '-o', '/dev/null', `http://${B}.2/boot.ipxe`],
        true,
      );
      expect(httpB.stderr).toMatch(/refused|Failed to connect/i);
      // LAN A is served.
      expect(
        (await pxeClient(pcA, { kind: 'bios', mac: '52:54:00:72:00:03' })).find((r) => r.src === `${A}.2`)?.file,
      ).toMatch(/undionly\.kpxe$/);
      // A download in flight when SIGTERM arrives.
      const slow = pcA.spawn([
        'curl',
        '-s',
        '--limit-rate',
        '200k',
        '-o',
        '/dev/null',
        `http://${A}.2/iso/${id}/casper/vmlinuz`,
      ]);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await serve.stop()).toBe(0);
      slow.kill();
      expect((await sockets(server)).filter((s) => s.process.includes('node'))).toEqual([]);
    } finally {
      if (!serve.exited) await serve.stop();
    }
  });

  it('SIGINT also shuts down cleanly: exit 0, no socket left', async () => {
    const serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy']);
    await serve.ready();
    const exited = new Promise<number | null>((resolve) => serve.proc.once('exit', (code) => resolve(code)));
    serve.proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect((await sockets(server)).filter((s) => s.process.includes('node'))).toEqual([]);
  });

  it('a port stolen by another program: a specific error naming the port and holder, exit 1, nothing left bound', async () => {
    const thief = server.spawn([
      '/usr/bin/python3',
      '-c',
      `import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('${A}.2',69))\nprint('bound',flush=True)\ntime.sleep(60)`,
    ]);
    try {
      await new Promise<void>((resolve) => thief.stdout!.once('data', () => resolve()));
      const serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy']);
      const err = await serve.waitEvent<{ type: string; error: { code: string; message: string; remedy: string } }>(
        (e) => e.type === 'error',
        20_000,
        'the start error',
      );
      expect(err.error.code).toBe('EADDRINUSE');
      expect(err.error.message).toMatch(/TFTP port 69\b.*10\.213\.72\.2.*already in use/);
      expect(err.error.remedy).toMatch(/tftpd-hpa|dnsmasq/);
      // It exits by itself; a SIGTERM racing Node's own exit could kill it mid-teardown instead.
      await expect.poll(() => serve.exited, { timeout: 10_000 }).toBe(true);
      expect(await serve.stop()).toBe(1);
      expect((await sockets(server)).filter((s) => s.process.includes('node'))).toEqual([]);
    } finally {
      thief.kill();
    }
  });

  it('the serving link going down: serving stops with a clear state, and resumes by itself when it is back', async () => {
    const serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy']);
    type State = {
      type: 'state';
      state: { serving: boolean; address: string | null; error: { code: string; message: string } | null };
    };
    const states = () => serve.events.filter((e): e is State & { [k: string]: unknown } => e.type === 'state');
    try {
      await serve.ready();
      const seen = states().length;
      await server.exec(['ip', 'link', 'set', 'eth0', 'down']);
      const down = await serve.waitEvent<State>(
        (e) =>
          e.type === 'state' &&
          states().indexOf(e as never) >= seen &&
          (e as unknown as State).state.error?.code === 'ELINKDOWN',
        15_000,
        'the ELINKDOWN state',
      );
      expect(down.state).toMatchObject({
        serving: false,
        address: null,
        error: { code: 'ELINKDOWN', message: expect.stringMatching(/eth0 went down/) },
      });
      expect((await sockets(server)).filter((x) => x.process.includes('node'))).toEqual([]); // nothing left listening on a dead link
      const back = states().length;
      await server.exec(['ip', 'link', 'set', 'eth0', 'up']);
      await serve.waitEvent(
        (e) => e.type === 'state' && states().indexOf(e as never) >= back && (e as unknown as State).state.serving,
        20_000,
        'serving again',
      );
      expect(
        (await pxeClient(pcA, { kind: 'bios', mac: '52:54:00:72:00:03' })).find((r) => r.src === `${A}.2`)?.file,
      ).toMatch(/undionly\.kpxe$/);
      const http = await pcA.exec(
        [
          'curl',
          '-sS',
          '--max-time',
          '10',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          `http://${A}.2/iso/${id}/casper/vmlinuz`,
        ],
        true,
      );
      expect(http.stdout).toBe('200');
      expect(serve.exited).toBe(false);
    } finally {
      await serve.stop();
    }
  });

  it('the serving address changing: Bootdrop restarts on the new address (menus and offers name it)', async () => {
    const serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy']);
    type State = { type: 'state'; state: { serving: boolean; address: string | null } };
    try {
      await serve.ready();
      // (Deleting a primary address also drops its secondaries, so: old one out, new one in.)
      await server.exec(['ip', 'addr', 'del', `${A}.2/24`, 'dev', 'eth0']);
      await server.exec(['ip', 'addr', 'add', `${A}.7/24`, 'dev', 'eth0']);
      await serve.waitEvent(
        (e) =>
          e.type === 'state' &&
          (e as unknown as State).state.serving &&
          (e as unknown as State).state.address === `${A}.7`,
        20_000,
        'serving on the new address',
      );
      const offer = (await pxeClient(pcA, { kind: 'bios', mac: '52:54:00:72:00:03' })).find((r) => r.src === `${A}.7`);
      expect(offer?.siaddr).toBe(`${A}.7`);
      const ipxe = await pcA.exec(['curl', '-sS', '--max-time', '10', `http://${A}.7/boot.ipxe`], true);
      expect(ipxe.stdout).toContain(`${A}.7`);
      expect(ipxe.stdout).not.toContain(`${A}.2`);
    } finally {
      await serve.stop();
      await server.exec(['ip', 'addr', 'del', `${A}.7/24`, 'dev', 'eth0'], true);
      await server.exec(['ip', 'addr', 'add', `${A}.2/24`, 'dev', 'eth0'], true);
    }
  });
});
