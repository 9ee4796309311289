import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MENU,
  defaultLoadersDir,
  HostFileSource,
  layoutServedTree,
  planSource,
  REQUIRED_LOADERS,
} from '../../../main/boot';
import { FolderSource, MountedTree, type Vfs } from '../../../main/vfs';
import * as F from './fixtures';

afterAll(() => F.cleanupTrees());

async function readAll(vfs: Vfs, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await vfs.createReadStream(path)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('layoutServedTree', () => {
  it('mounts loaders, the source tree, the raw ISO and a live /boot.ipxe; remove() takes it all out', async () => {
    const dir = await F.writeTree(F.UBUNTU_TREE);
    const isoDir = await F.writeTree({ 'ubuntu.iso': 'pretend-iso-bytes' });
    const isoPath = join(isoDir, 'ubuntu.iso');
    const folder = await FolderSource.open(dir);
    const plan = await planSource(
      folder,
      { label: 'Ubuntu', size: 17, fileSystems: [] },
      { sourceId: 'u1', hostPath: isoPath },
    );
    // a folder plan has no raw ISO; pretend it is one for the layout
    plan.rawIsoPath = '/iso/u1.iso';
    const tree = new MountedTree();
    let timeout = 5;
    const layout = await layoutServedTree(tree, [{ id: 'u1', vfs: folder, plan, hostPath: isoPath }], {
      loadersDir: defaultLoadersDir(),
      server: { ip: '10.0.0.1', httpPort: 8080 },
      menu: () => ({ ...DEFAULT_MENU, timeoutSec: timeout }),
    });
    expect(layout.classic).toBeNull();
    const kpxe = await fsp.readFile(join(defaultLoadersDir(), 'undionly.kpxe'));
    expect((await readAll(tree, '/loaders/undionly.kpxe')).equals(kpxe)).toBe(true);
    expect((await readAll(tree, '/iso/u1/casper/vmlinuz')).toString()).toBe('kernel-bytes');
    expect((await tree.stat('/iso/u1.iso')).size).toBe(17);
    expect((await readAll(tree, '/iso/u1.iso')).toString()).toBe('pretend-iso-bytes');
    expect((await readAll(tree, '/boot.ipxe')).toString()).toContain('--timeout 5000');
    timeout = 9;
    expect((await readAll(tree, '/boot.ipxe')).toString()).toContain('--timeout 9000');
    expect((await tree.readdir('/iso')).map((e) => e.name).sort()).toEqual(['u1', 'u1.iso']);
    layout.remove();
    await expect(tree.stat('/boot.ipxe')).rejects.toThrow();
    await expect(tree.stat('/iso/u1/casper/vmlinuz')).rejects.toThrow();
  });

  it("iPXE-only entries get GRUB's restart note; a PC that restarted for one gets it as its menu's default", async () => {
    const dir = await F.writeTree(F.UBUNTU_TREE);
    const folder = await FolderSource.open(dir);
    const plan = await planSource(folder, { label: 'U', size: 1, fileSystems: [] }, { sourceId: 'u1', hostPath: dir });
    const first = plan.summary.entries[0]!;
    const both = { enabled: true, firmware: ['bios', 'uefi'] as Array<'bios' | 'uefi'> };
    plan.summary.entries.push({ ...first, ...both, id: 'u1:live', label: 'Live', isDefault: true });
    plan.summary.entries.push({ ...first, ...both, id: 'u1:cd', label: 'Whole CD', kind: 'sanboot', isDefault: false });
    const tree = new MountedTree();
    const layout = await layoutServedTree(tree, [{ id: 'u1', vfs: folder, plan, hostPath: dir }], {
      loadersDir: defaultLoadersDir(),
      server: { ip: '10.0.0.1', httpPort: 80 },
      menu: () => ({ ...DEFAULT_MENU, timeoutSec: 10 }),
    });
    expect((await readAll(tree, '/secure-boot/restart-ipxe/u1/cd.txt')).toString()).toBe(
      'Bootdrop starts iPXE on this PC\'s next network boot, with "Whole CD" as its default.\n',
    );
    await expect(tree.stat('/secure-boot/restart-ipxe/u1/live.txt'), 'a kernel entry has none').rejects.toThrow();
    const pc = {
      maker: null,
      model: null,
      ramMiB: 4096,
      ramSource: 'memsize',
      platform: 'efi',
      arch: 'x86_64',
      nic: 'SNP',
    } as const;
    const item = (menu: string) => /item (bd-e\d+) Whole CD/.exec(menu)![1];
    const usual = layout.menuFor(pc).toString();
    expect(usual).toContain('--timeout 10000');
    expect(usual).not.toContain(`set bd-default ${item(usual)}`);
    const picked = layout.menuFor(pc, 'u1:cd').toString();
    expect(picked).toContain(`set bd-default ${item(picked)}`);
    expect(picked).toContain('--timeout 3000');
    layout.remove();
    await expect(tree.stat('/secure-boot/restart-ipxe/u1/cd.txt')).rejects.toThrow();
  });

  it('classic mode mounts the ISO at / with a synthesized pxelinux.cfg/default next to lpxelinux.0', async () => {
    const dir = await F.writeTree(F.ARCH_TREE);
    const folder = await FolderSource.open(dir);
    const plan = await planSource(
      folder,
      { label: 'ARCH', size: 1, fileSystems: [] },
      { sourceId: 'a1', hostPath: dir },
    );
    const tree = new MountedTree();
    const layout = await layoutServedTree(
      tree,
      [{ id: 'a1', vfs: folder, plan, hostPath: dir, classicPxelinux: true }],
      {
        loadersDir: defaultLoadersDir(),
        server: { ip: '10.0.0.1', httpPort: 80 },
        menu: () => DEFAULT_MENU,
      },
    );
    expect(layout.classic?.loader).toBe('/boot/syslinux/lpxelinux.0');
    expect((await readAll(tree, '/boot/syslinux/lpxelinux.0')).toString()).toBe('pxelinux');
    expect((await readAll(tree, '/boot/syslinux/pxelinux.cfg/default')).toString()).toMatch(
      /^# Generated by Bootdrop.*\nINCLUDE archiso_pxe.cfg\n$/,
    );
    expect((await readAll(tree, '/arch/x86_64/airootfs.sfs')).toString()).toBe('squash');
    expect((await readAll(tree, '/iso/a1/arch/x86_64/airootfs.sfs')).toString()).toBe('squash');
  });

  it('fails clearly on a broken loaders folder, two classic sources, or a source without PXELINUX', async () => {
    const dir = await F.writeTree(F.UBUNTU_TREE);
    const folder = await FolderSource.open(dir);
    const plan = await planSource(folder, { label: 'U', size: 1, fileSystems: [] }, { sourceId: 'u', hostPath: dir });
    const opts = { loadersDir: dir, server: { ip: '10.0.0.1', httpPort: 80 }, menu: () => DEFAULT_MENU };
    await expect(layoutServedTree(new MountedTree(), [], opts)).rejects.toThrow(
      new RegExp(`boot loaders missing in .*: ${REQUIRED_LOADERS.join(', ')}`),
    );
    const good = { ...opts, loadersDir: defaultLoadersDir() };
    await expect(
      layoutServedTree(new MountedTree(), [{ id: 'u', vfs: folder, plan, hostPath: dir, classicPxelinux: true }], good),
    ).rejects.toThrow(/no PXELINUX of its own/);
    const two = [
      { id: 'u', vfs: folder, plan, hostPath: dir, classicPxelinux: true },
      { id: 'v', vfs: folder, plan, hostPath: dir, classicPxelinux: true },
    ];
    await expect(layoutServedTree(new MountedTree(), two, good)).rejects.toThrow(/only one source/);
  });
});

describe('HostFileSource', () => {
  it('is a one-file Vfs: ranges, no children, clear error when the file is gone', async () => {
    const d = await F.writeTree({ 'x.iso': '0123456789' });
    const src = new HostFileSource(join(d, 'x.iso'), 'x.iso');
    expect((await readAll(src, '/')).toString()).toBe('0123456789');
    const chunks: Buffer[] = [];
    for await (const c of await src.createReadStream('/', { start: 2, end: 4 })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('234');
    const f = await src.open('/');
    const buf = Buffer.alloc(3);
    expect(await f.read(buf, 0, 3, 8)).toBe(2);
    await f.close();
    await expect(src.stat('/child')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await fsp.rm(join(d, 'x.iso'));
    await expect(src.stat('/')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
