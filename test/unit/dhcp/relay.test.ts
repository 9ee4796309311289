import { describe, expect, it } from 'vitest';
import { decode } from '../../../main/dhcp/codec';
import { LeasePool } from '../../../main/dhcp/lease-pool';
import { messageType, optionIp, optionText } from '../../../main/dhcp/options';
import { checkPoolsApart, parsePoolSpec, RELAY_POOL_MAX } from '../../../main/dhcp/relay-pool';
import { Responder, type Outcome } from '../../../main/dhcp/responder';
import { clientBytes, productPolicy } from '../../helpers/dhcp/packets';

// Bootdrop on 10.50.0.1/24; clients on 10.60.0.0/24 and 10.70.0.0/24 behind relays at .1 of each.
const SERVER = '10.50.0.1';
const RELAY_A = '10.60.0.1';
const RELAY_B = '10.70.0.1';
const fromRelay = { address: '10.50.0.254', port: 67 }; // the relay's address on our side
const MAC = '52:54:00:aa:bb:01';

function responder(mode: 'proxy' | 'dhcp', pools: string[] = []): Responder {
  const r = new Responder({
    serverIp: SERVER,
    prefix: 24,
    policy: productPolicy,
    ...(mode === 'dhcp' ? { pool: new LeasePool({ subnet: { address: SERVER, prefix: 24 }, size: 8 }) } : {}),
    relayPools: pools.map((spec) => {
      const p = parsePoolSpec(spec);
      return new LeasePool({ subnet: p.subnet, range: p });
    }),
  });
  r.mode = mode;
  return r;
}

function only(o: Outcome) {
  expect(o.replies, o.logs.map((l) => l.message).join('\n')).toHaveLength(1);
  const r = o.replies[0]!;
  return { ...r, p: decode(r.data) };
}

const ip = (s: string) => Buffer.from(s.split('.').map(Number));

