/**
 * Fuzzing the live servers, and the check that follows every campaign: the server is still up and a
 * valid client still gets the right answer. TFTP and HTTP run in-process on a loopback address; DHCP
 * (which binds 0.0.0.0:67) runs compiled inside a TestLan namespace, hit from another namespace.
 */
import * as dgram from 'node:dgram';
import * as path from 'node:path';
import { HttpServer } from '../../../main/http';
import { TftpServer } from '../../../main/tftp';
import { encodeRequest } from '../../../main/tftp/packet';
import { TransferTracker } from '../../../main/transfer';
import type { Vfs } from '../../../main/vfs';
import { clientBytes, type ClientKind } from '../../helpers/dhcp/packets';
import { pxeClient, requirePeers, startBootdrop } from '../../helpers/dhcp/harness';
import { TestLan, type NetnsHost } from '../../helpers/netns';
import { tftpFetch } from './clients';
import { bump, mutate, pick, prng, type CampaignStats } from './mutate';
import { tftpSeeds } from './tftp-campaign';

export interface LoopbackServers {
  host: string;
  tftp: TftpServer;
  http: HttpServer;
  tracker: TransferTracker;
  logs: string[];
  stop(): Promise<void>;
}

export async function loopbackServers(vfs: Vfs, host: string): Promise<LoopbackServers> {
  const logs: string[] = [];
  const log = (level: string, message: string) => {
    if (logs.length < 10_000) logs.push(`${level}: ${message}`);
  };
  const tracker = new TransferTracker(() => undefined);
  const tftp = new TftpServer({ vfs, address: host, port: 0, tracker, log, timeoutMs: 300, retries: 2 });
  const http = new HttpServer({ vfs, address: host, port: 0, tracker, log, headersTimeoutMs: 2000 });
  await tftp.start();
  await http.start();
  return { host, tftp, http, tracker, logs, stop: async () => (await tftp.stop(), await http.stop()) };
}

