/**
 * A routed campus network for the DHCP relay tests: two TestLans joined by a router namespace that
 * forwards between them and runs ISC dhcrelay (Debian's isc-dhcp-relay), the way a campus router's
 * "ip helper-address" forwards client broadcasts to central servers.
 *
 *   clients LAN <net>.90.0/24          router              servers LAN <net>.91.0/24
 *   (PCs, QEMU taps) ── eth0 .90.1 ─ [dhcrelay] ─ eth1 .91.1 ── Bootdrop .91.2, campus DHCP .91.3
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { TestLan, waitForOutput, type NetnsHost } from './netns';
import { addSecondLink } from './dhcp/harness';

export const CLIENT_NET = '10.213.90';
const SERVER_NET = '10.213.91';
export const RELAY = `${CLIENT_NET}.1`; // the router on the clients' subnet: giaddr, and their gateway
export const BOOTDROP = `${SERVER_NET}.2`;
export const CAMPUS_DHCP = `${SERVER_NET}.3`;

export interface Campus {
  clients: TestLan;
  servers: TestLan;
  router: NetnsHost;
  bootdrop: NetnsHost;
  campusDhcp: NetnsHost;
  /** Start dhcrelay forwarding the clients' DHCP to `servers`; its output is kept for failures. */
  startRelay(servers: string[]): Promise<ChildProcess>;
  /** dnsmasq as the campus DHCP server on .91.3, leasing .90.100-.150 to relayed clients. */
  startCampusDhcp(): Promise<ChildProcess>;
  /**
   * IPv6 router advertisements on the clients' subnet (dnsmasq, RA only, from the router), as campus
   * routers send: without them iPXE waits ~15 s per boot for IPv6 autoconfiguration.
   */
  startRouterAdverts(): Promise<ChildProcess>;
  relayLog(): string;
  destroy(): Promise<void>;
}

export function requireRelay(): void {
  try {
    execFileSync('sh', ['-c', 'command -v dhcrelay'], { stdio: 'ignore' });
  } catch {
    throw new Error('dhcrelay is not installed: run scripts/install-deps.sh (Debian package isc-dhcp-relay)');
  }
}

export async function campus(tag: string): Promise<Campus> {
  const clients = await TestLan.create(`${tag}c`);
  const servers = await TestLan.create(`${tag}s`);
  const procs: ChildProcess[] = [];
  let relayLog = '';
  try {
    const router = await clients.addHost('router', `${RELAY}/24`);
    await addSecondLink(router, servers, 'eth1', `${SERVER_NET}.1/24`);
    await router.exec(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    const bootdrop = await servers.addHost('bootdrop', `${BOOTDROP}/24`);
    const campusDhcp = await servers.addHost('dhcp', `${CAMPUS_DHCP}/24`);
    for (const h of [bootdrop, campusDhcp]) await h.exec(['ip', 'route', 'add', 'default', 'via', `${SERVER_NET}.1`]);
    return {
      clients,
      servers,
      router,
      bootdrop,
      campusDhcp,
      async startRelay(to) {
        // -d: foreground; -id/-iu: the downstream (clients) and upstream (servers) interfaces.
        const proc = router.spawn(['dhcrelay', '-d', '-4', '-id', 'eth0', '-iu', 'eth1', ...to]);
        procs.push(proc);
        proc.stdout?.on('data', (c: Buffer) => (relayLog += c.toString()));
        proc.stderr?.on('data', (c: Buffer) => (relayLog += c.toString()));
        await waitForOutput(proc, /Sending on\s+Socket\/fallback/, 10_000);
        return proc;
      },
      async startCampusDhcp() {
        const proc = campusDhcp.spawn([
          'dnsmasq',
          '--no-daemon',
          '--conf-file=/dev/null',
          '--port=0',
          '--interface=eth0',
          '--bind-interfaces',
          `--dhcp-range=${CLIENT_NET}.100,${CLIENT_NET}.150,255.255.255.0,5m`,
          `--dhcp-option=3,${RELAY}`,
          '--no-ping',
          '--leasefile-ro',
          '--log-dhcp',
          '--log-facility=-',
        ]);
        procs.push(proc);
        await waitForOutput(proc, /DHCP, IP range/, 10_000);
        return proc;
      },
      async startRouterAdverts() {
        await router.exec(['ip', 'addr', 'add', 'fd00:b0d:90::1/64', 'dev', 'eth0', 'nodad']);
        const proc = router.spawn([
          'dnsmasq',
          '--no-daemon',
          '--conf-file=/dev/null',
          '--port=0',
          '--interface=eth0',
          '--bind-interfaces',
          '--enable-ra',
          '--dhcp-range=::,constructor:eth0,ra-only',
          '--leasefile-ro',
          '--log-facility=-',
        ]);
        procs.push(proc);
        await waitForOutput(proc, /router advertisement on/, 10_000);
        return proc;
      },
      relayLog: () => relayLog,
      async destroy() {
        for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
        await clients.destroy();
        await servers.destroy();
      },
    };
  } catch (err) {
    for (const p of procs) p.kill('SIGKILL');
    await clients.destroy();
    await servers.destroy();
    throw err;
  }
}

/** Give a client host the address it leased and a default route through the relay (what its OS would do). */
export async function configureLease(host: NetnsHost, ip: string): Promise<void> {
  await host.exec(['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
  await host.exec(['ip', 'route', 'add', 'default', 'via', RELAY]);
}
