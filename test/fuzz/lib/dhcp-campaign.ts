/**
 * DHCP fuzz campaigns over the pure codec and Responder (no sockets):
 * - mutated real client packets (BIOS/UEFI/iPXE/HTTP Boot/plain OS, every message type) through the
 *   codec and through the responder in proxy, proxy-after-auto-fallback and own-DHCP mode;
 * - generated packets (a seeded property test) aimed at the proxy rule: whatever arrives, proxy mode
 *   never hands out an address (yiaddr 0.0.0.0, no lease, mask or router options) and never answers a
 *   client that did not announce PXEClient/HTTPClient.
 * A broken invariant throws with the seed and iteration, so it replays exactly.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  decode,
  DhcpDecodeError,
  DhcpEncodeError,
  encode,
  type DhcpOption,
  type DhcpPacket,
} from '../../../main/dhcp/codec';
import { LeasePool } from '../../../main/dhcp/lease-pool';
import { parsePoolSpec } from '../../../main/dhcp/relay-pool';
import { findOption, optionText } from '../../../main/dhcp/options';
import { Responder, type Outcome, type Via } from '../../../main/dhcp/responder';
import { clientBytes, productPolicy, type ClientKind } from '../../helpers/dhcp/packets';
import { bump, int, mutate, pick, prng, type CampaignStats, type Rand } from './mutate';

const SERVER = '10.77.0.1';
const OTHER_SERVER = '10.77.0.254';
const PREFIX = 24;
/** Options a proxy reply must never carry: they configure an address (RFC 2132 1, 3, 6, 51, 58, 59). */
const LEASE_OPTIONS = [1, 3, 6, 51, 58, 59];

/** A relayed subnet with a --pool (relay at .1, inside the range), and one without (10.79.0.0/24). */
const RELAY_POOL = parsePoolSpec('10.78.0.0/24:10.78.0.1-10.78.0.40');
const RELAYS = ['10.78.0.1', '10.79.0.1'];

function relayPool(): LeasePool {
  return new LeasePool({ subnet: RELAY_POOL.subnet, range: RELAY_POOL });
}

function responders(): {
  proxy: Responder;
  fallback: Responder;
  own: Responder;
  pool: LeasePool;
  relayPool: LeasePool;
} {
  const proxy = new Responder({ serverIp: SERVER, prefix: PREFIX, policy: productPolicy });
  // Auto mode that found another server: a pool exists but the mode is proxy. Same rule applies.
  const fallback = new Responder({
    serverIp: SERVER,
    prefix: PREFIX,
    policy: productPolicy,
    pool: new LeasePool({ subnet: { address: SERVER, prefix: PREFIX }, size: 16 }),
    relayPools: [relayPool()],
  });
  fallback.mode = 'proxy';
  const pool = new LeasePool({ subnet: { address: SERVER, prefix: PREFIX }, size: 16 });
  const ownRelayPool = relayPool();
  const own = new Responder({
    serverIp: SERVER,
    prefix: PREFIX,
    policy: productPolicy,
    pool,
    relayPools: [ownRelayPool],
  });
  own.mode = 'dhcp';
  return { proxy, fallback, own, pool, relayPool: ownRelayPool };
}

/** The proxy rule, checked on one outcome. Returns a violation or null. */
export function proxyViolation(req: Buffer, out: Outcome): string | null {
  if (out.replies.length === 0) return null;
  let p: DhcpPacket;
  try {
    p = decode(req);
  } catch {
    return 'answered a packet that does not decode';
  }
  const vendor = optionText(p, 60) ?? '';
  if (!vendor.startsWith('PXEClient') && !vendor.startsWith('HTTPClient'))
    return `answered a client whose vendor class is ${JSON.stringify(vendor)}`;
  for (const r of out.replies) {
    const rp = decode(r.data);
    if (rp.op !== 2) return `reply op ${rp.op}`;
    if (rp.yiaddr !== '0.0.0.0') return `handed out ${rp.yiaddr}`;
    if (rp.xid !== p.xid) return 'reply xid differs from the request';
    for (const code of LEASE_OPTIONS) if (findOption(rp, code)) return `reply carries option ${code}`;
    // RFC 2131 4.1: port 67 replies go to the client (port 68), or to the relay agent (giaddr:67).
    const relay = p.giaddr !== '0.0.0.0';
    if (r.via === 'dhcp' && relay && (r.to.address !== p.giaddr || r.to.port !== 67))
      return `relayed request's reply sent to ${r.to.address}:${r.to.port}, not the relay ${p.giaddr}:67`;
    if (r.via === 'dhcp' && !relay && r.to.port !== 68) return `port 67 reply sent to port ${r.to.port}`;
  }
  return null;
}

