/**
 * Nothing outside what is served is reachable, over TFTP and HTTP, whatever the path says: a canary
 * file with a unique token sits next to the served folder; an xorriso -R image carries Rock Ridge
 * symlinks to /etc/passwd, ../../etc/passwd, the canary's absolute path and / itself, plus a hostile
 * isolinux.cfg whose entries point there; a served host folder holds symlinks out. Every request in
 * every encoding is sent raw, and no reply may carry a byte of the canary or of /etc/passwd.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSource } from '../../main/boot';
import { HttpServer } from '../../main/http';
import { openIso, type IsoSource } from '../../main/iso';
import { TftpServer } from '../../main/tftp';
import { encodeRequest } from '../../main/tftp/packet';
import { TransferTracker } from '../../main/transfer';
import { FolderSource, MountedTree } from '../../main/vfs';
import { buildIso, link, makeTree, removeTempDirs, tempDir } from '../helpers/mkiso';
import { httpGet, tftpFetch } from '../fuzz/lib/clients';

const HOST = '127.0.0.3';
const TOKEN = `BOOTDROP-CANARY-${randomBytes(12).toString('hex')}`;
const PASSWD_MARK = 'root:x:0:0:';

let work: string;
let canary: string;
let iso: IsoSource;
let tftp: TftpServer;
let http: HttpServer;
const logs: string[] = [];

/** Every traversal spelling we know, relative to a prefix inside the served tree. */
function traversals(prefix: string, depth: number): string[] {
  const up = '../'.repeat(depth);
  const out = [
    `${prefix}${up}secret.txt`,
    `${prefix}${up}etc/passwd`,
    `${prefix}${up.replace(/\//g, '\\')}secret.txt`,
    `${prefix}${'..\\/'.repeat(depth)}etc/passwd`,
    `${prefix}${'....//'.repeat(depth)}secret.txt`,
    `${prefix}${'%2e%2e/'.repeat(depth)}secret.txt`,
    `${prefix}${'%2e%2e%2f'.repeat(depth)}secret.txt`,
    `${prefix}${'..%2f'.repeat(depth)}etc%2fpasswd`,
    `${prefix}${'..%5c'.repeat(depth)}secret.txt`,
    `${prefix}${'%252e%252e/'.repeat(depth)}secret.txt`,
    `${prefix}${'%c0%ae%c0%ae/'.repeat(depth)}secret.txt`,
    `${prefix}${'%e0%80%ae%e0%80%ae/'.repeat(depth)}etc/passwd`,
    `${prefix}${'.%2e/'.repeat(depth)}secret.txt`,
    `${prefix}ok.txt%00${up}secret.txt`,
    `${prefix}ok.txt\0${up}secret.txt`,
    `${prefix}${'a/../'.repeat(200)}${up}secret.txt`,
    `${prefix}${'x'.repeat(4000)}/${up}${up}secret.txt`,
  ];
  return out;
}

