import { describe, expect, it } from 'vitest';
import { decode } from '../../../main/dhcp/codec';
import { decodeSubOptions } from '../../../main/dhcp/codec-pxe';
import { LeasePool } from '../../../main/dhcp/lease-pool';
import { findOption, messageType, optionIp, optionText } from '../../../main/dhcp/options';
import { Responder, type Outcome } from '../../../main/dhcp/responder';
import { clientBytes, productPolicy, type ClientKind } from '../../helpers/dhcp/packets';
import { prng } from '../../helpers/dhcp/prng';

const SERVER = '10.50.0.1';
const client68 = { address: '0.0.0.0', port: 68 };

function proxy(): Responder {
  return new Responder({ serverIp: SERVER, prefix: 24, policy: productPolicy });
}

function own(): Responder {
  const r = new Responder({
    serverIp: SERVER,
    prefix: 24,
    policy: productPolicy,
    pool: new LeasePool({ subnet: { address: SERVER, prefix: 24 }, size: 8 }),
  });
  r.mode = 'dhcp';
  return r;
}

function only(o: Outcome) {
  expect(o.replies).toHaveLength(1);
  const r = o.replies[0]!;
  return { ...r, p: decode(r.data) };
}

describe('proxyDHCP responder', () => {
  it('offers a BIOS PXE ROM its file with siaddr, option 43 discovery control 8, 54, 60 and 97 echoed', () => {
    const { p, to } = only(proxy().handle(clientBytes('bios'), client68, 'dhcp'));
    expect(to).toEqual({ address: '255.255.255.255', port: 68 });
    expect(messageType(p)).toBe(2);
    expect(p.yiaddr).toBe('0.0.0.0');
    expect(p.siaddr).toBe(SERVER);
    expect(p.file).toBe('/loaders/undionly.kpxe');
    expect(optionIp(p, 54)).toBe(SERVER);
    expect(optionText(p, 60)).toBe('PXEClient');
    expect(decodeSubOptions(findOption(p, 43)!)).toEqual([{ code: 6, data: Buffer.from([8]) }]);
    expect(findOption(p, 97)!.length).toBe(17);
    expect(p.xid).toBe(0x1234abcd);
    expect(p.flags & 0x8000).toBe(0x8000);
  });

  const files: Array<[ClientKind, string]> = [
    ['uefi', '/loaders/snponly.efi'],
    ['uefi9', '/loaders/snponly.efi'],
    ['ipxe', `http://${SERVER}/boot.ipxe`],
    ['http', `http://${SERVER}/loaders/snponly.efi`],
  ];
  for (const [kind, file] of files) {
    it(`offers ${kind} clients ${file}`, () => {
      const { p } = only(proxy().handle(clientBytes(kind), client68, 'dhcp'));
      expect(p.file).toBe(file);
      expect(optionText(p, 60)).toBe(kind === 'http' ? 'HTTPClient' : 'PXEClient');
      expect(findOption(p, 43) === null).toBe(kind === 'http');
    });
  }

  it("learns which address a client takes from the router (its REQUEST's option 50), without answering", () => {
    const req = clientBytes('ipxe', {
      type: 3,
      mac: '52:54:00:aa:bb:cc',
      extra: [
        { code: 50, data: Buffer.from([10, 50, 0, 77]) },
        { code: 54, data: Buffer.from([10, 50, 0, 2]) },
      ],
    });
    const o = proxy().handle(req, client68, 'dhcp');
    expect(o.replies).toHaveLength(0);
    expect(o.learned).toEqual({ mac: '52:54:00:aa:bb:cc', ip: '10.50.0.77' });
    const elsewhere = clientBytes('plain', { type: 3, extra: [{ code: 50, data: Buffer.from([192, 0, 2, 9]) }] });
    expect(proxy().handle(elsewhere, client68, 'dhcp').learned).toBeNull();
  });

  it('never answers ordinary DHCP clients, and logs unsupported architectures instead of guessing', () => {
    expect(proxy().handle(clientBytes('plain'), client68, 'dhcp').replies).toEqual([]);
    const o = proxy().handle(clientBytes('itanium'), client68, 'dhcp');
    expect(o.replies).toEqual([]);
    expect(o.logs.find((l) => l.level === 'warn')!.message).toMatch(/architecture 2 .*not supported/);
    expect(o.events[0]!.decision.kind).toBe('ignore');
  });

  it('answers the port 4011 REQUEST with an ACK back to the sender', () => {
    const from = { address: '10.50.0.77', port: 4011 };
    const o = proxy().handle(clientBytes('uefi', { type: 3, ciaddr: '10.50.0.77', flags: 0 }), from, 'pxe');
    const { p, to, via } = only(o);
    expect(via).toBe('pxe');
    expect(to).toEqual(from);
    expect(messageType(p)).toBe(5);
    expect(p.ciaddr).toBe('10.50.0.77');
    expect(p.yiaddr).toBe('0.0.0.0');
    expect(p.file).toBe('/loaders/snponly.efi');
    expect(o.events[0]).toMatchObject({ exchange: 'pxe-4011', ip: '10.50.0.77' });
  });

  it('pins a 4011 exchange to the address it came from, not the ciaddr it claims', () => {
    const from = { address: '10.50.0.66', port: 4011 };
    const o = proxy().handle(clientBytes('uefi', { type: 3, ciaddr: '10.50.0.77', flags: 0 }), from, 'pxe');
    expect(only(o).to).toEqual(from);
    expect(o.events[0]).toMatchObject({ exchange: 'pxe-4011', ip: '10.50.0.66' });
    expect(o.learned).toBeNull();
    // A port 67 REQUEST claiming someone else's ciaddr teaches nothing either.
    const renew = clientBytes('plain', { type: 3, ciaddr: '10.50.0.77', flags: 0 });
    expect(proxy().handle(renew, { address: '10.50.0.66', port: 68 }, 'dhcp').learned).toBeNull();
    expect(proxy().handle(renew, { address: '10.50.0.77', port: 68 }, 'dhcp').learned).toEqual({
      mac: expect.any(String),
      ip: '10.50.0.77',
    });
    // Own-DHCP mode learns from its leases only.
    const claim = clientBytes('plain', { type: 3, extra: [{ code: 50, data: Buffer.from([10, 50, 0, 9]) }] });
    expect(own().handle(claim, client68, 'dhcp').learned).toBeNull();
  });

  it('ACKs a port 67 REQUEST naming the proxy, ignores one naming the real server', () => {
    const ours = clientBytes('bios', { type: 3, extra: [{ code: 54, data: Buffer.from([10, 50, 0, 1]) }] });
    expect(messageType(only(proxy().handle(ours, client68, 'dhcp')).p)).toBe(5);
    const theirs = clientBytes('bios', { type: 3, extra: [{ code: 54, data: Buffer.from([10, 50, 0, 254]) }] });
    const o = proxy().handle(theirs, client68, 'dhcp');
    expect(o.replies).toEqual([]);
    expect(o.foreignServer).toBe('10.50.0.254');
  });

  it('echoes the client identifier (RFC 6842)', () => {
    const id = Buffer.from([1, 0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    const { p } = only(proxy().handle(clientBytes('bios', { extra: [{ code: 61, data: id }] }), client68, 'dhcp'));
    expect(findOption(p, 61)).toEqual(id);
  });

  it('unicasts to ciaddr when the client has an address and no broadcast flag', () => {
    const ours = clientBytes('bios', {
      type: 3,
      ciaddr: '10.50.0.9',
      flags: 0,
      extra: [{ code: 54, data: Buffer.from([10, 50, 0, 1]) }],
    });
    expect(only(proxy().handle(ours, { address: '10.50.0.9', port: 68 }, 'dhcp')).to).toEqual({
      address: '10.50.0.9',
      port: 68,
    });
  });

  it('ignores other subnets, relays, replies and silence while probing', () => {
    expect(proxy().handle(clientBytes('bios', { ciaddr: '192.168.1.5' }), client68, 'dhcp').replies).toEqual([]);
    const r = proxy();
    r.mode = null;
    expect(r.handle(clientBytes('bios'), client68, 'dhcp').replies).toEqual([]);
  });

  it('keeps answering valid requests after a seeded fuzz storm', () => {
    const r = proxy();
    const rand = prng(42);
    const seeds = (['bios', 'uefi', 'ipxe', 'http', 'plain'] as ClientKind[]).map((k) => clientBytes(k));
    const deadline = Date.now() + 800;
    let n = 0;
    while (Date.now() < deadline && n < 100_000) {
      const b = Buffer.from(seeds[n++ % seeds.length]!);
      for (let i = 0; i < 6; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      r.handle(
        rand() < 0.1 ? b.subarray(0, Math.floor(rand() * b.length)) : b,
        client68,
        rand() < 0.5 ? 'dhcp' : 'pxe',
      );
    }
    expect(only(r.handle(clientBytes('bios'), client68, 'dhcp')).p.file).toBe('/loaders/undionly.kpxe');
  });
});

describe('own-DHCP responder', () => {
  it('leases an address to a plain client: no router, mask, lease time, no boot file', () => {
    const r = own();
    const offer = only(r.handle(clientBytes('plain', { mac: '02:00:00:00:00:01' }), client68, 'dhcp')).p;
    expect(messageType(offer)).toBe(2);
    expect(offer.yiaddr).toBe('10.50.0.2');
    expect(findOption(offer, 3)).toBeNull();
    expect(optionIp(offer, 1)).toBe('255.255.255.0');
    expect(findOption(offer, 51)!.readUInt32BE(0)).toBe(3600);
    expect(offer.file).toBe('');
    const req = clientBytes('plain', {
      mac: '02:00:00:00:00:01',
      type: 3,
      extra: [
        { code: 50, data: Buffer.from([10, 50, 0, 2]) },
        { code: 54, data: Buffer.from([10, 50, 0, 1]) },
      ],
    });
    const o = r.handle(req, client68, 'dhcp');
    const ack = only(o).p;
    expect(messageType(ack)).toBe(5);
    expect(ack.yiaddr).toBe('10.50.0.2');
    expect(o.events[0]).toMatchObject({ exchange: 'lease', ip: '10.50.0.2', mac: '02:00:00:00:00:01' });
    expect(r.pool!.macForIp('10.50.0.2')).toBe('02:00:00:00:00:01');
  });

  it('gives PXE clients an address and the boot file', () => {
    const offer = only(own().handle(clientBytes('bios'), client68, 'dhcp')).p;
    expect(offer.yiaddr).not.toBe('0.0.0.0');
    expect(offer.file).toBe('/loaders/undionly.kpxe');
    expect(offer.siaddr).toBe(SERVER);
  });

  it('NAKs a request for an address that is not its own, and only in dhcp mode', () => {
    const req = clientBytes('plain', { type: 3, extra: [{ code: 50, data: Buffer.from([192, 168, 1, 20]) }] });
    const nak = only(own().handle(req, client68, 'dhcp'));
    expect(messageType(nak.p)).toBe(6);
    expect(nak.to.address).toBe('255.255.255.255');
    expect(proxy().handle(req, client68, 'dhcp').replies).toEqual([]);
  });

  it('handles RELEASE, DECLINE and INFORM', () => {
    const r = own();
    r.handle(clientBytes('plain', { mac: '02:00:00:00:00:09' }), client68, 'dhcp');
    r.handle(
      clientBytes('plain', {
        mac: '02:00:00:00:00:09',
        type: 3,
        extra: [{ code: 50, data: Buffer.from([10, 50, 0, 2]) }],
      }),
      client68,
      'dhcp',
    );
    expect(r.pool!.macForIp('10.50.0.2')).toBe('02:00:00:00:00:09');
    r.handle(clientBytes('plain', { mac: '02:00:00:00:00:09', type: 7, ciaddr: '10.50.0.2' }), client68, 'dhcp');
    expect(r.pool!.macForIp('10.50.0.2')).toBeNull();
    r.handle(clientBytes('plain', { mac: '02:00:00:00:00:0b' }), client68, 'dhcp'); // offered 10.50.0.2
    r.handle(
      clientBytes('plain', {
        mac: '02:00:00:00:00:0b',
        type: 4,
        extra: [
          { code: 50, data: Buffer.from([10, 50, 0, 2]) },
          { code: 54, data: Buffer.from([10, 50, 0, 1]) },
        ],
      }),
      client68,
      'dhcp',
    );
    expect(only(r.handle(clientBytes('plain', { mac: '02:00:00:00:00:0a' }), client68, 'dhcp')).p.yiaddr).toBe(
      '10.50.0.3',
    );
    const inform = only(
      r.handle(
        clientBytes('bios', { type: 8, ciaddr: '10.50.0.40', flags: 0 }),
        { address: '10.50.0.40', port: 68 },
        'dhcp',
      ),
    );
    expect(inform.to).toEqual({ address: '10.50.0.40', port: 68 });
    expect(findOption(inform.p, 51)).toBeNull();
    expect(inform.p.file).toBe('/loaders/undionly.kpxe');
  });

  const ip = (a: string) => Buffer.from(a.split('.').map(Number));
  const request = (mac: string, o: { requested?: string; sid?: string; ciaddr?: string }) =>
    clientBytes('plain', {
      mac,
      type: 3,
      ...(o.ciaddr ? { ciaddr: o.ciaddr } : {}),
      extra: [
        ...(o.requested ? [{ code: 50, data: ip(o.requested) }] : []),
        ...(o.sid ? [{ code: 54, data: ip(o.sid) }] : []),
      ],
    });
  const macN = (i: number) => `02:00:00:00:02:${i.toString(16).padStart(2, '0')}`;

  it('80 REQUESTs without an OFFER (SELECTING and INIT-REBOOT) bind nothing; the pool stays free', () => {
    const r = own();
    const pool = r.pool!;
    for (let i = 0; i < 80; i++) {
      const wanted = pool.addresses[i % pool.addresses.length]!;
      const o = r.handle(
        request(macN(i), i % 2 ? { requested: wanted, sid: SERVER } : { requested: wanted }),
        client68,
        'dhcp',
      );
      expect(o.events).toEqual([]);
      // SELECTING with our server id but no offer: NAK (start over); INIT-REBOOT with no record: silence.
      expect(o.replies.map((x) => messageType(decode(x.data)))).toEqual(i % 2 ? [6] : []);
    }
    expect(pool.leases()).toEqual([]);
    expect(pool.freeCount()).toBe(pool.addresses.length);
    // RENEWING with a made-up ciaddr gets a NAK, not a lease.
    const renew = only(r.handle(request(macN(99), { ciaddr: '10.50.0.5' }), client68, 'dhcp'));
    expect(messageType(renew.p)).toBe(6);
    expect(pool.leases()).toEqual([]);
    // A real client still gets its lease, and its own INIT-REBOOT and renewal are ACKed.
    const offer = only(r.handle(clientBytes('plain', { mac: macN(1) }), client68, 'dhcp')).p;
    expect(
      messageType(only(r.handle(request(macN(1), { requested: offer.yiaddr, sid: SERVER }), client68, 'dhcp')).p),
    ).toBe(5);
    expect(messageType(only(r.handle(request(macN(1), { requested: offer.yiaddr }), client68, 'dhcp')).p)).toBe(5);
    expect(messageType(only(r.handle(request(macN(1), { ciaddr: offer.yiaddr }), client68, 'dhcp')).p)).toBe(5);
    // Another client asking for that address, in any state, is NAKed.
    for (const o of [{ requested: offer.yiaddr, sid: SERVER }, { requested: offer.yiaddr }, { ciaddr: offer.yiaddr }]) {
      const nak = only(r.handle(request(macN(2), o), client68, 'dhcp'));
      expect(messageType(nak.p)).toBe(6);
      expect(optionText(nak.p, 56)).toMatch(/in use by another client/);
    }
    expect(pool.macForIp(offer.yiaddr)).toBe(macN(1));
    expect(pool.leases()).toHaveLength(1);
  });

  it('ignores a DECLINE from a MAC that does not hold the address', () => {
    const r = own();
    const offer = only(r.handle(clientBytes('plain', { mac: macN(1) }), client68, 'dhcp')).p;
    only(r.handle(request(macN(1), { requested: offer.yiaddr, sid: SERVER }), client68, 'dhcp'));
    const decline = (mac: string, a: string) =>
      clientBytes('plain', {
        mac,
        type: 4,
        extra: [
          { code: 50, data: ip(a) },
          { code: 54, data: ip(SERVER) },
        ],
      });
    for (let i = 10; i < 90; i++) {
      const o = r.handle(decline(macN(i), r.pool!.addresses[i % r.pool!.addresses.length]!), client68, 'dhcp');
      expect(o.logs.map((l) => l.message).join('\n')).toMatch(/ignored DHCPDECLINE/);
    }
    expect(r.pool!.macForIp(offer.yiaddr)).toBe(macN(1));
    expect(r.pool!.freeCount()).toBe(r.pool!.addresses.length - 1);
    r.handle(decline(macN(1), offer.yiaddr), client68, 'dhcp');
    expect(r.pool!.macForIp(offer.yiaddr)).toBeNull();
    expect(r.pool!.freeCount()).toBe(r.pool!.addresses.length - 1); // parked
  });
});