function seeds(): Buffer[] {
  const kinds: ClientKind[] = ['bios', 'uefi', 'uefi9', 'ipxe', 'http', 'plain', 'arm64', 'itanium'];
  const out: Buffer[] = [];
  for (const k of kinds) {
    out.push(
      clientBytes(k),
      clientBytes(k, {
        type: 3,
        extra: [
          { code: 54, data: Buffer.from([10, 77, 0, 1]) },
          { code: 50, data: Buffer.from([10, 77, 0, 9]) },
        ],
      }),
    );
    out.push(
      clientBytes(k, { type: 8, ciaddr: '10.77.0.20', flags: 0 }),
      clientBytes(k, { type: 7, ciaddr: '10.77.0.21' }),
      clientBytes(k, { type: 4, extra: [{ code: 54, data: Buffer.from([10, 77, 0, 1]) }] }),
    );
    // Relayed through a subnet with a --pool and one without (DISCOVER, REQUEST naming us).
    for (const giaddr of RELAYS)
      out.push(
        clientBytes(k, { giaddr }),
        clientBytes(k, {
          type: 3,
          giaddr,
          extra: [
            { code: 54, data: Buffer.from([10, 77, 0, 1]) },
            { code: 50, data: Buffer.from([10, 78, 0, 9]) },
          ],
        }),
      );
    // A PXE boot-item request on 4011 (option 43, sub-option 71).
    out.push(
      clientBytes(k, {
        type: 3,
        ciaddr: '10.77.0.22',
        extra: [{ code: 43, data: Buffer.from([71, 4, 0x80, 0, 0, 0, 255]) }],
      }),
    );
  }
  return out;
}

const fail = (name: string, seed: number, i: number, what: string, input: Buffer): never => {
  throw new Error(
    `${name}: ${what} (seed ${seed}, iteration ${i}; FUZZ_SEED=${seed} replays it)\ninput: ${input.toString('hex')}`,
  );
};

/** Mutated real packets through codec + responders. `deadline` (ms epoch) bounds short runs. */
export function dhcpMutationCampaign(seed: number, iterations: number, deadline = Infinity): CampaignStats {
  const rand = prng(seed);
  const base = seeds();
  let r = responders();
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  let i = 0;
  for (; i < iterations && (i & 1023 || Date.now() < deadline); i++) {
    if (i % 50_000 === 0) r = responders(); // fresh pool now and then, so offers keep happening
    const input = mutate(rand, pick(rand, base), { maxLen: 1500 });
    let p: DhcpPacket | null = null;
    try {
      p = decode(input);
      bump(counts, 'decoded');
    } catch (err) {
      if (!(err instanceof DhcpDecodeError)) fail('decode', seed, i, `threw ${(err as Error).stack}`, input);
      bump(counts, 'rejected');
    }
    if (p && (i & 15) === 0) {
      // The codec's own promise: what it decodes it can encode, and that decodes back the same.
      try {
        const again = decode(encode(p));
        if (!isDeepStrictEqual(again, p)) fail('codec round trip', seed, i, 'decode(encode(p)) differs from p', input);
      } catch (err) {
        if (!(err instanceof DhcpEncodeError))
          fail('codec round trip', seed, i, `threw ${(err as Error).stack}`, input);
      }
    }
    const via: Via = rand() < 0.7 ? 'dhcp' : 'pxe';
    const from =
      via === 'pxe'
        ? { address: `10.77.0.${int(rand, 256)}`, port: rand() < 0.5 ? 68 : 4011 }
        : { address: '0.0.0.0', port: 68 };
    for (const [name, resp] of [
      ['proxy', r.proxy],
      ['fallback', r.fallback],
      ['own', r.own],
    ] as const) {
      let out: Outcome;
      try {
        out = resp.handle(input, from, via);
      } catch (err) {
        return fail(`${name} responder`, seed, i, `threw ${(err as Error).stack}`, input);
      }
      if (out.replies.length) bump(counts, `${name} replies`, out.replies.length);
      if (name !== 'own') {
        const v = proxyViolation(input, out);
        if (v) fail(`${name} responder`, seed, i, v, input);
      } else {
        for (const rep of out.replies) {
          const y = decode(rep.data).yiaddr;
          if (y === '0.0.0.0') continue;
          // Relayed from the --pool subnet: that pool only; anything else: the local pool only.
          const giaddr = p?.giaddr ?? '0.0.0.0';
          const relayed = giaddr.startsWith('10.78.0.');
          if (relayed ? !r.relayPool.owns(y) || y === giaddr : !r.pool.owns(y))
            fail('own-DHCP responder', seed, i, `handed out ${y}, which is not in the right pool`, input);
        }
      }
    }
  }
  return { name: 'dhcp-mutation', seed, iterations: i, ms: Date.now() - t0, counts };
}

