/**
 * TFTP figures: a large file at blksize 1468 (lock-step), then with windowsize 16, Bootdrop vs
 * tftpd-hpa and dnsmasq; then the per-block turnaround at blksize 1024 lock-step, which is how
 * Debian's signed GRUB (the Secure Boot chain) reads kernel and initrd, so it sets that boot's time. dnsmasq's TFTP port is fixed at 69, so all three servers and the client run
 * inside one throw-away namespace (its own loopback), on the same footing.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { TestLan } from '../test/helpers/netns';
import type { Fixture } from './fixture';
import { rotate } from './lib/alternate';
import { run } from './lib/proc';
import type { Row } from './lib/report';
import { envInt, mbps, median } from './lib/stats';
import { startBootdrop, startDnsmasqTftp, startTftpdHpa, type Running } from './servers';

const CLIENT = path.join(__dirname, 'tftp-client.js');
/** dist/bench/bench → dist/native (scripts/build-native.mjs). */
const NATIVE_DIR = path.resolve(__dirname, '..', '..', 'native');
const BLKSIZE = 1468;
/** Debian's grubnetx64/grubnetaa64 ask for blksize 1024 and read one block per ACK. */
const GRUB_BLKSIZE = 1024;

interface Fetched {
  bytes: number;
  ms: number;
  blksize: number;
  windowsize: number;
}

export async function tftpFigures(fx: Fixture, say: (s: string) => void): Promise<Row[]> {
  const rounds = envInt('BENCH_ROUNDS', 3);
  const window = envInt('BENCH_TFTP_WINDOW', 16);
  // The engine here is dist/bench/main, from where load.ts does not look in dist/native: point it
  // there (only for the servers this figure starts) so Bootdrop runs with its native TFTP data pump.
  const nativeDir = process.env.BOOTDROP_NATIVE_DIR;
  if (nativeDir === undefined && existsSync(path.join(NATIVE_DIR, 'tftp.node')))
    process.env.BOOTDROP_NATIVE_DIR = NATIVE_DIR;
  const lan = await TestLan.create('tft');
  const started: Running[] = [];
  const rows: Row[] = [];
  try {
    const host = await lan.addHost('srv', '10.231.0.1/24');
    const wrap = ['ip', 'netns', 'exec', host.ns];
    const bd = await startBootdrop(fx.iso, { address: '127.0.0.1', tftp: 2069, wrap });
    started.push(bd);
    started.push(await startTftpdHpa(fx.tftpDir, '127.0.0.1', 1069, wrap));
    started.push(await startDnsmasqTftp(fx.tftpDir, wrap));
    const negotiated = new Map<string, number>();
    const fetchRaw = async (name: string, port: number, file: string, ws: number, blksize: number) => {
      const out = await run(
        'ip',
        [
          'netns',
          'exec',
          host.ns,
          process.execPath,
          CLIENT,
          '127.0.0.1',
          String(port),
          file,
          String(blksize),
          String(ws),
        ],
        300_000,
      );
      const r = JSON.parse(out.stdout) as Fetched;
      if (r.bytes !== fx.sizes.tftpBytes)
        throw new Error(`TFTP from ${name}: got ${r.bytes} bytes, expected ${fx.sizes.tftpBytes}`);
      if (r.blksize !== blksize)
        throw new Error(`TFTP from ${name}: blksize ${r.blksize} negotiated, expected ${blksize}`);
      return r;
    };
    const fetch = (name: string, port: number, file: string, ws: number) => async () => {
      const r = await fetchRaw(name, port, file, ws, BLKSIZE);
      negotiated.set(`${name}/${ws}`, r.windowsize);
      return mbps(r.bytes, r.ms);
    };
    /** Microseconds from one DATA block to the next (the ACK round trip included), lock-step. */
    const turnaround = (name: string, port: number, file: string) => async () => {
      const r = await fetchRaw(name, port, file, 1, GRUB_BLKSIZE);
      return (r.ms * 1000) / Math.ceil((r.bytes + 1) / GRUB_BLKSIZE);
    };
    const inIso = fx.tftpPath.slice(1);
    const mib = fx.sizes.tftpBytes / 2 ** 20;
    for (const ws of [1, window]) {
      say(`TFTP: ${mib} MiB, blksize ${BLKSIZE}, windowsize ${ws} (Bootdrop, tftpd-hpa, dnsmasq)`);
      const [b, h, d] = await rotate(rounds, [
        fetch('bootdrop', 2069, inIso, ws),
        fetch('tftpd-hpa', 1069, 'tftp.bin', ws),
        fetch('dnsmasq', 69, 'tftp.bin', ws),
      ]);
      const label =
        ws === 1
          ? `TFTP ${mib} MiB, blksize ${BLKSIZE}`
          : `TFTP ${mib} MiB, blksize ${BLKSIZE}, windowsize ${ws} requested`;
      const goal = ws === 1 ? '≥ 1.0×' : '≥ 3×';
      const need = ws === 1 ? 1 : 3;
      for (const [name, xs] of [
        ['tftpd-hpa', h!],
        ['dnsmasq', d!],
      ] as const) {
        const got = negotiated.get(`${name}/${ws}`) ?? 1;
        const note =
          ws > 1 ? `${name} agreed windowsize ${got}; Bootdrop ${negotiated.get(`bootdrop/${ws}`) ?? 1}` : undefined;
        rows.push({
          figure: `${label} vs ${name}`,
          unit: 'MB/s',
          bootdrop: b!,
          classic: xs,
          classicName: name,
          goal,
          met: median(b!) / median(xs) >= need,
          ...(note ? { note } : {}),
        });
      }
    }
    say(`TFTP: ${mib} MiB, blksize ${GRUB_BLKSIZE} lock-step, per-block turnaround (the Secure Boot chain's GRUB)`);
    const [tb, th, td] = await rotate(rounds, [
      turnaround('bootdrop', 2069, inIso),
      turnaround('tftpd-hpa', 1069, 'tftp.bin'),
      turnaround('dnsmasq', 69, 'tftp.bin'),
    ]);
    for (const [name, xs] of [
      ['tftpd-hpa', th!],
      ['dnsmasq', td!],
    ] as const)
      rows.push({
        figure: `TFTP per-block turnaround, blksize ${GRUB_BLKSIZE} lock-step (GRUB) vs ${name}`,
        unit: 'µs',
        bootdrop: tb!,
        classic: xs,
        classicName: name,
        goal: '≤ 1.0× (lower is better)',
        met: median(tb!) <= median(xs),
        note: 'sets the kernel + initrd time of a Secure Boot (shim → GRUB) boot',
      });
  } finally {
    for (const s of started) await s.server.stop();
    await lan.destroy();
    if (nativeDir === undefined) delete process.env.BOOTDROP_NATIVE_DIR;
  }
  return rows;
}
