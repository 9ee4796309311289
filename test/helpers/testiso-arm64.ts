/**
 * The ARM64 boot fixture: Debian's signed arm64 kernel and arm64 busybox-static, from the .debs that
 * scripts/install-deps.sh downloads into test/.artifacts/debs/ (`apt-get download ...:arm64`), in a
 * Debian-live-like ISO (/live/vmlinuz, /live/initrd.img, .disk/info) whose /init prints
 * `BOOTDROP-MARKER-<token>` and the command line on the serial console, then powers off. No NIC
 * drivers: the marker proves the PC got from firmware through shim and GRUB into the kernel.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fsp, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ARTIFACTS, MissingToolError, type BootFixture } from './testiso';

const execFileP = promisify(execFile);
const DEBS = path.resolve(__dirname, '..', '.artifacts', 'debs');

function deb(prefix: string): string {
  const hit = existsSync(DEBS)
    ? readdirSync(DEBS)
        .filter((f) => f.startsWith(prefix) && f.endsWith('_arm64.deb'))
        .sort()
        .at(-1)
    : undefined;
  if (!hit)
    throw new MissingToolError(
      `${DEBS}/${prefix}*_arm64.deb is missing: run scripts/install-deps.sh (it downloads the arm64 kernel and busybox)`,
    );
  return path.join(DEBS, hit);
}

const INIT = (token: string) => `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
exec >/dev/console 2>&1
echo "BOOTDROP-MARKER-${token}"
echo "BOOTDROP-CMDLINE $(/bin/busybox cat /proc/cmdline)"
echo "BOOTDROP-DONE-${token}"
/bin/busybox poweroff -f
`;

/** Build (or reuse) the arm64 live-like ISO. */
export async function buildArm64Fixture(variant = 'a'): Promise<BootFixture> {
  const kernelDeb = deb('linux-image-');
  const busyboxDeb = deb('busybox-static_');
  const token = `arm64${variant}`;
  const key = `${path.basename(kernelDeb, '.deb')}-${path.basename(busyboxDeb, '.deb')}`.replace(
    /[^A-Za-z0-9._-]/g,
    '_',
  );
  const iso = path.join(ARTIFACTS, `arm64-${variant}-${key}.iso`);
  const work = path.join(ARTIFACTS, `arm64-${key}`);
  const vmlinuz = path.join(work, 'vmlinuz');
  const initrd = path.join(work, `initrd-${token}.gz`);
  if (existsSync(iso)) return { iso, token, kernel: vmlinuz, initrd, rootSha256: null, label: 'BOOTDROP_ARM64' };
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  const tmp = await fsp.mkdtemp(path.join(ARTIFACTS, 'arm64-work-'));
  try {
    const x = path.join(tmp, 'x');
    await execFileP('dpkg-deb', ['-x', kernelDeb, x]);
    await execFileP('dpkg-deb', ['-x', busyboxDeb, x]);
    const k = readdirSync(path.join(x, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!k) throw new Error(`${kernelDeb} has no /boot/vmlinuz-*`);
    await fsp.mkdir(work, { recursive: true });
    await fsp.copyFile(path.join(x, 'boot', k), vmlinuz);
    const root = path.join(tmp, 'root');
    await fsp.mkdir(path.join(root, 'bin'), { recursive: true });
    await fsp.copyFile(path.join(x, 'bin', 'busybox'), path.join(root, 'bin', 'busybox'));
    await fsp.chmod(path.join(root, 'bin', 'busybox'), 0o755);
    await fsp.writeFile(path.join(root, 'init'), INIT(token), { mode: 0o755 });
    await execFileP('sh', ['-c', `find . | cpio -o -H newc --quiet | gzip -9 > '${initrd}'`], { cwd: root });
    const tree = path.join(tmp, 'tree');
    await fsp.mkdir(path.join(tree, 'live'), { recursive: true });
    await fsp.mkdir(path.join(tree, '.disk'), { recursive: true });
    await fsp.mkdir(path.join(tree, 'boot', 'grub'), { recursive: true });
    await fsp.writeFile(
      path.join(tree, '.disk', 'info'),
      `Debian GNU/Linux 12 "Bookworm" - Official Live arm64 (${token})`,
    );
    await fsp.writeFile(
      path.join(tree, 'boot', 'grub', 'grub.cfg'),
      'menuentry "Live system (arm64)" {\n\tlinux\t/live/vmlinuz boot=live components\n\tinitrd\t/live/initrd.img\n}\n',
    );
    await fsp.copyFile(vmlinuz, path.join(tree, 'live', 'vmlinuz'));
    await fsp.copyFile(initrd, path.join(tree, 'live', 'initrd.img'));
    await fsp.writeFile(path.join(tree, 'live', 'filesystem.squashfs'), Buffer.alloc(4096));
    const out = `${iso}.tmp${process.pid}`;
    await execFileP('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', 'BOOTDROP_ARM64', '-o', out, tree]);
    await fsp.rename(out, iso);
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  return { iso, token, kernel: vmlinuz, initrd, rootSha256: null, label: 'BOOTDROP_ARM64' };
}