// ---- generated packets (property test for proxy mode) -----------------------------------------

const VENDOR_CLASSES = [
  'PXEClient:Arch:00000:UNDI:002001',
  'PXEClient:Arch:00007:UNDI:003016',
  'PXEClient',
  'HTTPClient:Arch:00016:UNDI:003001',
  'HTTPClient',
  'MSFT 5.0',
  'udhcp 1.36.1',
  'android-dhcp-14',
  'pxeclient',
  'PXEClien',
  ' PXEClient',
  'XPXEClient',
  'PXEClient\0junk',
  '',
  'dhcpcd-10.0.6:Linux',
];

function opt(code: number, data: number[] | Buffer | string): DhcpOption {
  return {
    code,
    data: Buffer.isBuffer(data) ? data : typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data),
  };
}

function randomBytes(rand: Rand, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => int(rand, 256)));
}

function randomIp(rand: Rand): string {
  return pick(rand, [
    '0.0.0.0',
    SERVER,
    OTHER_SERVER,
    `10.77.0.${int(rand, 256)}`,
    `192.168.${int(rand, 256)}.${int(rand, 256)}`,
    '255.255.255.255',
  ]);
}

function ipBytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** One generated request: random header fields and a random mix of the options clients send. */
function generatePacket(rand: Rand): Buffer {
  // Half the packets are "tame" (well-formed header, a DISCOVER): they reach the answering code, where
  // the interesting decisions are; the rest roam freely.
  const tame = rand() < 0.5;
  const options: DhcpOption[] = [];
  const add = (o: DhcpOption) => options.splice(int(rand, options.length + 1), 0, o);
  if (tame) add(opt(53, [1]));
  else if (rand() < 0.9) add(opt(53, rand() < 0.8 ? [1 + int(rand, 8)] : rand() < 0.5 ? [int(rand, 256)] : [1, 3]));
  if (rand() < 0.1) add(opt(53, [1 + int(rand, 8)])); // a second message type
  if (rand() < 0.85) {
    const vc = rand() < 0.9 ? pick(rand, VENDOR_CLASSES) : randomBytes(rand, int(rand, 40)).toString('latin1');
    add(opt(60, vc));
  }
  if (rand() < 0.7)
    add(
      opt(
        93,
        rand() < 0.9 ? [0, pick(rand, [0, 6, 7, 9, 10, 11, 16, 2, int(rand, 256)])] : randomBytes(rand, int(rand, 5)),
      ),
    );
  if (rand() < 0.3) add(opt(77, rand() < 0.7 ? 'iPXE' : randomBytes(rand, int(rand, 12))));
  if (rand() < 0.2) add(opt(175, randomBytes(rand, int(rand, 12))));
  if (rand() < 0.5) add(opt(97, rand() < 0.8 ? [0, ...randomBytes(rand, 16)] : randomBytes(rand, int(rand, 20))));
  if (rand() < 0.3) add(opt(94, rand() < 0.8 ? [1, 2, 1] : randomBytes(rand, int(rand, 5))));
  if (rand() < 0.4) add(opt(54, rand() < 0.9 ? ipBytes(randomIp(rand)) : randomBytes(rand, int(rand, 6))));
  if (rand() < 0.3) add(opt(50, ipBytes(randomIp(rand))));
  if (rand() < 0.3) add(opt(61, randomBytes(rand, int(rand, 20))));
  if (rand() < 0.3) add(opt(43, rand() < 0.5 ? [71, 4, 0x80, 0, 0, 0, 255] : randomBytes(rand, int(rand, 30))));
  if (rand() < 0.5) add(opt(55, randomBytes(rand, int(rand, 20))));
  for (let k = int(rand, 4); k > 0; k--) add(opt(1 + int(rand, 254), randomBytes(rand, int(rand, 30))));
  const chaddr = Buffer.alloc(16);
  randomBytes(rand, 16).copy(chaddr);
  const p: DhcpPacket = {
    op: tame || rand() < 0.9 ? 1 : pick(rand, [2, 0, 3, 255]),
    htype: rand() < 0.9 ? 1 : int(rand, 256),
    hlen: tame || rand() < 0.9 ? 6 : pick(rand, [0, 16, 17, 255]),
    hops: int(rand, 3),
    xid: int(rand, 0x100000000),
    secs: int(rand, 65536),
    flags: rand() < 0.5 ? 0x8000 : int(rand, 65536),
    ciaddr: tame || rand() < 0.7 ? '0.0.0.0' : randomIp(rand),
    yiaddr: rand() < 0.9 ? '0.0.0.0' : randomIp(rand),
    siaddr: '0.0.0.0',
    giaddr: tame || rand() < 0.9 ? '0.0.0.0' : randomIp(rand),
    chaddr,
    sname: '',
    file: '',
    options: options.filter((o) => o.code !== 52),
  };
  let bytes: Buffer;
  try {
    bytes = encode(p);
  } catch {
    bytes = encode({ ...p, hlen: 6 }); // hlen > 16 cannot be encoded; write it raw below
    bytes[2] = p.hlen;
  }
  if (rand() < 0.1) {
    // Option 52 overload: options hidden in the file/sname fields, sometimes contradicting the main area.
    const area = rand() < 0.5 ? 108 : 44;
    const inner = Buffer.concat([
      Buffer.from([60, 9]),
      Buffer.from(pick(rand, ['PXEClient', 'MSFT 5.0X']), 'latin1'),
      Buffer.from([255]),
    ]);
    inner.copy(bytes, area);
    const end = bytes.indexOf(255, 240);
    const overload = Buffer.from([52, 1, area === 108 ? 1 : 2]);
    bytes = Buffer.concat([bytes.subarray(0, end), overload, bytes.subarray(end)]);
  }
  return !tame && rand() < 0.3 ? mutate(rand, bytes, { maxLen: 1500 }) : bytes;
}