beforeAll(async () => {
  work = await tempDir('traversal');
  // Layout: <work>/secret.txt (the canary), <work>/served/ (a folder source), <work>/img.iso.
  canary = join(work, 'secret.txt');
  await fsp.writeFile(canary, `${TOKEN}\n`);
  const served = join(work, 'served');
  await makeTree(served, {
    'ok.txt': 'folder ok',
    escape: link('../secret.txt'),
    abs: link(canary),
    updir: link('..'),
    etc: link('/etc'),
    loop: link('loop'),
    sub: { deeper: link('../../secret.txt') },
  });
  const src = join(work, 'iso-src');
  await makeTree(src, {
    'README.TXT': 'iso ok',
    // Real files the hostile menus reach through dot-dot spellings (so those entries plan and are fetched).
    kern: { vmlinuz: 'kernel inside the iso', 'initrd.img': 'initrd inside the iso' },
    links: {
      passwd: link('/etc/passwd'),
      up: link('../../etc/passwd'),
      far: link('../../../../../../../../etc/passwd'),
      canary: link(canary),
      canaryUp: link(`../../../../../../../..${canary}`),
      rootdir: link('/'),
      etcdir: link('/etc'),
      inside: link('../README.TXT'),
      loop: link('loop2'),
      loop2: link('loop'),
    },
    isolinux: {
      'isolinux.cfg': `default evil\nlabel evil\n  kernel /links/passwd\n  append initrd=../../../etc/passwd,/links/canary\nlabel evil2\n  kernel ../../../..${canary}\n  initrd /links/rootdir/etc/passwd\nlabel dots\n  kernel /isolinux/../../../kern/vmlinuz\n  append initrd=../kern/./initrd.img root=../../etc/passwd\ninclude ../../../etc/passwd\n`,
    },
    boot: { grub: { 'grub.cfg': `menuentry "evil" {\n linux /links/up\n initrd ${canary}\n}\nsource /etc/passwd\n` } },
  });
  const img = join(work, 'img.iso');
  await buildIso(src, img, { volid: 'EVIL' }); // xorriso -as mkisofs -R -J: Rock Ridge keeps the symlinks
  iso = await openIso(img);
  const tree = new MountedTree();
  tree.mount('/iso/evil', iso);
  tree.mount('/folder', await FolderSource.open(served));
  tree.setFile('/boot.ipxe', Buffer.from('#!ipxe\necho ok\n'));
  const tracker = new TransferTracker(() => undefined);
  const log = (level: string, message: string) => logs.push(`${level}: ${message}`);
  tftp = new TftpServer({ vfs: tree, address: HOST, port: 0, tracker, log });
  http = new HttpServer({ vfs: tree, address: HOST, port: 0, tracker, log });
  await tftp.start();
  await http.start();
});

afterAll(async () => {
  await tftp?.stop();
  await http?.stop();
  await iso?.close();
  await removeTempDirs();
});

function leaks(bytes: Buffer): boolean {
  const text = bytes.toString('latin1');
  return text.includes(TOKEN) || text.includes(PASSWD_MARK);
}

const symlinksOut = () => [
  'iso/evil/links/passwd',
  'iso/evil/links/up',
  'iso/evil/links/far',
  'iso/evil/links/canary',
  'iso/evil/links/canaryUp',
  'iso/evil/links/rootdir/etc/passwd',
  `iso/evil/links/rootdir${canary}`,
  'iso/evil/links/etcdir/passwd',
  'folder/escape',
  'folder/abs',
  'folder/updir/secret.txt',
  'folder/etc/passwd',
  'folder/loop',
  'iso/evil/links/loop',
  'folder/sub/deeper',
];

function allTargets(): string[] {
  const prefixes = ['', '/', 'folder/', 'iso/evil/', 'iso/evil/links/', 'iso/evil/isolinux/', 'folder/sub/'];
  const out = new Set<string>([
    ...symlinksOut(),
    canary,
    `/${canary}`,
    '/etc/passwd',
    '//etc/passwd',
    `file://${canary}`,
    `C:\\..\\..${canary}`,
  ]);
  for (const p of prefixes) for (const d of [1, 2, 4, 12]) for (const t of traversals(p, d)) out.add(t);
  return [...out];
}