describe('relayed requests (giaddr)', () => {
  it('proxy mode: offers a relayed PXE ROM its boot file, sent to the relay on port 67', () => {
    const o = responder('proxy').handle(clientBytes('bios', { mac: MAC, giaddr: RELAY_A }), fromRelay, 'dhcp');
    const { p, to } = only(o);
    expect(to).toEqual({ address: RELAY_A, port: 67 });
    expect(messageType(p)).toBe(2);
    expect(p.giaddr).toBe(RELAY_A);
    expect(p.yiaddr).toBe('0.0.0.0');
    expect(p.siaddr).toBe(SERVER);
    expect(p.file).toBe('/loaders/undionly.kpxe');
    expect(optionIp(p, 54)).toBe(SERVER);
    expect(optionText(p, 60)).toBe('PXEClient');
    expect(o.logs.map((l) => l.message).join('\n')).toContain(`through relay ${RELAY_A}`);
  });

  it('proxy mode: leaves relayed ordinary clients alone and learns the address a relayed REQUEST takes', () => {
    const r = responder('proxy');
    expect(r.handle(clientBytes('plain', { giaddr: RELAY_A }), fromRelay, 'dhcp').replies).toEqual([]);
    const o = r.handle(
      clientBytes('bios', {
        mac: MAC,
        type: 3,
        giaddr: RELAY_A,
        extra: [
          { code: 50, data: ip('10.60.0.77') },
          { code: 54, data: ip('10.99.0.5') },
        ],
      }),
      fromRelay,
      'dhcp',
    );
    expect(o.replies).toEqual([]);
    expect(o.learned).toEqual({ mac: MAC, ip: '10.60.0.77' });
    // The campus DHCP server the client chose is not a server on our link: auto mode must not flip.
    expect(o.foreignServer).toBeNull();
  });

  it('answers a routed client on port 4011 once it was seen through a relay, and only then', () => {
    const r = responder('proxy');
    const ask = () =>
      r.handle(
        clientBytes('ipxe', { mac: MAC, type: 3, ciaddr: '10.60.0.77', flags: 0 }),
        { address: '10.60.0.77', port: 68 },
        'pxe',
      );
    const before = ask();
    expect(before.replies).toEqual([]);
    expect(before.logs[0]!.message).toMatch(/not seen through a DHCP relay/);
    r.handle(clientBytes('ipxe', { mac: MAC, giaddr: RELAY_A }), fromRelay, 'dhcp');
    const { p, to } = only(ask());
    expect(to).toEqual({ address: '10.60.0.77', port: 68 });
    expect(messageType(p)).toBe(5);
    expect(p.file).toBe(`http://${SERVER}/boot.ipxe`);
    // Another MAC from the same routed subnet is still ignored.
    expect(
      r.handle(
        clientBytes('ipxe', { mac: '52:54:00:aa:bb:02', type: 3, ciaddr: '10.60.0.78', flags: 0 }),
        { address: '10.60.0.78', port: 68 },
        'pxe',
      ).replies,
    ).toEqual([]);
  });

  it('proxy mode never leases, even on a --pool subnet', () => {
    const r = responder('proxy', ['10.60.0.0/24:10.60.0.1-10.60.0.3']);
    expect(r.handle(clientBytes('plain', { giaddr: RELAY_A }), fromRelay, 'dhcp').replies).toEqual([]);
    expect(only(r.handle(clientBytes('bios', { giaddr: RELAY_A }), fromRelay, 'dhcp')).p.yiaddr).toBe('0.0.0.0');
    expect(r.relayPools[0]!.leases()).toEqual([]);
  });

  it('dhcp mode: hands out addresses only on a --pool subnet; other relayed subnets get the boot file only', () => {
    const r = responder('dhcp', ['10.60.0.0/24:10.60.0.1-10.60.0.3']);
    const offer = only(r.handle(clientBytes('plain', { mac: MAC, giaddr: RELAY_A }), fromRelay, 'dhcp'));
    expect(offer.to).toEqual({ address: RELAY_A, port: 67 });
    // 10.60.0.1 is the relay itself: never handed out, though inside the range.
    expect(offer.p.yiaddr).toBe('10.60.0.2');
    expect(optionIp(offer.p, 1)).toBe('255.255.255.0');
    expect(optionIp(offer.p, 3)).toBe(RELAY_A); // the relay routes the client to us
    expect(optionIp(offer.p, 28)).toBe('10.60.0.255');
    const req = clientBytes('plain', {
      mac: MAC,
      type: 3,
      giaddr: RELAY_A,
      extra: [
        { code: 50, data: ip('10.60.0.2') },
        { code: 54, data: ip(SERVER) },
      ],
    });
    const ack = only(r.handle(req, fromRelay, 'dhcp'));
    expect(messageType(ack.p)).toBe(5);
    expect(ack.p.yiaddr).toBe('10.60.0.2');
    expect(ack.to).toEqual({ address: RELAY_A, port: 67 });
    expect(r.relayPools[0]!.macForIp('10.60.0.2')).toBe(MAC);

    // A renewal unicast straight from the routed client (no relay) is answered from the same pool.
    const renew = only(
      r.handle(
        clientBytes('plain', { mac: MAC, type: 3, ciaddr: '10.60.0.2', flags: 0 }),
        { address: '10.60.0.2', port: 68 },
        'dhcp',
      ),
    );
    expect(messageType(renew.p)).toBe(5);
    expect(renew.to).toEqual({ address: '10.60.0.2', port: 68 });
    expect(optionIp(renew.p, 3)).toBe(RELAY_A);

    // Subnet B has no pool: a plain client gets nothing, a PXE client a proxy offer without an address.
    expect(r.handle(clientBytes('plain', { giaddr: RELAY_B }), fromRelay, 'dhcp').replies).toEqual([]);
    const pxe = only(r.handle(clientBytes('uefi', { giaddr: RELAY_B }), fromRelay, 'dhcp'));
    expect(pxe.p.yiaddr).toBe('0.0.0.0');
    expect(pxe.p.file).toBe('/loaders/snponly.efi');
    expect(pxe.to).toEqual({ address: RELAY_B, port: 67 });
  });

  it('own-DHCP mode: relayed requests never get addresses from the local pool', () => {
    const r = responder('dhcp');
    expect(r.handle(clientBytes('plain', { giaddr: RELAY_A }), fromRelay, 'dhcp').replies).toEqual([]);
    const { p } = only(r.handle(clientBytes('bios', { giaddr: RELAY_A }), fromRelay, 'dhcp'));
    expect(p.yiaddr).toBe('0.0.0.0');
    expect(p.file).toBe('/loaders/undionly.kpxe');
    expect(r.pool!.leases()).toEqual([]);
  });

  it('NAKs a relayed request for a foreign address with the broadcast bit, through the relay', () => {
    const r = responder('dhcp', ['10.60.0.0/24:10.60.0.10-10.60.0.20']);
    const nak = only(
      r.handle(
        clientBytes('plain', { type: 3, giaddr: RELAY_A, flags: 0, extra: [{ code: 50, data: ip('10.60.0.99') }] }),
        fromRelay,
        'dhcp',
      ),
    );
    expect(messageType(nak.p)).toBe(6);
    expect(nak.to).toEqual({ address: RELAY_A, port: 67 });
    expect(nak.p.flags & 0x8000).toBe(0x8000);
  });

  it('ignores 4011 requests carrying a giaddr, and holds relayed requests while probing', () => {
    const r = responder('proxy');
    expect(r.handle(clientBytes('bios', { type: 3, giaddr: RELAY_A }), fromRelay, 'pxe').replies).toEqual([]);
    r.mode = null;
    expect(r.handle(clientBytes('bios', { giaddr: RELAY_A }), fromRelay, 'dhcp').replies).toEqual([]);
  });
});

