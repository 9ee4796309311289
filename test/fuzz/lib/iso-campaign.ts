/**
 * ISO fuzz: a real xorriso image (Rock Ridge + Joliet + El Torito BIOS/EFI, symlinks in and out,
 * deep folders, long names, hostile boot configs) mutated and truncated, then opened, planned by the
 * boot planner (which parses the image's GRUB/SYSLINUX menus) and walked. Every failure must be a
 * VfsError; nothing may hang; nothing read may exceed what the image holds.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { planSource } from '../../../main/boot';
import { openIso } from '../../../main/iso';
import { isVfsError, type Vfs } from '../../../main/vfs';
import { buildIso, link, makeTree } from '../../helpers/mkiso';
import { bump, int, mutate, prng, type CampaignStats } from './mutate';
import { errorMessage } from '../../../main/errors';

const SECTOR = 2048;

/** Boot configs an attacker might ship: traversal, self-includes, absurd lengths. */
const HOSTILE_ISOLINUX = [
  'include isolinux.cfg',
  'include /../../etc/passwd',
  'default evil',
  'label evil',
  '  kernel ../../../../etc/passwd',
  '  append initrd=/../../etc/shadow,/boot/initrd.img ' + 'x'.repeat(5000),
  'label loop',
  '  config isolinux.cfg',
  'ui ../../../bin/sh',
].join('\n');
const HOSTILE_GRUB = [
  'source /boot/grub/grub.cfg',
  'configfile /boot/grub/grub.cfg',
  'menuentry "evil" {',
  '  linux /../../etc/passwd root=live:CDLABEL=x',
  '  initrd ../../../etc/shadow',
  '}',
  'menuentry "' + 'y'.repeat(3000) + '" { linux /casper/vmlinuz boot=casper\n initrd /casper/initrd }',
  'if [ x = x ]; then menuentry a { linux /a } fi',
].join('\n');

/** Build the seed image in `dir`; returns its path. */
export async function buildSeedIso(dir: string): Promise<string> {
  const src = join(dir, 'seed-src');
  let deep: Record<string, unknown> = { 'BOTTOM.TXT': 'deep' };
  for (let i = 12; i >= 1; i--) deep = { [`d${i}`]: deep };
  await makeTree(src, {
    '.disk': { info: 'Ubuntu 24.04 LTS "Fuzz" - Release amd64' },
    casper: {
      vmlinuz: Buffer.alloc(6000, 0x4d),
      initrd: Buffer.alloc(5000, 0x1f),
      'filesystem.squashfs': Buffer.alloc(9000, 0x68),
    },
    isolinux: {
      'isolinux.cfg': HOSTILE_ISOLINUX,
      'txt.cfg': 'label live\n kernel /casper/vmlinuz\n append initrd=/casper/initrd boot=casper\n',
    },
    boot: { grub: { 'grub.cfg': HOSTILE_GRUB, 'loopback.cfg': 'source /boot/grub/grub.cfg\n' } },
    links: {
      passwd: link('/etc/passwd'),
      up: link('../../etc/passwd'),
      self: link('self'),
      ping: link('pong'),
      pong: link('ping'),
      kernel: link('../casper/vmlinuz'),
    },
    'a rather long file name for rock ridge and joliet, with spaces and ünïcödé.txt': 'long',
    ...(deep as Record<string, never>),
  });
  const iso = join(dir, 'seed.iso');
  await buildIso(src, iso, { bios: true, efi: true, volid: 'FUZZ_SEED' });
  return iso;
}