/** Generated packets through proxy mode (plain and after auto fallback), both ports. */
export function proxyPropertyCampaign(seed: number, iterations: number, deadline = Infinity): CampaignStats {
  const rand = prng(seed);
  const { proxy, fallback } = responders();
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  let i = 0;
  for (; i < iterations && (i & 1023 || Date.now() < deadline); i++) {
    const input = generatePacket(rand);
    const via: Via = rand() < 0.6 ? 'dhcp' : 'pxe';
    const from =
      via === 'pxe'
        ? { address: `10.77.0.${int(rand, 256)}`, port: pick(rand, [68, 4011, int(rand, 65536)]) }
        : { address: '0.0.0.0', port: 68 };
    for (const [name, resp] of [
      ['proxy', proxy],
      ['fallback', fallback],
    ] as const) {
      let out: Outcome;
      try {
        out = resp.handle(input, from, via);
      } catch (err) {
        return fail(`${name} responder`, seed, i, `threw ${(err as Error).stack}`, input);
      }
      bump(counts, out.replies.length ? `${name} answered` : `${name} silent`);
      const v = proxyViolation(input, out);
      if (v) fail(`${name} responder`, seed, i, v, input);
    }
  }
  return { name: 'dhcp-proxy-property', seed, iterations: i, ms: Date.now() - t0, counts };
}
