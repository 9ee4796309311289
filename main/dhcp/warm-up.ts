/**
 * Start-up warm-up of the DHCP hot path, run once when the service starts. In a fresh process the
 * first packet costs ~2 ms (V8 parses and compiles every function on the way) and the next ones run
 * in the interpreter; running the Responder's decode → facts → policy → encode on synthetic packets
 * first makes V8 compile that code before the first real client. What it buys is small (the slowest
 * reply of a 50-PC burst ~0.1 s sooner under load, no change to when the PCs have booted:
 * docs/benchmarks.md), so it stays this simple: no timers, no tricks with the received Buffers.
 *
 * No side effects: the packets go through a separate Responder (its own throw-away lease pool for
 * the own-DHCP paths), its outcomes — replies, events, logs — are dropped, nothing is sent. The one
 * shared object is the BootPolicy, whose `decide` is a pure question (main/boot/policy.ts).
 */
import type { BootPolicy } from '../boot/policy';
import { BOOTREQUEST, BROADCAST_FLAG, encode, type DhcpOption } from './codec';
import { LeasePool } from './lease-pool';
import { macToChaddr, MessageType, Opt } from './options';
import { Responder, type Via } from './responder';

export interface WarmUpOptions {
  serverIp: string;
  prefix: number;
  policy: BootPolicy;
  /** Also warm own-DHCP mode's paths (auto and dhcp modes). */
  ownDhcp?: boolean;
  /** Passes over the synthetic packets (default START_WARM_UP_ROUNDS). */
  rounds?: number;
}

/**
 * Passes at start (12 synthetic packets each). bench/dhcp-cold.ts: after 20 passes (~30 ms of CPU on
 * a loaded 2-core box) the first 50 DISCOVERs took ~1 ms in all, as after 100 passes (~150 ms).
 */
export const START_WARM_UP_ROUNDS = 20;

type Kind = 'bios' | 'uefi' | 'ipxe' | 'http';
const ARCH: Record<Kind, number> = { bios: 0, uefi: 7, ipxe: 7, http: 16 };

/** A client packet as BIOS PXE ROMs, OVMF, iPXE and UEFI HTTP Boot send it (locally administered MACs). */
function packet(kind: Kind, type: number, n: number, ciaddr = '0.0.0.0'): Buffer {
  const arch = ARCH[kind];
  const text = (code: number, s: string): DhcpOption => ({ code, data: Buffer.from(s, 'latin1') });
  const options: DhcpOption[] = [
    { code: Opt.messageType, data: Buffer.from([type]) },
    { code: Opt.maxMessageSize, data: Buffer.from([4, 0xec]) },
    text(
      Opt.vendorClass,
      `${kind === 'http' ? 'HTTPClient' : 'PXEClient'}:Arch:${String(arch).padStart(5, '0')}:UNDI:003016`,
    ),
    { code: Opt.clientArch, data: Buffer.from([0, arch]) },
    { code: Opt.clientNdi, data: Buffer.from([1, 3, 16]) },
    { code: Opt.clientUuid, data: Buffer.from([0, ...Array.from({ length: 16 }, (_, i) => (i * 31 + n) & 255)]) },
    { code: Opt.parameterList, data: Buffer.from([1, 3, 6, 43, 60, 66, 67, 97, 128]) },
  ];
  if (kind === 'ipxe')
    options.push(text(Opt.userClass, 'iPXE'), {
      code: Opt.ipxeEncap,
      data: Buffer.from([177, 5, 1, 0x80, 0x86, 0x10, 0x0e]),
    });
  if (type === MessageType.request && ciaddr !== '0.0.0.0')
    options.push({ code: Opt.vendorSpecific, data: Buffer.from([71, 4, 0x80, 0, 0, 0, 255]) });
  const mac = `02:b0:07:${(n >> 8) & 255}:${n & 255}:${ARCH[kind]}`.replace(/\b(\d+)\b/g, (d) =>
    Number(d).toString(16).padStart(2, '0'),
  );
  return encode({
    op: BOOTREQUEST,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: (0xb0070000 + n) >>> 0,
    secs: 0,
    flags: BROADCAST_FLAG,
    ciaddr,
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: macToChaddr(mac),
    sname: '',
    file: '',
    options,
  });
}

/** Proxy-mode client packets as they reach the Responder: DISCOVERs on 67, REQUESTs on 4011. */
function proxyWarmUpPackets(
  serverIp: string,
): Array<{ data: Buffer; via: Via; from: { address: string; port: number } }> {
  const neighbour = neighbourOf(serverIp);
  const kinds: Kind[] = ['bios', 'uefi', 'ipxe', 'http'];
  return kinds.flatMap((kind, i) => [
    { data: packet(kind, MessageType.discover, i), via: 'dhcp' as const, from: { address: '0.0.0.0', port: 68 } },
    ...(neighbour
      ? [
          {
            data: packet(kind, MessageType.request, i, neighbour),
            via: 'pxe' as const,
            from: { address: neighbour, port: 4011 },
          },
        ]
      : []),
  ]);
}

/**
 * Run the Responder's whole per-packet path on synthetic packets, discarding the outcomes. Never
 * throws: a warm-up that fails only means the first real client meets cold code.
 */
export function warmResponder(o: WarmUpOptions): void {
  try {
    const proxy = new Responder({ serverIp: o.serverIp, prefix: o.prefix, policy: o.policy });
    proxy.mode = 'proxy';
    let own: Responder | null = null;
    if (o.ownDhcp) {
      try {
        own = new Responder({
          serverIp: o.serverIp,
          prefix: o.prefix,
          policy: o.policy,
          pool: new LeasePool({ subnet: { address: o.serverIp, prefix: o.prefix }, size: 4 }),
        });
        own.mode = 'dhcp';
      } catch {
        own = null; // a subnet too small for a pool: the live service has none either
      }
    }
    const work: Array<[Responder, Buffer, Via, { address: string; port: number }]> = proxyWarmUpPackets(o.serverIp).map(
      (p) => [proxy, p.data, p.via, p.from],
    );
    if (own)
      (['bios', 'uefi', 'ipxe', 'http'] as const).forEach((kind, i) =>
        work.push([own, packet(kind, MessageType.discover, 16 + i), 'dhcp', { address: '0.0.0.0', port: 68 }]),
      );
    const rounds = o.rounds ?? START_WARM_UP_ROUNDS;
    for (let r = 0; r < rounds; r++) for (const [resp, data, via, from] of work) resp.handle(data, from, via);
  } catch {
    /* see above */
  }
}

/** Another address on the server's subnet (a client that got one), for the 4011 path; null on a /31 or /32. */
function neighbourOf(ip: string): string | null {
  const q = ip.split('.').map(Number);
  if (q.length !== 4) return null;
  q[3] = q[3] === 254 ? 253 : q[3]! + 1;
  return q.join('.');
}
