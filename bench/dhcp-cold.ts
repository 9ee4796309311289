/**
 * Micro-benchmark of the DHCP hot path in a FRESH process: what a boot storm's first DISCOVERs cost
 * before V8 has compiled anything. Each run spawns a new Node process that builds 150 PXE DISCOVERs
 * (BIOS and UEFI, distinct MACs; written byte by byte so the codec under test stays cold), then times
 * `Responder.handle` (decode, facts, policy, encode) on each, back to back, as a burst would.
 *
 *   node dist/bench/bench/dhcp-cold.js            # alternating cold/warm runs, medians
 *   DHCP_COLD_RUNS=9 node dist/bench/bench/dhcp-cold.js
 *
 * 'cold' runs the packets straight away; 'warm' first calls the DHCP service's start-up warm-up
 * (warmResponder, START_WARM_UP_ROUNDS passes or DHCP_WARM_ROUNDS), as `DhcpService.start` does,
 * then idles 200 ms. Figures (µs): the first packet, the mean of the next ten, the mean over all
 * 150, the median of the first 50, and their sum (≈ when the 50th reply of a burst that arrived at
 * once could leave, before sends).
 */
import { spawnSync } from 'node:child_process';
import { PxePolicy } from '../main/boot/pxe-policy';
import { Responder } from '../main/dhcp/responder';
import { envInt, fmt, median } from './lib/stats';

const PACKETS = 150;
const SERVER = '10.232.0.2';

/** A PXE DISCOVER as a ROM sends it, built by hand (no codec code runs before the measurement). */
function discoverBytes(i: number, uefi: boolean): Buffer {
  const b = Buffer.alloc(400);
  b[0] = 1; // BOOTREQUEST
  b[1] = 1;
  b[2] = 6;
  b.writeUInt32BE((0x5e000000 + i * 16) >>> 0, 4);
  b.writeUInt16BE(4, 8);
  b.writeUInt16BE(0x8000, 10);
  b.set([0x52, 0x54, 0x00, 0x77, (i >> 8) & 255, i & 255], 28);
  b.writeUInt32BE(0x63825363, 236);
  let o = 240;
  const put = (code: number, data: number[] | string): void => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    b[o] = code;
    b[o + 1] = bytes.length;
    bytes.copy(b, o + 2);
    o += 2 + bytes.length;
  };
  const arch = uefi ? 7 : 0;
  put(53, [1]);
  put(57, [4, 0xec]);
  put(60, `PXEClient:Arch:0000${arch}:UNDI:00${uefi ? '3016' : '2001'}`);
  put(93, [0, arch]);
  put(94, [1, 2, 1]);
  put(97, [0, ...Array.from({ length: 16 }, (_, k) => (k * 17 + i) & 255)]);
  put(
    55,
    [
      1, 2, 3, 4, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128,
      129, 130, 131, 132, 133, 134, 135,
    ],
  );
  b[o] = 255;
  return b.subarray(0, Math.max(300, o + 1));
}

interface ChildResult {
  warmUpUs: number;
  us: number[];
}

async function child(mode: string): Promise<void> {
  const packets = Array.from({ length: PACKETS }, (_, i) => discoverBytes(i, i % 2 === 1));
  const opts = { serverIp: SERVER, prefix: 24, policy: new PxePolicy({ httpPort: 80 }) };
  const responder = new Responder(opts);
  let warmUpUs = 0;
  if (mode === 'warm') {
    // Loaded only here, so a cold run does not even parse the warm-up module.
    const { START_WARM_UP_ROUNDS, warmResponder } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../main/dhcp/warm-up') as typeof import('../main/dhcp/warm-up');
    const t = process.hrtime.bigint();
    warmResponder({ ...opts, rounds: envInt('DHCP_WARM_ROUNDS', START_WARM_UP_ROUNDS) });
    warmUpUs = Number(process.hrtime.bigint() - t) / 1000;
    // Clients do not arrive within microseconds of Serve: give V8's background compiler the moment
    // it has in the real server to install the optimised code (DHCP_COLD_IDLE_MS, default 200).
    await new Promise((r) => setTimeout(r, envInt('DHCP_COLD_IDLE_MS', 200)));
  }
  const from = { address: '0.0.0.0', port: 68 };
  const us: number[] = [];
  let replies = 0;
  for (const p of packets) {
    const t = process.hrtime.bigint();
    const out = responder.handle(p, from, 'dhcp');
    us.push(Number(process.hrtime.bigint() - t) / 1000);
    replies += out.replies.length;
  }
  if (replies !== PACKETS) throw new Error(`expected ${PACKETS} replies, got ${replies}`);
  process.stdout.write(JSON.stringify({ warmUpUs, us } satisfies ChildResult));
}

function parent(): void {
  const runs = envInt('DHCP_COLD_RUNS', 7);
  const modes = (process.env.DHCP_COLD_MODES ?? 'cold,warm').split(',');
  const figures = new Map<
    string,
    { first: number[]; next10: number[]; mean150: number[]; median50: number[]; sum50: number[]; warmUp: number[] }
  >();
  for (let r = 0; r < runs; r++) {
    for (const mode of modes) {
      const res = spawnSync(process.execPath, [__filename, 'child', mode], { encoding: 'utf8', timeout: 60_000 });
      if (res.status !== 0) throw new Error(`child (${mode}) failed: ${res.stderr || res.error?.message}`);
      const { warmUpUs, us } = JSON.parse(res.stdout) as ChildResult;
      const f = figures.get(mode) ?? { first: [], next10: [], mean150: [], median50: [], sum50: [], warmUp: [] };
      const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
      f.first.push(us[0]!);
      f.next10.push(sum(us.slice(1, 11)) / 10);
      f.mean150.push(sum(us) / us.length);
      f.median50.push(median(us.slice(0, 50)));
      f.sum50.push(sum(us.slice(0, 50)));
      f.warmUp.push(warmUpUs);
      figures.set(mode, f);
    }
  }
  process.stdout.write(`Responder.handle on PXE DISCOVERs in a fresh process, median of ${runs} runs (µs)\n`);
  process.stdout.write(
    '| mode | first | mean of next 10 | mean of 150 | median of first 50 | sum of first 50 | warm-up itself |\n|---|---|---|---|---|---|---|\n',
  );
  for (const [mode, f] of figures) {
    process.stdout.write(
      `| ${mode} | ${fmt(median(f.first), 0)} | ${fmt(median(f.next10), 1)} | ${fmt(median(f.mean150), 1)} | ${fmt(median(f.median50), 1)} | ${fmt(median(f.sum50), 0)} | ${mode === 'warm' ? fmt(median(f.warmUp), 0) : '—'} |\n`,
    );
  }
}

if (process.argv[2] === 'child') {
  child(process.argv[3] ?? 'cold').catch((err: Error) => {
    process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  });
} else parent();
