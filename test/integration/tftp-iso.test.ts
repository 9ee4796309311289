/**
 * TFTP straight out of a real ISO (built with xorriso, read by main/iso): what curl, atftp and
 * tftp-hpa download must equal the file inside the image as xorriso itself extracts it — including
 * isolinux.bin, which xorriso patches with the boot info table, so it differs from the host's copy.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../main/contract';
import { openSource } from '../../main/iso';
import { TftpServer } from '../../main/tftp';
import { TransferTracker } from '../../main/transfer';
import { MountedTree, type Vfs } from '../../main/vfs';
import { buildIso, makeTree, removeTempDirs, tempDir } from '../helpers/mkiso';
import { run } from '../helpers/run';

const HOST = '127.0.0.4';
const TOOL_MS = 120_000;

let work: string;
let iso: string;
let isoVfs: Vfs;
/** The same tree served by the native data pump and by the JavaScript engine. */
const servers: Record<'native' | 'js', TftpServer | null> = { native: null, js: null };
const logs: Record<'native' | 'js', string[]> = { native: [], js: [] };
const transfers: TransferProgress[] = [];
const kernel = randomBytes(2_500_000);
const initrd = randomBytes(6_000_000);

/** The file as xorriso reads it out of the image: the reference every download is compared with. */
function extracted(path: string): Buffer {
  const dest = join(work, 'x', path.replace(/\//g, '_'));
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', path, dest], { stdio: 'ignore' });
  return readFileSync(dest);
}

beforeAll(async () => {
  work = await tempDir('tftp-iso');
  const src = join(work, 'src');
  await makeTree(src, {
    casper: { vmlinuz: kernel, 'initrd.gz': initrd },
    boot: { grub: { 'grub.cfg': 'menuentry "x" { linux /casper/vmlinuz }\n' } },
  });
  iso = join(work, 'test.iso');
  await buildIso(src, iso, { volid: 'TFTP_ISO', bios: true });
  isoVfs = (await openSource(iso)).vfs;
  // As the session serves it: the ISO mounted under a prefix of the served tree.
  const tree = new MountedTree();
  tree.mount('/iso/test', isoVfs);
  const tracker = new TransferTracker((t) => t.outcome !== 'active' && transfers.push(t));
  for (const engine of ['native', 'js'] as const) {
    const server = new TftpServer({
      vfs: tree,
      address: HOST,
      port: 0,
      tracker,
      log: (_l, m) => logs[engine].push(m),
      native: engine === 'native',
    });
    await server.start();
    servers[engine] = server;
  }
});

afterAll(async () => {
  for (const s of Object.values(servers)) await s?.stop();
  await isoVfs?.close();
  await removeTempDirs();
});

describe.each(['native', 'js'] as const)('TFTP from a real ISO (%s engine)', (engine) => {
  let server: TftpServer;
  beforeAll(() => {
    server = servers[engine]!;
  });

  it('curl gets the kernel and initrd byte-identical to the files inside the ISO', async () => {
    for (const [path, bs] of [
      ['/casper/vmlinuz', '1468'],
      ['/casper/initrd.gz', '8192'],
    ] as const) {
      const dest = join(work, `curl${path.replace(/\//g, '_')}`);
      const r = await run(
        'curl',
        ['-sS', '--tftp-blksize', bs, '-o', dest, `tftp://${HOST}:${server.port}/iso/test${path}`],
        { timeoutMs: TOOL_MS },
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const got = readFileSync(dest);
      expect(got.equals(extracted(path)), path).toBe(true);
      expect(got.equals(path.endsWith('vmlinuz') ? kernel : initrd)).toBe(true);
    }
  });

  it('serves the patched isolinux.bin exactly as the image holds it (atftp, upper-case with backslashes)', async () => {
    const dest = join(work, 'isolinux.bin');
    const r = await run(
      'atftp',
      [
        '--option',
        'blksize 1432',
        '--option',
        'windowsize 4',
        '-g',
        '-r',
        '\\ISO\\TEST\\ISOLINUX\\ISOLINUX.BIN',
        '-l',
        dest,
        HOST,
        String(server.port),
      ],
      { timeoutMs: TOOL_MS },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const inIso = extracted('/isolinux/isolinux.bin');
    expect(readFileSync(dest).equals(inIso)).toBe(true);
    // The boot info table makes the image's copy differ from the host's: we really read the ISO.
    expect(inIso.equals(readFileSync('/usr/lib/ISOLINUX/isolinux.bin'))).toBe(false);
  });

  it('tftp-hpa gets a text file from the ISO', async () => {
    const r = await run(
      'tftp',
      ['-m', 'binary', HOST, String(server.port), '-c', 'get', 'iso/test/boot/grub/grub.cfg', 'grub.cfg'],
      { cwd: work, timeoutMs: TOOL_MS },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(work, 'grub.cfg')).equals(extracted('/boot/grub/grub.cfg'))).toBe(true);
  });

  it('reports transfers with the canonical path inside the served tree', () => {
    expect(transfers.map((t) => [t.file, t.outcome, t.bytes])).toContainEqual([
      '/iso/test/casper/initrd.gz',
      'done',
      initrd.length,
    ]);
  });

  it(`the ${engine} engine served them`, () => {
    const pumped = logs[engine].filter((m) => m.startsWith('native data pump serves')).length;
    expect(pumped).toBe(engine === 'native' ? 4 : 0); // kernel, initrd, isolinux.bin, grub.cfg
  });
});
