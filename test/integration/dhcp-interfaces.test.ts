/**
 * Serving one interface of two: the server namespace sits on two LANs (two veths, two bridges).
 * Node cannot pin a socket to a device, so this proves the Linux strategy (send through a socket
 * bound to the chosen interface's address) keeps every reply off the other LAN. Also: bind errors
 * name the port and the remedy, and `bootdrop interfaces --json` lists the namespace's links.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { TestLan, type NetnsHost } from '../helpers/netns';
import {
  addSecondLink,
  BootdropProcess,
  pxeClient,
  requirePeers,
  RUNNER,
  startBootdrop,
  udhcpc,
} from '../helpers/dhcp/harness';
import { readableCopy } from '../helpers/unprivileged';

const A_SERVER = '10.213.32.1';
const B_SERVER = '10.213.33.1';

describe('serving one interface of two', () => {
  let lanA: TestLan;
  let lanB: TestLan;
  let server: NetnsHost;
  let clientA: NetnsHost;
  let clientB: NetnsHost;

  beforeAll(async () => {
    requirePeers();
    lanA = await TestLan.create('dhcpA');
    lanB = await TestLan.create('dhcpB');
    server = await lanA.addHost('srv', `${A_SERVER}/24`);
    await addSecondLink(server, lanB, 'eth1', `${B_SERVER}/24`);
    clientA = await lanA.addHost('cli', null, { mac: '52:54:00:32:00:10' });
    clientB = await lanB.addHost('cli', null, { mac: '52:54:00:33:00:10' });
  });
  afterAll(async () => {
    await lanA?.destroy();
    await lanB?.destroy();
  });

  it('lists both links with `bootdrop interfaces --json`', async () => {
    const r = await server.exec(['node', path.resolve('bin/bootdrop.js'), 'interfaces', '--json']);
    const list = JSON.parse(r.stdout) as Array<{
      name: string;
      address: string;
      kind: string;
      up: boolean;
      recommended: boolean;
    }>;
    expect(list.find((i) => i.name === 'eth0')).toMatchObject({ address: A_SERVER, kind: 'virtual', up: true });
    expect(list.find((i) => i.name === 'eth1')).toMatchObject({ address: B_SERVER, kind: 'virtual', up: true });
    expect(list.find((i) => i.name === 'lo')).toMatchObject({ kind: 'loopback', recommended: false });
    expect(list.filter((i) => i.recommended)).toHaveLength(1);
  });

  it('lists an addressed link without carrier (cable to a PC that is still off) as down and not recommended', async () => {
    await server.exec(['ip', 'link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'eth2p']); // peer stays down: no carrier
    await server.exec(['ip', 'addr', 'add', '10.213.35.1/24', 'dev', 'eth2']);
    await server.exec(['ip', 'link', 'set', 'eth2', 'up']);
    try {
      const r = await server.exec(['node', path.resolve('bin/bootdrop.js'), 'interfaces', '--json']);
      const list = JSON.parse(r.stdout) as Array<{ name: string; address: string; up: boolean; recommended: boolean }>;
      expect(list.find((i) => i.name === 'eth2')).toMatchObject({
        address: '10.213.35.1',
        up: false,
        recommended: false,
      });
    } finally {
      await server.exec(['ip', 'link', 'del', 'eth2'], true);
    }
  });

  it('in dhcp mode, answers LAN A and sends nothing into LAN B', async () => {
    const bd = await startBootdrop(server, { iface: 'eth0', mode: 'dhcp' });
    const capture = '/tmp/bd-dhcp-lanb.pcap';
    const tcpdump = clientB.spawn(['tcpdump', '-i', 'eth0', '-n', '-U', '-w', capture, 'udp']);
    try {
      await new Promise((r) => setTimeout(r, 800));
      // A client on LAN B broadcasts; the request reaches the server's wildcard socket through eth1.
      const bReplies = await pxeClient(clientB, { kind: 'bios' });
      const bLease = await udhcpc(clientB, 2);
      // The same on LAN A works.
      const aReplies = await pxeClient(clientA, { kind: 'bios' });
      expect(aReplies.filter((r) => r.src === A_SERVER).map((r) => r.file)).toEqual(['/loaders/undionly.kpxe']);
      expect(bReplies).toEqual([]);
      expect(bLease).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      tcpdump.kill('SIGINT');
      await new Promise((r) => tcpdump.once('exit', r));
      await bd.stop();
    }
    const read = await clientB.exec(['tcpdump', '-n', '-r', capture], true);
    const packets = read.stdout.split('\n').filter(Boolean);
    expect(packets.some((l) => l.includes('0.0.0.0.68 > 255.255.255.255.67'))).toBe(true); // the capture saw B's own requests
    expect(
      packets.filter(
        (l) => l.includes(`${A_SERVER}.`) || l.includes(`${B_SERVER}.`) || l.includes('.67 > 255.255.255.255.68'),
      ),
    ).toEqual([]);
    await clientB.exec(['rm', '-f', capture], true);
  });

  it('reports a busy port 67 as EADDRINUSE naming the likely holder and the remedy', async () => {
    // Something holds 0.0.0.0:67 without SO_REUSEADDR, as a DHCP server does.
    const holder = server.spawn([
      '/usr/bin/python3',
      '-c',
      "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',67))\nprint('held',flush=True)\ntime.sleep(30)",
    ]);
    try {
      await new Promise<void>((r) => holder.stdout!.once('data', () => r()));
      const bd = new BootdropProcess(
        server.spawn(['node', RUNNER, JSON.stringify({ iface: 'eth0', mode: 'proxy' })], {
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      );
      const line = await bd.waitFor((l) => l.type === 'error' || l.type === 'ready', 10_000);
      await bd.stop();
      expect(line).toMatchObject({ type: 'error', name: 'PortBindError', code: 'EADDRINUSE', port: 67 });
      expect(line.message).toMatch(/port 67 .*in use.*dnsmasq/);
      expect(line.remedy).toMatch(/ss -lunp/);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('reports a denied port 67 as EACCES with the sysctl remedy', async () => {
    await server.exec(['sysctl', '-q', '-w', 'net.ipv4.ip_unprivileged_port_start=1024']);
    // uid 65534 runs a copy of the runner and engine from a world-readable temp folder: the checkout
    // may sit where it cannot go (root's home, a root-only temp dir).
    const runner = path.relative(path.resolve(__dirname, '../..'), RUNNER);
    const copy = readableCopy([runner]);
    let line: Awaited<ReturnType<BootdropProcess['waitFor']>>;
    try {
      const proc = server.spawn(
        [
          'setpriv',
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          path.join(copy.root, runner),
          JSON.stringify({ iface: 'eth0', mode: 'proxy' }),
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const bd = new BootdropProcess(proc);
      line = await bd.waitFor((l) => l.type === 'error' || l.type === 'ready', 10_000);
      await bd.stop();
    } finally {
      copy.remove();
    }
    expect(line).toMatchObject({ type: 'error', code: 'EACCES', port: 67 });
    expect(line.remedy).toContain('sudo sysctl -w net.ipv4.ip_unprivileged_port_start=67');
  });
});
