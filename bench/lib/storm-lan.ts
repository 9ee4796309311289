/**
 * The LAN a boot storm runs on (bench/figures-storm.ts, bench/scale.ts): a TestLan with a server
 * namespace and a client namespace in which every simulated PC is its own host on the wire — a macvlan
 * device with the PC's MAC (the chaddr storm-client sends) and the PC's address. With the PCs as
 * extra addresses on one interface, the server saw 50 addresses behind one MAC (its ARP table), i.e.
 * one host, and its per-host transfer cap (main/net/slots.ts) answered "Server busy".
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { TestLan, type NetnsHost } from '../../test/helpers/netns';
import { repoRoot, WORK } from '../fixture';
import { run, Server } from './proc';
import { MAX_STORM_PCS, stormAddress, stormMac } from './storm-pcs';

export interface StormLan {
  lan: TestLan;
  /** The server's namespace: `<net>.2`. */
  srv: NetnsHost;
  /** The PCs' namespace: eth0 is `<net>.10` (the PCs' broadcasts go out there), PC i is device p<i>. */
  cli: NetnsHost;
}

/** Create the LAN with `pcs` simulated PCs in `<net>.0/24`; the caller destroys `lan`. */
export async function createStormLan(tag: string, net: string, pcs: number): Promise<StormLan> {
  if (!Number.isInteger(pcs) || pcs < 1 || pcs > MAX_STORM_PCS)
    throw new Error(`simulated PCs: 1-${MAX_STORM_PCS} (one address each in ${net}.100-249), not ${pcs}`);
  const lan = await TestLan.create(tag);
  try {
    const srv = await lan.addHost('srv', `${net}.2/24`);
    const cli = await lan.addHost('cli', `${net}.10/24`);
    // PXE ROMs broadcast to 255.255.255.255; without a default route Linux has no interface for it.
    await cli.exec(['ip', 'route', 'add', 'default', 'dev', 'eth0']);
    // Only the device that owns an address answers ARP for it, and ARP asks from the outgoing device's
    // own address: the server's ARP table then maps each PC's address to that PC's MAC.
    await cli.exec(['sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2']);
    // Broadcasts (DHCP offers) reach eth0 and every macvlan device alike: the client's one port-68 socket
    // would get each offer once per PC. It takes them from eth0 only.
    await cli.exec([
      'iptables',
      '-t',
      'raw',
      '-A',
      'PREROUTING',
      '-i',
      'p+',
      '-m',
      'pkttype',
      '--pkt-type',
      'broadcast',
      '-j',
      'DROP',
    ]);
    // Per PC (one ip call): its device, its address, and a routing table so what it sends from its
    // address leaves through its own device (its MAC as the Ethernet source), as a real PC's would.
    const lines: string[] = [];
    for (let i = 0; i < pcs; i++) {
      const dev = `p${i}`;
      const ip = stormAddress(net, i);
      lines.push(
        `link add link eth0 name ${dev} address ${stormMac(i)} type macvlan mode bridge`,
        `address add ${ip}/24 dev ${dev} noprefixroute`,
        `link set ${dev} up`,
        `route add ${net}.0/24 dev ${dev} src ${ip} table ${1000 + i}`,
        `rule add from ${ip} lookup ${1000 + i} pref ${1000 + i}`,
      );
    }
    const batch = path.join(WORK, `${lan.prefix}-pcs.batch`);
    await fsp.mkdir(WORK, { recursive: true });
    await fsp.writeFile(batch, lines.join('\n') + '\n');
    await run('ip', ['-n', cli.ns, '-batch', batch]);
    await fsp.rm(batch, { force: true });
    return { lan, srv, cli };
  } catch (err) {
    await lan.destroy();
    throw err;
  }
}

/**
 * `bootdrop serve <iso> --mode proxy --interface eth0 --json` (the compiled engine) in the server's
 * namespace, ready to answer; `nodeFlags` go to Node (profiling, tracing).
 */
export async function startServe(srv: NetnsHost, iso: string, nodeFlags: string[] = []): Promise<Server> {
  const bin = path.join(repoRoot(), 'bin', 'bootdrop.js');
  const serve = Server.start('bootdrop serve', 'ip', [
    'netns',
    'exec',
    srv.ns,
    process.execPath,
    ...nodeFlags,
    bin,
    'serve',
    iso,
    '--mode',
    'proxy',
    '--interface',
    'eth0',
    '--json',
  ]);
  try {
    await serve.waitFor(/"serving":true/, 60_000);
  } catch (err) {
    await serve.stop();
    throw err;
  }
  return serve;
}