describe('traversal over TFTP and HTTP (canary never leaves)', () => {
  it('the served tree itself works: folder, ISO and a Rock Ridge symlink that stays inside', async () => {
    expect(
      (
        await tftpFetch(HOST, tftp.port, encodeRequest({ op: 'rrq', filename: 'folder/ok.txt', mode: 'octet' }))
      ).data.toString(),
    ).toBe('folder ok');
    expect(
      (
        await tftpFetch(HOST, tftp.port, encodeRequest({ op: 'rrq', filename: 'iso/evil/links/inside', mode: 'octet' }))
      ).data.toString(),
    ).toBe('iso ok');
    const r = await httpGet(HOST, http.port, '/iso/evil/links/inside');
    expect(r.status).toBe(200);
    expect(r.reply.toString()).toMatch(/iso ok$/);
    expect((await fsp.readFile(canary, 'utf8')).trim()).toBe(TOKEN); // the canary is really there to be leaked
  });

  it('TFTP: every traversal spelling and every symlink out is refused, and no reply carries the canary', async () => {
    const targets = allTargets();
    let refused = 0;
    for (const t of targets) {
      // Raw RRQ, also with a backslash-only and an octet/netascii variant.
      for (const name of [t, t.replace(/\//g, '\\')]) {
        const req = Buffer.concat([
          Buffer.from([0, 1]),
          Buffer.from(name, 'latin1'),
          Buffer.from([0]),
          Buffer.from('octet\0'),
        ]);
        const r = await tftpFetch(HOST, tftp.port, req, 1500);
        expect(leaks(r.raw), `TFTP ${JSON.stringify(name)} leaked`).toBe(false);
        if (r.error) refused++;
      }
    }
    expect(refused).toBe(targets.length * 2);
    // Every refused request's session is gone again (allow the last ones a moment to close).
    for (let i = 0; i < 100 && tftp.activeSessions > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(tftp.activeSessions).toBe(0);
  });

  it('a symlink loop is "not found" on both protocols (TFTP error 1, HTTP 404), never a read error', async () => {
    for (const name of ['folder/loop', 'iso/evil/links/loop']) {
      const t = await tftpFetch(HOST, tftp.port, encodeRequest({ op: 'rrq', filename: name, mode: 'octet' }), 1500);
      expect(t.error, name).toBe('1: File not found');
      expect((await httpGet(HOST, http.port, `/${name}`)).status, name).toBe(404);
    }
  });

  it('HTTP: every traversal spelling and every symlink out gets 400/404, and no reply carries the canary', async () => {
    const targets = allTargets();
    const statuses = new Map<number | null, number>();
    for (const t of targets) {
      for (const target of [
        t.startsWith('/') || t.includes('://') ? t : `/${t}`,
        `/${t.replace(/\//g, '\\')}`,
        `http://${HOST}/${t}`,
      ]) {
        const r = await httpGet(HOST, http.port, target.replace(/\0/g, '%00'));
        expect(leaks(r.reply), `HTTP ${JSON.stringify(target)} leaked`).toBe(false);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect([400, 404], `HTTP ${JSON.stringify(target)} → ${r.status}`).toContain(r.status);
      }
    }
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(404)).toBeGreaterThan(0);
    // The first refusal per client is logged as it comes, the rest in one summary line per 10 s.
    expect(logs.some((l) => /^warn: (\d+ more .*the latest: )?refused .*(outside|\.\.|climbs above)/.test(l))).toBe(
      true,
    );
  });

  it('the hostile boot configs: entries pointing out are left out, saying why; the rest plan inside the ISO', async () => {
    const plan = await planSource(
      iso,
      { label: iso.info.label, size: iso.info.size, fileSystems: iso.info.fileSystems, elTorito: iso.info.elTorito },
      { sourceId: 'evil', hostPath: join(work, 'img.iso') },
    );
    // The symlinks out and the absolute path to the canary are refused by name, one reason each.
    expect(plan.skipped).toEqual([
      '"evil" (kernel /links/passwd not found)',
      `"evil2" (kernel ../../../..${canary} not found)`,
      '"evil" (kernel /links/up not found)',
    ]);
    // The dot-dot spellings that stay inside the image plan, clamped to the image's root.
    expect(plan.summary.entries.map((e) => [e.label, e.kernel, e.initrd])).toEqual([
      ['dots (its kernel, as its menu boots it)', '/kern/vmlinuz', ['/kern/initrd.img']],
    ]);
    const files = plan.summary.entries
      .flatMap((e) => [e.kernel, ...e.initrd])
      .filter((f): f is string => typeof f === 'string');
    expect(files).toHaveLength(2);
    for (const f of files) {
      const want = f.endsWith('vmlinuz') ? 'kernel inside the iso' : 'initrd inside the iso';
      const r = await httpGet(HOST, http.port, `/iso/evil${f}`);
      expect(leaks(r.reply), `planned file ${f} leaked`).toBe(false);
      expect([r.status, r.reply.toString('latin1').endsWith(want)], `planned file ${f} over HTTP`).toEqual([200, true]);
      const t = await tftpFetch(
        HOST,
        tftp.port,
        encodeRequest({ op: 'rrq', filename: `iso/evil${f}`, mode: 'octet' }),
        1500,
      );
      expect(leaks(t.raw), `planned file ${f} leaked over TFTP`).toBe(false);
      expect(t.data.toString('latin1'), `planned file ${f} over TFTP`).toBe(want);
    }
    expect(JSON.stringify(plan)).not.toContain(TOKEN);
  });
});
