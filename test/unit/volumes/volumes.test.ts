/**
 * The Open dialog's drives and volumes: which mounts are offered (pure), and node-disk-info run for
 * real in its child process — with a fake `df` first on PATH, one that answers and one that hangs like
 * `df` on a stale network mount. The engine's event loop must keep running meanwhile.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { listVolumes, offeredMounts, type DiskRow } from '../../../main/volumes';

const row = (filesystem: string, mounted: string, blocks = 1000, available = 400): DiskRow => ({
  filesystem,
  blocks,
  available,
  mounted,
});

describe('which mounts the Open dialog offers', () => {
  it('Linux: USB sticks, other disks and network shares; not the system, home, or pseudo file systems', () => {
    const rows = [
      row('/dev/nvme0n1p2', '/'),
      row('/dev/nvme0n1p1', '/boot/efi'),
      row('/dev/nvme0n1p3', '/home'),
      row('tmpfs', '/run/user/1000'),
      row('devtmpfs', '/dev'),
      row('overlay', '/var/lib/docker/overlay2/x/merged'),
      row('/dev/sdb1', '/run/media/ann/FEDORA-WS'),
      row('/dev/sdc1', '/media/ann/Ventoy'),
      row('/dev/sdc1', '/media/ann/Ventoy'),
      row('nas:/export/isos', '/mnt/isos'),
      row('//nas/share', '/mnt/share'),
      row('/dev/loop3', '/snap/core/1'),
    ];
    expect(offeredMounts(rows, 'linux')).toEqual([
      { path: '/run/media/ann/FEDORA-WS', name: 'FEDORA-WS', size: 1024000, free: 409600 },
      { path: '/media/ann/Ventoy', name: 'Ventoy', size: 1024000, free: 409600 },
      { path: '/mnt/isos', name: 'isos', size: 1024000, free: 409600 },
      { path: '/mnt/share', name: 'share', size: 1024000, free: 409600 },
    ]);
  });

  it('macOS: what is under /Volumes; Windows: every drive letter (sizes already in bytes)', () => {
    expect(
      offeredMounts([row('/dev/disk3s1s1', '/'), row('/dev/disk4s1', '/Volumes/UBUNTU')], 'darwin').map((m) => m.path),
    ).toEqual(['/Volumes/UBUNTU']);
    expect(
      offeredMounts([row('Local Fixed Disk', 'C:', 5000, 100), row('Removable Disk', 'e:', 0, 0)], 'win32'),
    ).toEqual([
      { path: 'C:\\', name: 'C:', size: 5000, free: 100 },
      { path: 'E:\\', name: 'E:', size: null, free: null },
    ]);
  });
});

describe.runIf(process.platform === 'linux')('drives and their ISO files, off the event loop', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-volumes-'));
  const bin = path.join(tmp, 'bin');
  const stick = path.join(tmp, 'STICK');
  const savedPath = process.env.PATH;
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(stick, 'isos', 'deeper'), { recursive: true });
  fs.writeFileSync(path.join(stick, 'debian.iso'), Buffer.alloc(4096));
  fs.writeFileSync(path.join(stick, 'isos', 'Arch.ISO'), 'x');
  fs.writeFileSync(path.join(stick, 'isos', 'deeper', 'too-deep.iso'), 'x'); // two folders down: not looked at
  fs.writeFileSync(path.join(stick, 'notes.txt'), 'x');

  function fakeDf(script: string): void {
    fs.writeFileSync(path.join(bin, 'df'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
  }
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists a plugged-in drive with the ISO files at its top and one folder down', async () => {
    fakeDf(
      [
        "echo 'Filesystem 1024-blocks Used Available Capacity Mounted on'",
        "echo 'tmpfs 100 0 100 0% /dev/shm'",
        `echo '/dev/sdz1 2000 500 1500 25% ${stick}'`,
      ].join('\n'),
    );
    const list = await listVolumes();
    expect(list).toEqual({
      error: null,
      volumes: [
        {
          path: stick,
          name: 'STICK',
          size: 2000 * 1024,
          free: 1500 * 1024,
          error: null,
          isos: [
            { name: 'debian.iso', path: path.join(stick, 'debian.iso'), size: 4096 },
            { name: 'Arch.ISO', path: path.join(stick, 'isos', 'Arch.ISO'), size: 1 },
          ].sort((a, b) => a.path.localeCompare(b.path)),
        },
      ],
    });
  });

  it('gives up on a hanging df with a clear message, kills it, and never blocks the event loop', async () => {
    // A copy of sleep under a name of its own, so `ps` can tell whether it survived.
    const hung = path.join(bin, `hung-df-${path.basename(tmp)}`);
    fs.copyFileSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), hung);
    fs.chmodSync(hung, 0o755);
    const started = path.join(tmp, 'df-started');
    fakeDf(`touch ${started}; exec ${hung} 600`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const list = await listVolumes({ timeoutMs: 3000 });
    clearInterval(timer);
    expect(ticks, 'the event loop ran while df hung').toBeGreaterThan(0);
    expect(list.volumes).toEqual([]);
    expect(list.error).toMatch(
      /^listing the mounted drives \(df\) did not finish within 3\.0 s and was stopped: a network mount that no longer answers/,
    );
    expect(fs.existsSync(started), 'df was running when the time ran out').toBe(true);
    // The whole process group is gone (node, sh, df), not only the Node child.
    const alive = (): boolean =>
      execFileSync('ps', ['-eo', 'stat,args'], { encoding: 'utf8' })
        .split('\n')
        .some((l) => l.includes(hung) && !l.trim().startsWith('Z'));
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
  });
});
