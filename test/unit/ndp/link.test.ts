import { describe, expect, it } from 'vitest';
import { encodeBootdropAdvertisement, openAdvertisementLink, type LinkOpeners } from '../../../main/ndp';
import type { NdpSocket, RaHelperEvents } from '../../../main/native';

// Which way the advertisement goes out: the engine's own raw socket, or (on EPERM only) the
// bootdrop-ra helper. Both real paths run in test/integration/ndp-ra.test.ts and ndp-ra-helper.test.ts.
const IFACE = { name: 'eth9', mac: '02:00:00:00:00:01' };
const EPERM = () => {
  throw Object.assign(
    new Error('ndp.open: raw ICMPv6 socket: Operation not permitted (errno 1): raw sockets need root or CAP_NET_RAW'),
    {
      code: 'EPERM',
    },
  );
};

function recorder() {
  const seen: string[] = [];
  return {
    seen,
    watch: {
      ready: (via: string) => void seen.push(`ready ${via}`),
      sendFailed: (r: string) => void seen.push(`sendFailed ${r}`),
      lost: (r: string) => void seen.push(`lost ${r}`),
    },
  };
}

function helperOpeners(path: string | null, socket: LinkOpeners['socket'] = EPERM) {
  const started: Array<{ path: string; ifname: string; events: RaHelperEvents; sends: number; closed: boolean }> = [];
  const openers: LinkOpeners = {
    socket,
    helperPath: () => path,
    helper: (p, ifname, events) => {
      const h = { path: p, ifname, events, sends: 0, closed: false };
      started.push(h);
      return { path: p, send: () => void h.sends++, close: () => void (h.closed = true) };
    },
  };
  return { openers, started };
}

describe('openAdvertisementLink', () => {
  it('uses the raw socket when the engine may open it: the codec bytes go out, only solicitations are reported', () => {
    const sent: Buffer[] = [];
    const queue = [Buffer.from([133, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([135, 0, 0, 0, 0, 0, 0, 0])];
    const socket: NdpSocket = {
      sendAllNodes: (b) => void sent.push(b),
      receive: () => {
        const b = queue.shift();
        return b ? { from: 'fe80::7', bytes: b } : null;
      },
      close: () => undefined,
    };
    const { openers, started } = helperOpeners('/x/bootdrop-ra', () => socket);
    const r = recorder();
    const link = openAdvertisementLink(IFACE, r.watch, openers);
    link.advertise();
    expect(sent).toEqual([encodeBootdropAdvertisement(IFACE.mac)]);
    expect(link.solicitations()).toEqual(['fe80::7']);
    expect(r.seen).toEqual(['ready raw socket']);
    expect(started, 'the helper is not needed').toEqual([]);
  });

  it('on EPERM runs the bootdrop-ra helper: sends on request, reports its solicitations once, and its end', () => {
    const { openers, started } = helperOpeners('/opt/Bootdrop/resources/native/bootdrop-ra');
    const r = recorder();
    const link = openAdvertisementLink(IFACE, r.watch, openers);
    expect(started.map((h) => [h.path, h.ifname])).toEqual([['/opt/Bootdrop/resources/native/bootdrop-ra', 'eth9']]);
    const h = started[0]!;
    link.advertise();
    expect(h.sends).toBe(1);
    h.events.ready();
    h.events.solicitation('fe80::1');
    h.events.solicitation('fe80::2');
    expect(link.solicitations()).toEqual(['fe80::1', 'fe80::2']);
    expect(link.solicitations()).toEqual([]);
    h.events.sendFailed('Cannot assign requested address');
    h.events.exited('bootdrop-ra: cannot open a raw ICMPv6 socket: Operation not permitted; …');
    expect(r.seen).toEqual([
      'ready /opt/Bootdrop/resources/native/bootdrop-ra, which holds CAP_NET_RAW',
      'sendFailed Cannot assign requested address',
      'lost bootdrop-ra: cannot open a raw ICMPv6 socket: Operation not permitted; …',
    ]);
    link.close();
    expect(h.closed).toBe(true);
  });

  it('a flood of solicitations from the helper is held to 64 until the next read', () => {
    const { openers, started } = helperOpeners('/x/bootdrop-ra');
    const link = openAdvertisementLink(IFACE, recorder().watch, openers);
    for (let i = 0; i < 1000; i++) started[0]!.events.solicitation(`fe80::${i}`);
    expect(link.solicitations()).toHaveLength(64);
  });

  it('EPERM without the helper installed: says both, and how to build it', () => {
    const { openers } = helperOpeners(null);
    expect(() => openAdvertisementLink(IFACE, recorder().watch, openers)).toThrow(
      /Operation not permitted.*need root or CAP_NET_RAW, and the bootdrop-ra helper .* not installed \(npm run build:native/,
    );
  });

  it('any other failure (no addon, BOOTDROP_NATIVE=0, no such interface) is not an EPERM: no helper', () => {
    const { openers, started } = helperOpeners('/x/bootdrop-ra', () => {
      throw new Error('the ndp helper is not available (npm run build:native; not with BOOTDROP_NATIVE=0)');
    });
    expect(() => openAdvertisementLink(IFACE, recorder().watch, openers)).toThrow(/not available/);
    expect(started).toEqual([]);
  });
});