async function walk(
  vfs: Vfs,
  isoSize: number,
  budget: number,
): Promise<{ ops: number; errors: number; bytes: number }> {
  let ops = 0;
  let errors = 0;
  let bytes = 0;
  const vfsOnly = (err: unknown) => {
    if (!isVfsError(err)) throw new Error(`not a VfsError: ${(err as Error)?.stack ?? String(err)}`);
    errors++;
  };
  const queue: Array<{ path: string; depth: number }> = [{ path: '/', depth: 0 }];
  while (queue.length > 0 && ops < budget) {
    const { path, depth } = queue.shift()!;
    ops++;
    let entries;
    try {
      entries = await vfs.readdir(path);
    } catch (err) {
      vfsOnly(err);
      continue;
    }
    for (const e of entries.slice(0, 200)) {
      ops++;
      const child = path === '/' ? `/${e.name}` : `${path}/${e.name}`;
      if (e.type === 'dir' && depth < 40) queue.push({ path: child, depth: depth + 1 });
      try {
        const st = await vfs.stat(child);
        if (st.type !== 'file') continue;
        const f = await vfs.open(child);
        try {
          const buf = Buffer.alloc(Math.min(st.size, 64 * 1024));
          const n = await f.read(buf, 0, buf.length, 0);
          if (n > st.size || n > isoSize)
            throw new Error(`${child}: read ${n} bytes of a ${st.size}-byte file in a ${isoSize}-byte image`);
          bytes += n;
        } finally {
          await f.close();
        }
      } catch (err) {
        vfsOnly(err);
      }
    }
  }
  return { ops, errors, bytes };
}

/** `iterations` mutated copies of `seedIso`, each written to `workDir` and put through open → plan → walk. */
export async function isoCampaign(
  seed: number,
  iterations: number,
  seedIso: string,
  workDir: string,
  deadline = Infinity,
): Promise<CampaignStats> {
  const rand = prng(seed);
  const base = await fsp.readFile(seedIso);
  const counts: Record<string, number> = {};
  const target = join(workDir, 'fuzzed.iso');
  // Metadata lives in the first sectors of a small xorriso image (descriptors, path tables, directories, catalog).
  const metaEnd = Math.min(base.length, 64 * SECTOR);
  const t0 = Date.now();
  let i = 0;
  for (; i < iterations && Date.now() < deadline; i++) {
    let img: Buffer;
    const kind = rand();
    if (kind < 0.05) img = base.subarray(0, int(rand, base.length));
    else if (kind < 0.15)
      img = mutate(rand, base, { from: 16 * SECTOR }); // anywhere, incl. file data (boot configs)
    else {
      img = Buffer.from(base);
      const edits = 1 + int(rand, 16);
      for (let k = 0; k < edits; k++) {
        const at = 16 * SECTOR + int(rand, metaEnd - 16 * SECTOR - 4);
        const r = rand();
        if (r < 0.3) img.writeUInt32LE(int(rand, 0x100000000), at);
        else if (r < 0.4) img.writeUInt32BE(int(rand, 0x100000000), at);
        else img[at] = int(rand, 256);
      }
    }
    await fsp.writeFile(target, img);
    const step = async (): Promise<void> => {
      let vfs;
      try {
        vfs = await openIso(target, { cacheEntries: 2000 });
      } catch (err) {
        if (!isVfsError(err)) throw new Error(`openIso threw a non-VfsError: ${(err as Error)?.stack}`);
        bump(counts, `refused at open (${err.code})`);
        return;
      }
      try {
        try {
          const plan = await planSource(
            vfs,
            {
              label: vfs.info.label,
              size: vfs.info.size,
              fileSystems: vfs.info.fileSystems,
              elTorito: vfs.info.elTorito,
            },
            { sourceId: 'fuzz', hostPath: target },
          );
          bump(counts, `planned (${plan.summary.family})`);
        } catch (err) {
          if (!isVfsError(err)) throw new Error(`planSource threw a non-VfsError: ${(err as Error)?.stack}`);
          bump(counts, `plan refused (${err.code})`);
        }
        const w = await walk(vfs, img.length, 1500);
        bump(counts, 'walk ops', w.ops);
        bump(counts, w.errors > 0 ? 'walked with errors' : 'walked clean');
      } finally {
        await vfs.close();
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('did not finish within 20 s (a hang)')), 20_000);
    });
    try {
      await Promise.race([step(), hang]);
    } catch (err) {
      const keep = join(workDir, `failing-${seed}-${i}.iso`);
      await fsp.writeFile(keep, img);
      throw new Error(`iso: ${errorMessage(err)} (seed ${seed}, iteration ${i}; image kept at ${keep})`);
    } finally {
      clearTimeout(timer);
    }
  }
  return { name: 'iso', seed, iterations: i, ms: Date.now() - t0, counts };
}
