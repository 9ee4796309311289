/**
 * Auto mode's decision: own DHCP only on clear evidence of a bare cable, proxyDHCP otherwise, always
 * with a reason the user can read. The live service around it is in test/integration/dhcp-own.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AUTO_PROBES, AUTO_WINDOW_MS, decideAutoMode, type LinkEvidence } from '../../../main/dhcp/auto-mode';
import {
  arpMacsOn,
  defaultRouteVia,
  macosArpMacs,
  macosDefaultVia,
  windowsArpMacs,
  windowsDefaultVia,
} from '../../../main/dhcp/link-evidence';

const BARE: LinkEvidence = { neighbours: 0, defaultRouteHere: false };
const silent = (elapsedMs = AUTO_WINDOW_MS) => ({ probesSent: AUTO_PROBES, elapsedMs, serverSeen: null });

describe('auto mode decision', () => {
  it('bare cable (silence, no router, at most the PC on the link) → own DHCP, and says why', () => {
    for (const neighbours of [0, 1]) {
      const v = decideAutoMode(silent(), { neighbours, defaultRouteHere: false }, 'eth0');
      expect(v.mode).toBe('dhcp');
      expect(v.why).toMatch(/no other DHCP server answered 3 probes in 10 s and eth0 is a bare cable/);
    }
  });

  // The old auto mode gave up after 4 s: a server that answers then (ping-check before offering,
  // a slow relay) lost the race and Bootdrop became a second DHCP server on that network.
  it('a slow DHCP server answering at 4 s: still listening then, proxy once it answers', () => {
    expect(decideAutoMode({ probesSent: 2, elapsedMs: 4000, serverSeen: null }, BARE, 'eth0').mode).toBeNull();
    const v = decideAutoMode({ probesSent: 2, elapsedMs: 4000, serverSeen: '192.168.1.1' }, BARE, 'eth0');
    expect(v).toEqual({ mode: 'proxy', why: 'found a DHCP server at 192.168.1.1: serving as proxyDHCP beside it' });
  });

  it('a missed answer on a busy LAN (many neighbours) stays proxy and tells the user what to choose', () => {
    const v = decideAutoMode(silent(), { neighbours: 14, defaultRouteHere: false }, 'eth0');
    expect(v.mode).toBe('proxy');
    expect(v.why).toMatch(/14 other machines are on eth0: staying proxyDHCP/);
    expect(v.why).toMatch(/choose "Direct cable"/);
  });

  it('a router on the link (default route through it) stays proxy, however quiet the link', () => {
    const v = decideAutoMode(silent(), { neighbours: 0, defaultRouteHere: true }, 'enp3s0');
    expect(v.mode).toBe('proxy');
    expect(v.why).toMatch(/a router is reachable through enp3s0/);
  });

  it('no way to tell (no neighbour table, e.g. macOS) stays proxy', () => {
    expect(decideAutoMode(silent(), { neighbours: null, defaultRouteHere: null }, 'en0')).toMatchObject({
      mode: 'proxy',
      why: expect.stringMatching(/cannot tell whether en0 is a bare cable/),
    });
  });

  it('silence from fewer probes than needed (port 68 busy) is not evidence', () => {
    const v = decideAutoMode({ probesSent: 0, elapsedMs: AUTO_WINDOW_MS, serverSeen: null }, BARE, 'eth0');
    expect(v.mode).toBe('proxy');
    expect(v.why).toMatch(/only 0 of 3 DHCP probes could be sent/);
  });

  it('waits for the whole window and for the link evidence', () => {
    expect(decideAutoMode(silent(AUTO_WINDOW_MS - 1), BARE, 'eth0').mode).toBeNull();
    expect(decideAutoMode(silent(), null, 'eth0').mode).toBeNull();
    expect(decideAutoMode(silent(1500), BARE, 'eth0', 1500).mode).toBe('dhcp');
  });
});

describe('link evidence from /proc/net', () => {
  const ARP = `IP address       HW type     Flags       HW address            Mask     Device
192.168.1.1      0x1         0x2         aa:bb:cc:00:00:01     *        wlan0
10.0.0.7         0x1         0x2         52:54:00:AA:00:07     *        eth0
10.0.0.8         0x1         0x0         00:00:00:00:00:00     *        eth0
10.0.0.9         0x1         0x2         52:54:00:aa:00:07     *        eth0
10.0.0.10        0x1         0x2         52:54:00:aa:00:0a     *        eth0
`;
  it('counts complete ARP entries on the interface, one per MAC', () => {
    expect(arpMacsOn(ARP, 'eth0')).toEqual(['52:54:00:aa:00:07', '52:54:00:aa:00:0a']);
    expect(arpMacsOn(ARP, 'eth1')).toEqual([]);
  });

  const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
`;
  it('finds the default route and the interface it leaves through', () => {
    expect(defaultRouteVia(ROUTE, 'wlan0')).toBe(true);
    expect(defaultRouteVia(ROUTE, 'eth0')).toBe(false); // Wi-Fi to the router, cable to the PC
  });
});

describe('link evidence from macOS and Windows tools', () => {
  it('macOS arp -a -i: complete entries on the interface, zeros restored, broadcast and incomplete left out', () => {
    const arp = [
      '? (192.168.2.1) at 0:11:22:3:44:55 on en5 ifscope [ethernet]',
      '? (192.168.2.7) at (incomplete) on en5 ifscope [ethernet]',
      '? (192.168.2.255) at ff:ff:ff:ff:ff:ff on en5 ifscope [ethernet]',
      '? (10.0.0.1) at aa:bb:cc:dd:ee:ff on en0 ifscope [ethernet]',
    ].join('\n');
    expect(macosArpMacs(arp, 'en5')).toEqual(['00:11:22:03:44:55']);
    const route =
      '   route to: default\ndestination: default\n       mask: default\n    gateway: 10.0.0.1\n  interface: en0\n';
    expect(macosDefaultVia(route, 'en0')).toBe(true);
    expect(macosDefaultVia(route, 'en5')).toBe(false);
  });

  it('Windows arp -a -N / route print: dynamic entries only, default route by interface address', () => {
    const arp = [
      'Interface: 169.254.10.1 --- 0x11',
      '  Internet Address      Physical Address      Type',
      '  169.254.10.20         52-54-00-12-34-56     dynamic',
      '  169.254.255.255       ff-ff-ff-ff-ff-ff     static',
      '  224.0.0.22            01-00-5e-00-00-16     static',
    ].join('\r\n');
    expect(windowsArpMacs(arp)).toEqual(['52:54:00:12:34:56']);
    const route = [
      'IPv4 Route Table',
      'Active Routes:',
      'Network Destination        Netmask          Gateway       Interface  Metric',
      '          0.0.0.0          0.0.0.0      192.168.1.1    192.168.1.5     25',
    ].join('\r\n');
    expect(windowsDefaultVia(route, '192.168.1.5')).toBe(true);
    expect(windowsDefaultVia(route, '169.254.10.1')).toBe(false);
  });
});