describe('--pool specs', () => {
  it('parses <net>/<len>:<first>-<last>', () => {
    expect(parsePoolSpec('10.60.0.0/24:10.60.0.100-10.60.0.199')).toEqual({
      subnet: { address: '10.60.0.0', prefix: 24 },
      start: '10.60.0.100',
      end: '10.60.0.199',
    });
    // A host address for the subnet is taken as its network.
    expect(parsePoolSpec('10.60.0.7/24:10.60.0.100-10.60.0.100').subnet.address).toBe('10.60.0.0');
  });

  it('rejects malformed, out-of-subnet, reversed, oversized and overlapping pools with the reason', () => {
    expect(() => parsePoolSpec('10.60.0.0/24')).toThrow(/is not <network>\/<prefix>:<first>-<last>; example/);
    expect(() => parsePoolSpec('10.60.0.0/24:10.60.0.300-10.60.0.301')).toThrow(/"10.60.0.300" is not an IPv4/);
    expect(() => parsePoolSpec('10.60.0.0/24:10.61.0.1-10.61.0.9')).toThrow(/10.61.0.1 is not in 10.60.0.0\/24/);
    expect(() => parsePoolSpec('10.60.0.0/24:10.60.0.0-10.60.0.9')).toThrow(/network or broadcast/);
    expect(() => parsePoolSpec('10.60.0.0/24:10.60.0.9-10.60.0.2')).toThrow(/comes before/);
    expect(() => parsePoolSpec('10.60.0.0/31:10.60.0.0-10.60.0.1')).toThrow(/between \/8 and \/30/);
    expect(() => parsePoolSpec('10.0.0.0/16:10.0.0.1-10.0.255.254')).toThrow(`at most ${RELAY_POOL_MAX}`);
    const a = parsePoolSpec('10.60.0.0/24:10.60.0.10-10.60.0.20');
    const b = parsePoolSpec('10.60.0.0/16:10.60.1.10-10.60.1.20');
    expect(() => checkPoolsApart([a, b])).toThrow(/overlaps/);
    expect(() => checkPoolsApart([a, parsePoolSpec('10.70.0.0/24:10.70.0.10-10.70.0.20')])).not.toThrow();
  });
});
