/**
 * What the native TFTP data pump (main/native/tftp) buys for transfers a person waits for, measured
 * against the same engine with BOOTDROP_NATIVE=0 (the JavaScript path), in alternating rounds:
 * - a loader-sized file (the fixture's kernel; shim + signed grubx64.efi are ~2.5 MB) at blksize 1468,
 *   lock-step, as a PXE ROM fetches its loader;
 * - the initrd-sized payload (BENCH_TFTP_MIB) at blksize 1024, windowsize 1: how a signed GRUB pulls
 *   kernel and initrd over TFTP on the Secure Boot chain (GRUB's tftp module asks for 1024 and no window).
 * Client: curl (lock-step, one block in flight), server and client in one throw-away namespace.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { TestLan } from '../test/helpers/netns';
import type { Fixture } from './fixture';
import { alternate } from './lib/alternate';
import { run } from './lib/proc';
import type { Row } from './lib/report';
import { envInt, median } from './lib/stats';
import { startBootdrop, type Running } from './servers';

/** dist/bench/bench → dist/native (scripts/build-native.mjs). */
const NATIVE_DIR = path.resolve(__dirname, '..', '..', 'native');

export async function tftpNativeFigures(fx: Fixture, say: (s: string) => void): Promise<Row[]> {
  const rounds = envInt('BENCH_ROUNDS', 3);
  if (!existsSync(path.join(NATIVE_DIR, 'tftp.node')))
    throw new Error(`${NATIVE_DIR}/tftp.node is missing: run npm run build:native first`);
  const saved = { dir: process.env.BOOTDROP_NATIVE_DIR, native: process.env.BOOTDROP_NATIVE };
  const lan = await TestLan.create('tfn');
  const started: Running[] = [];
  try {
    const host = await lan.addHost('srv', '10.233.0.1/24');
    const wrap = ['ip', 'netns', 'exec', host.ns];
    // The servers inherit the environment they are started with: one with the pump, one without.
    process.env.BOOTDROP_NATIVE_DIR = NATIVE_DIR;
    delete process.env.BOOTDROP_NATIVE;
    const native = await startBootdrop(fx.iso, { address: '127.0.0.1', tftp: 3069, wrap });
    started.push(native);
    process.env.BOOTDROP_NATIVE = '0';
    const js = await startBootdrop(fx.iso, { address: '127.0.0.1', tftp: 3070, wrap });
    started.push(js);
    const fetch = (port: number, file: string, blksize: number, bytes: number) => async () => {
      const out = path.join('/tmp', `bootdrop-bench-tfn-${port}`);
      const r = await run(
        'ip',
        [
          ...wrap.slice(1),
          'curl',
          '-sS',
          '--tftp-blksize',
          String(blksize),
          '-o',
          out,
          `tftp://127.0.0.1:${port}${file}`,
        ],
        600_000,
      );
      const got = statSync(out).size;
      if (got !== bytes) throw new Error(`TFTP ${file} from port ${port}: got ${got} bytes, expected ${bytes}`);
      return r.ms / 1000;
    };
    const rows: Row[] = [];
    const cases = [
      { what: 'loader-sized file', file: fx.kernelPath, bytes: fx.sizes.kernelBytes, blksize: 1468 },
      { what: "signed GRUB's initrd pull", file: fx.tftpPath, bytes: fx.sizes.tftpBytes, blksize: 1024 },
    ];
    for (const c of cases) {
      const mib = (c.bytes / 2 ** 20).toFixed(0);
      say(`TFTP ${c.what}: ${mib} MiB at blksize ${c.blksize}, lock-step, native pump vs BOOTDROP_NATIVE=0`);
      const { a, b } = await alternate(
        rounds,
        fetch(3069, c.file, c.blksize, c.bytes),
        fetch(3070, c.file, c.blksize, c.bytes),
      );
      rows.push({
        figure: `TFTP ${c.what}, ${mib} MiB, blksize ${c.blksize}, windowsize 1 (curl): native pump vs JavaScript`,
        unit: 's',
        bootdrop: a,
        classic: b,
        classicName: 'BOOTDROP_NATIVE=0',
        goal: '—',
        met: null,
        note: `JavaScript takes ${(median(b) - median(a)).toFixed(2)} s longer (median)`,
      });
    }
    return rows;
  } finally {
    for (const s of started) await s.server.stop();
    await lan.destroy();
    if (saved.dir === undefined) delete process.env.BOOTDROP_NATIVE_DIR;
    else process.env.BOOTDROP_NATIVE_DIR = saved.dir;
    if (saved.native === undefined) delete process.env.BOOTDROP_NATIVE;
    else process.env.BOOTDROP_NATIVE = saved.native;
  }
}
