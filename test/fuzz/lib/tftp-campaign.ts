/**
 * TFTP fuzz campaign over the pure parts a request touches before any file is opened: the packet
 * codec, option negotiation and path splitting. Mutated real requests (OVMF's probe, iPXE, PXELINUX,
 * traversal attempts) plus random packets. Invariants: nothing throws except VfsError from the path
 * splitter; negotiated values stay inside their bounds; a split path never climbs or carries NUL.
 */
import { negotiate, MAX_BLKSIZE, MAX_WINDOWSIZE, MAX_WINDOW_BYTES, MIN_BLKSIZE } from '../../../main/tftp/options';
import { encodeRequest, parsePacket } from '../../../main/tftp/packet';
import { isVfsError, splitPath } from '../../../main/vfs';
import { bump, int, mutate, pick, prng, type CampaignStats } from './mutate';

export function tftpSeeds(): Buffer[] {
  const rrq = (filename: string, options: Array<[string, string]> = []) =>
    encodeRequest({ op: 'rrq', filename, mode: 'octet', options });
  return [
    rrq('undionly.kpxe'),
    rrq('ipxe.efi', [
      ['tsize', '0'],
      ['blksize', '1468'],
    ]), // OVMF's size probe
    rrq('ipxe.efi', [
      ['blksize', '1468'],
      ['windowsize', '4'],
    ]),
    rrq('/boot/x86_64/vmlinuz', [
      ['blksize', '1432'],
      ['tsize', '0'],
    ]), // iPXE
    rrq('pxelinux.cfg/01-52-54-00-12-34-56', [
      ['blksize', '1408'],
      ['tsize', '0'],
    ]), // PXELINUX
    rrq('..\\..\\etc\\passwd'),
    rrq('/../../etc/passwd', [['timeout', '1']]),
    encodeRequest({ op: 'wrq', filename: 'evil', mode: 'octet' }),
    encodeRequest({ op: 'rrq', filename: 'a', mode: 'netascii' }),
    Buffer.from([0, 4, 0, 1]), // ACK
    Buffer.from([0, 5, 0, 8, 0x61, 0]), // ERROR
    Buffer.from([0, 3, 0, 1, 1, 2, 3]), // DATA
  ];
}

export function tftpCampaign(seed: number, iterations: number, deadline = Infinity): CampaignStats {
  const rand = prng(seed);
  const base = tftpSeeds();
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  const fail = (i: number, what: string, input: Buffer): never => {
    throw new Error(
      `tftp: ${what} (seed ${seed}, iteration ${i}; FUZZ_SEED=${seed} replays it)\ninput: ${input.toString('hex')}`,
    );
  };
  let i = 0;
  for (; i < iterations && (i & 1023 || Date.now() < deadline); i++) {
    const input =
      rand() < 0.05
        ? Buffer.from(Array.from({ length: int(rand, 80) }, () => int(rand, 256)))
        : mutate(rand, pick(rand, base), { maxLen: 65_507 });
    let parsed;
    try {
      parsed = parsePacket(input);
    } catch (err) {
      return fail(i, `parsePacket threw ${(err as Error).stack}`, input);
    }
    if (!parsed.ok) {
      bump(counts, 'rejected');
      if (typeof parsed.reason !== 'string' || parsed.reason === '') fail(i, 'rejected without a reason', input);
      continue;
    }
    const p = parsed.packet;
    bump(counts, p.op);
    if (p.op !== 'rrq' && p.op !== 'wrq') continue;
    try {
      const mtu = pick(rand, [undefined, 576, 1500, 9000]);
      const n = negotiate(p.options, { mtu, fileSize: int(rand, 2 ** 32) });
      const cap = mtu === undefined ? MAX_BLKSIZE : mtu - 32;
      if (n.blksize < MIN_BLKSIZE || n.blksize > Math.max(512, cap))
        fail(i, `blksize ${n.blksize} outside ${MIN_BLKSIZE}..${cap}`, input);
      if (n.windowsize < 1 || n.windowsize > MAX_WINDOWSIZE) fail(i, `windowsize ${n.windowsize}`, input);
      if (n.windowsize > 1 && n.windowsize * n.blksize > MAX_WINDOW_BYTES)
        fail(i, `window of ${n.windowsize}×${n.blksize} bytes`, input);
      if (n.timeoutMs !== null && (n.timeoutMs < 1000 || n.timeoutMs > 255_000))
        fail(i, `timeout ${n.timeoutMs}`, input);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('tftp:')) throw err;
      fail(i, `negotiate threw ${(err as Error).stack}`, input);
    }
    try {
      const parts = splitPath(p.filename);
      if (parts.some((x) => x === '..' || x === '.' || x === '' || /[\u0000-\u001f/\\]/.test(x)))
        fail(i, `splitPath kept ${JSON.stringify(parts)}`, input);
      bump(counts, 'paths accepted');
    } catch (err) {
      if (!isVfsError(err)) return fail(i, `splitPath threw ${(err as Error).stack}`, input);
      bump(counts, `paths refused (${err.code})`);
    }
  }
  return { name: 'tftp', seed, iterations: i, ms: Date.now() - t0, counts };
}