/** Mutated datagrams at the TFTP listener from 8 source ports, in bounded bursts. */
export async function tftpLiveCampaign(
  seed: number,
  iterations: number,
  target: { host: string; port: number },
): Promise<CampaignStats> {
  const rand = prng(seed);
  const base = tftpSeeds();
  const counts: Record<string, number> = {};
  const socks = await Promise.all(
    Array.from(
      { length: 8 },
      () =>
        new Promise<dgram.Socket>((resolve) => {
          const s = dgram.createSocket('udp4');
          s.on('message', (m) =>
            bump(counts, m.length >= 2 && m.readUInt16BE(0) === 5 ? 'error replies' : 'other replies'),
          );
          s.bind(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const t0 = Date.now();
  for (let i = 0; i < iterations; i++) {
    const pkt = mutate(rand, pick(rand, base), { maxLen: 1400 });
    pick(rand, socks).send(pkt, target.port, target.host);
    if (i % 64 === 63) await new Promise((r) => setTimeout(r, 1)); // let the server breathe: a fuzz, not a flood
  }
  await new Promise((r) => setTimeout(r, 300));
  for (const s of socks) s.close();
  return { name: 'tftp-live', seed, iterations, ms: Date.now() - t0, counts };
}

/** A valid TFTP client (another address than the fuzzer's) gets `file` byte-exact. */
export async function tftpStillServes(
  target: { host: string; port: number },
  file: string,
  want: Buffer,
): Promise<void> {
  const r = await tftpFetch(
    target.host,
    target.port,
    encodeRequest({ op: 'rrq', filename: file, mode: 'octet' }),
    3000,
    8 << 20,
    '127.0.0.9',
  );
  if (r.error || !r.data.equals(want))
    throw new Error(
      `after the fuzz run TFTP did not serve ${file}: ${r.error ?? `${r.data.length} bytes, expected ${want.length}`}`,
    );
}

const SENDER = path.join(__dirname, 'dhcp-sender.cjs');

/**
 * Mutated DHCP packets (broadcast to 67, unicast to 4011, mostly fresh MACs) at a live DhcpService in
 * a namespace; then a scapy BIOS PXE client must still get its boot file. Returns the stats and the
 * file offered after the run.
 */
/** The UDP counters of a namespace (/proc/net/snmp is per network namespace). */
async function udpCounters(host: NetnsHost): Promise<{ InDatagrams: number; RcvbufErrors: number; NoPorts: number }> {
  const { stdout } = await host.exec(['cat', '/proc/net/snmp']);
  const [names, values] = stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  if (!names || !values) throw new Error(`no Udp lines in /proc/net/snmp of ${host.ns}`);
  const keys = names.split(/\s+/).slice(1);
  const nums = values.split(/\s+/).slice(1).map(Number);
  const get = (k: string): number => {
    const i = keys.indexOf(k);
    if (i < 0) throw new Error(`no Udp ${k} in /proc/net/snmp of ${host.ns}`);
    return nums[i]!;
  };
  return { InDatagrams: get('InDatagrams'), RcvbufErrors: get('RcvbufErrors'), NoPorts: get('NoPorts') };
}

export async function dhcpLiveCampaign(
  seed: number,
  iterations: number,
  net = '10.213.70',
): Promise<CampaignStats & { offeredAfter: string | null }> {
  requirePeers();
  const lan = await TestLan.create('fzd');
  const t0 = Date.now();
  try {
    const server = await lan.addHost('srv', `${net}.1/24`);
    const attacker = await lan.addHost('atk', `${net}.50/24`);
    const pc = await lan.addHost('pc', null, { mac: '52:54:00:70:00:10' });
    const bd = await startBootdrop(server, { iface: 'eth0', mode: 'proxy' });
    try {
      const kinds: ClientKind[] = ['bios', 'uefi', 'ipxe', 'http', 'plain', 'arm64'];
      const seeds = kinds
        .flatMap((k) => [clientBytes(k), clientBytes(k, { type: 3, ciaddr: `${net}.60`, flags: 0 })])
        .map((b) => b.toString('base64'));
      const before = await udpCounters(server);
      const r = await attacker.exec(['node', SENDER, `${net}.1`, String(iterations), String(seed), ...seeds]);
      const { sent, failed } = JSON.parse(r.stdout) as { sent: number; failed: number };
      if (failed > 0) throw new Error(`${failed} of ${sent} fuzz packets could not be sent: ${r.stderr}`);
      // Sent is not received: the server namespace's UDP counters say how many reached a socket.
      const after = await udpCounters(server);
      const arrived = after.InDatagrams - before.InDatagrams;
      const overflowed = after.RcvbufErrors - before.RcvbufErrors;
      if (arrived + overflowed < sent)
        throw new Error(
          `only ${arrived} of ${sent} fuzz packets reached the server's sockets (${overflowed} more overflowed a receive buffer; no socket: ${after.NoPorts - before.NoPorts})`,
        );
      const replies = await pxeClient(pc, { kind: 'bios', mac: '52:54:00:70:00:10' });
      const offer = replies.find((x) => x.src === `${net}.1`);
      const errors = bd.lines.filter((l) => l.type === 'error' || (l.type === 'log' && l.level === 'error'));
      if (errors.length)
        throw new Error(`the DHCP service reported errors under fuzz: ${JSON.stringify(errors.slice(0, 5))}`);
      if (bd.proc.exitCode !== null) throw new Error(`the DHCP service exited (${bd.proc.exitCode}) under fuzz`);
      const counts: Record<string, number> = {
        sent,
        arrived,
        'receive buffer overflows': overflowed,
        'log lines': bd.lines.length,
        'flood warnings': bd.lines.filter((l) => l.type === 'log' && /too many DHCP packets/.test(String(l.message)))
          .length,
      };
      return {
        name: 'dhcp-live',
        seed,
        iterations: sent,
        ms: Date.now() - t0,
        counts,
        offeredAfter: offer?.file ?? null,
      };
    } finally {
      await bd.stop();
    }
  } finally {
    await lan.destroy();
  }
}
