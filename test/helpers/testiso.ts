/**
 * Boot-test fixtures built at test time from real parts: the installed Debian kernel
 * (linux-image-amd64) and a tiny busybox initramfs whose /init prints a marker on the serial console,
 * optionally brings up the NIC with udhcpc, fetches the root image the kernel command line points at
 * (archiso `archiso_http_srv=`, casper `url=`, live-boot `fetch=`, dracut `root=live:http…`) with wget and prints its checksum,
 * then powers off. ISO layouts mimic real distributions closely enough for the boot planner's recipes.
 *
 * Everything is cached under test/.artifacts/boot/<key>/, keyed by the inputs (kernel, busybox, this
 * file's recipe version), so only the first run pays for cpio/gzip/xorriso.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Bump when the init script or a layout changes, so cached fixtures are rebuilt. */
const RECIPE_VERSION = 5;
const ROOT = path.resolve(__dirname, '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test', '.artifacts', 'boot');
const BUSYBOX = '/bin/busybox';
const SYSLINUX_BIOS = '/usr/lib/syslinux/modules/bios';
const LPXELINUX = '/usr/lib/PXELINUX/lpxelinux.0';
const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';

/** NIC drivers the guests use: e1000 (BIOS guests) and virtio-net (UEFI guests). */
const NIC_MODULES = ['e1000', 'virtio_net', 'virtio_pci'];

export class MissingToolError extends Error {}

function need(file: string, pkg: string): void {
  if (!existsSync(file))
    throw new MissingToolError(`${file} is missing: install the Debian package "${pkg}" (scripts/install-deps.sh)`);
}

async function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...opts });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; code?: string };
    if (e.code === 'ENOENT') throw new MissingToolError(`"${cmd}" is not installed (scripts/install-deps.sh)`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? String(err)}`);
  }
}

interface Kernel {
  version: string;
  vmlinuz: string;
  modulesDir: string;
}

/** The newest installed Debian kernel that has its modules (linux-image-amd64). */
function findKernel(): Kernel {
  const boot = existsSync('/boot') ? readdirSync('/boot') : [];
  const versions = boot
    .filter((f) => f.startsWith('vmlinuz-'))
    .map((f) => f.slice('vmlinuz-'.length))
    .filter((v) => existsSync(`/lib/modules/${v}/modules.dep`))
    .sort();
  const version = versions.at(-1);
  if (!version)
    throw new MissingToolError(
      'no /boot/vmlinuz-* with /lib/modules: install "linux-image-amd64" (scripts/install-deps.sh)',
    );
  return { version, vmlinuz: `/boot/vmlinuz-${version}`, modulesDir: `/lib/modules/${version}` };
}

/** Module files for `names` and their dependencies, dependencies first (insmod order). */
function moduleClosure(modulesDir: string, names: string[]): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of readFileSync(path.join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const [mod, rest] = line.split(':');
    if (!mod || rest === undefined) continue;
    deps.set(mod, rest.trim().split(/\s+/).filter(Boolean));
    byName.set(
      path
        .basename(mod)
        .replace(/\.ko(\.xz|\.zst|\.gz)?$/, '')
        .replace(/-/g, '_'),
      mod,
    );
  }
  const out: string[] = [];
  const visit = (mod: string) => {
    if (out.includes(mod)) return;
    for (const d of deps.get(mod) ?? []) visit(d);
    out.push(mod);
  };
  for (const n of names) {
    const mod = byName.get(n);
    if (!mod) throw new Error(`kernel module ${n} not found in ${modulesDir}/modules.dep (built in?)`);
    visit(mod);
  }
  return out;
}

/**
 * The guest's /init. Prints `BOOTDROP-MARKER-<token>` and the command line, then (when the command line
 * names a root image) loads the NIC drivers, gets an address with udhcpc, fetches the image with wget
 * and prints `BOOTDROP-ROOTFS-<token> <sha256> <bytes>`. Always ends with poweroff so QEMU exits.
 */
function initScript(token: string, modules: string[]): string {
  const insmods = modules
    .map((m) => `insmod /lib/modules/${path.basename(m).replace(/\.(xz|zst|gz)$/, '')} 2>/dev/null`)
    .join('\n');
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp /run
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec >/dev/console 2>&1
echo "BOOTDROP-MARKER-${token}"
echo "BOOTDROP-CMDLINE $(cat /proc/cmdline)"
url=""
srv=""; base="arch"; pxeserver=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    ip=*:*) pxeserver="$(echo "\${arg#ip=}" | cut -d: -f2)" ;;
    archiso_http_srv=*) srv="\${arg#archiso_http_srv=}" ;;
    archisobasedir=*) base="\${arg#archisobasedir=}" ;;
    url=*) url="\${arg#url=}" ;;
    fetch=*) url="\${arg#fetch=}" ;;
    bootdrop.fetch=*) url="\${arg#bootdrop.fetch=}" ;;
    root=live:http*) url="\${arg#root=live:}" ;;
  esac
done
# archiso: <srv><basedir>/x86_64/airootfs.sfs; \${pxeserver} is the boot server of PXELINUX's
# SYSAPPEND 3 (ip=<client>:<server>:<gw>:<mask>), as archiso's archiso_pxe_common hook does it.
[ -n "$srv" ] && url="$(echo "\${srv%/}" | sed "s/[$][{]pxeserver[}]/$pxeserver/")/\${base}/x86_64/airootfs.sfs"
if [ -n "$url" ]; then
${insmods}
  n=0
  while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 50 ]; do sleep 0.2; n=$((n+1)); done
  ip link set eth0 up
  udhcpc -i eth0 -n -q -t 8 -T 2 -s /udhcpc.script || echo "BOOTDROP-ERROR udhcpc failed"
  echo "BOOTDROP-FETCH $url"
  if wget -q -O /tmp/root "$url"; then
    set -- $(sha256sum /tmp/root)
    echo "BOOTDROP-ROOTFS-${token} $1 $(wc -c < /tmp/root)"
  else
    echo "BOOTDROP-ERROR wget $url failed"
  fi
fi
echo "BOOTDROP-DONE-${token}"
sync
poweroff -f
`;
}

const UDHCPC_SCRIPT = `#!/bin/busybox sh
case "$1" in
  bound|renew)
    ifconfig "$interface" "$ip" netmask "\${subnet:-255.255.255.0}" up
    [ -n "$router" ] && route add default gw "\${router%% *}" dev "$interface" 2>/dev/null
    echo "BOOTDROP-DHCP $ip" ;;
esac
exit 0
`;

function inputsKey(parts: Array<string | number>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p)).update('\0');
  return h.digest('hex').slice(0, 12);
}

function fileKey(file: string): string {
  const st = statSync(file);
  return `${file}:${st.size}:${st.mtimeMs}`;
}

interface Initramfs {
  file: string;
  token: string;
}

/** Build (or reuse) a gzip'd newc initramfs for `token`. */
async function buildInitramfs(token: string): Promise<Initramfs> {
  need(BUSYBOX, 'busybox-static');
  const kernel = findKernel();
  const modules = moduleClosure(kernel.modulesDir, NIC_MODULES);
  const key = inputsKey([RECIPE_VERSION, token, fileKey(BUSYBOX), kernel.version, ...modules]);
  const out = path.join(ARTIFACTS, `initramfs-${token}-${key}.gz`);
  if (existsSync(out)) return { file: out, token };
  const work = await fsp.mkdtemp(path.join(ARTIFACTS, 'work-'));
  try {
    for (const d of ['bin', 'sbin', 'proc', 'sys', 'dev', 'tmp', 'lib/modules'])
      await fsp.mkdir(path.join(work, d), { recursive: true });
    await fsp.copyFile(BUSYBOX, path.join(work, 'bin/busybox'));
    await fsp.chmod(path.join(work, 'bin/busybox'), 0o755);
    await fsp.symlink('busybox', path.join(work, 'bin/sh'));
    for (const m of modules) {
      const src = path.join(kernel.modulesDir, m);
      const dst = path.join(work, 'lib/modules', path.basename(m));
      await fsp.copyFile(src, dst);
      // busybox insmod cannot decompress: unpack compressed modules now.
      if (dst.endsWith('.xz')) await sh('xz', ['-d', dst]);
      else if (dst.endsWith('.zst')) await sh('zstd', ['-q', '-d', '--rm', dst]);
      else if (dst.endsWith('.gz')) await sh('gzip', ['-d', dst]);
    }
    await fsp.writeFile(path.join(work, 'init'), initScript(token, modules), { mode: 0o755 });
    await fsp.writeFile(path.join(work, 'udhcpc.script'), UDHCPC_SCRIPT, { mode: 0o755 });
    const tmp = `${out}.tmp${process.pid}`;
    await sh('sh', ['-c', `find . | cpio -o -H newc --quiet | gzip -9 > '${tmp}'`], { cwd: work });
    await fsp.rename(tmp, out);
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
  return { file: out, token };
}

export interface BootFixture {
  /** The ISO image to serve. */
  iso: string;
  /** Unique marker token printed by this fixture's kernel: `BOOTDROP-MARKER-<token>`. */
  token: string;
  kernel: string;
  initrd: string;
  /** SHA-256 of the root image the fixture's guest fetches (archiso: airootfs.sfs; casper: the ISO). */
  rootSha256: string | null;
  label: string;
}

/** Deterministic pseudo-random bytes (a stand-in squashfs): same input, same checksum, every run. */
function fakeImage(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

async function writeTree(
  dir: string,
  files: Record<string, string | Buffer>,
  copies: Record<string, string>,
): Promise<void> {
  for (const [rel, data] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), data);
  }
  for (const [rel, src] of Object.entries(copies)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.copyFile(src, path.join(dir, rel));
  }
}

async function xorriso(tree: string, iso: string, label: string, bootable: boolean): Promise<void> {
  const args = ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', label, '-o', iso];
  if (bootable)
    args.push(
      '-b',
      'isolinux/isolinux.bin',
      '-c',
      'isolinux/boot.cat',
      '-no-emul-boot',
      '-boot-load-size',
      '4',
      '-boot-info-table',
    );
  args.push(tree);
  await sh('xorriso', args);
}

type Layout = (ctx: { kernel: string; initrd: string; token: string }) => {
  label: string;
  files: Record<string, string | Buffer>;
  copies: Record<string, string>;
  rootImage?: string; // path in the tree of the image the guest fetches
  rootIsIso?: boolean;
  bootable: boolean;
};

/** Ubuntu-like (casper): `/casper/vmlinuz`, `/casper/initrd`, `.disk/info`, isolinux + grub configs. */
const casperLayout: Layout = ({ kernel, initrd, token }) => ({
  label: 'BOOTDROP_CASPER',
  bootable: true,
  rootIsIso: true,
  files: {
    '.disk/info': `Ubuntu 24.04 LTS "Bootdrop Test" - Release amd64 (${token})`,
    'casper/filesystem.squashfs': fakeImage(`casper-${token}`, 256 * 1024),
    'casper/filesystem.size': '262144\n',
    'isolinux/isolinux.cfg':
      'default live\ntimeout 50\nlabel live\n  menu label ^Try Ubuntu\n  kernel /casper/vmlinuz\n  append initrd=/casper/initrd boot=casper quiet splash ---\n',
    'boot/grub/grub.cfg':
      'set timeout=5\nmenuentry "Try or Install Ubuntu" {\n\tset gfxpayload=keep\n\tlinux\t/casper/vmlinuz  quiet splash ---\n\tinitrd\t/casper/initrd\n}\n',
  },
  copies: {
    'casper/vmlinuz': kernel,
    'casper/initrd': initrd,
    'isolinux/isolinux.bin': ISOLINUX_BIN,
    'isolinux/ldlinux.c32': `${SYSLINUX_BIOS}/ldlinux.c32`,
  },
});

/** Debian-live-like (live-boot): `/live/vmlinuz`, `/live/initrd.img`, `/live/filesystem.squashfs`. */
const liveBootLayout: Layout = ({ kernel, initrd, token }) => ({
  label: 'BOOTDROP_LIVE',
  bootable: true,
  rootImage: 'live/filesystem.squashfs',
  files: {
    '.disk/info': `Debian GNU/Linux 12 "Bookworm" - Official Live amd64 (${token})`,
    'live/filesystem.squashfs': fakeImage(`live-${token}`, 512 * 1024),
    'isolinux/isolinux.cfg': 'include live.cfg\ndefault live\n',
    'isolinux/live.cfg':
      'label live\n\tmenu label ^Live system (amd64)\n\tmenu default\n\tlinux /live/vmlinuz\n\tinitrd /live/initrd.img\n\tappend boot=live components quiet splash\n',
    'boot/grub/grub.cfg':
      'menuentry "Live system (amd64)" --hotkey=l {\n\tlinux\t/live/vmlinuz boot=live components quiet splash findiso=${iso_path}\n\tinitrd\t/live/initrd.img\n}\n',
  },
  copies: {
    'live/vmlinuz': kernel,
    'live/initrd.img': initrd,
    'isolinux/isolinux.bin': ISOLINUX_BIN,
    'isolinux/ldlinux.c32': `${SYSLINUX_BIOS}/ldlinux.c32`,
  },
});

/**
 * Arch-like (archiso, the /arch/boot/syslinux layout of the 2013–2020 ISOs): lpxelinux.0 and its
 * modules under /arch/boot/syslinux, `archiso_pxe.cfg` booting `archiso_http_srv=http://${pxeserver}/`
 * like the real archiso_pxe.cfg does; SYSAPPEND 3 adds ip=<client>:<server>:..., from which the
 * initramfs fills in ${pxeserver}.
 */
const archLayout: Layout = ({ kernel, initrd }) => ({
  label: 'ARCH_202001',
  bootable: false,
  rootImage: 'arch/x86_64/airootfs.sfs',
  files: {
    'arch/version': '2020.01.01\n',
    'arch/x86_64/airootfs.sfs': fakeImage('arch-airootfs', 768 * 1024),
    'arch/boot/syslinux/archiso.cfg':
      'DEFAULT select\n\nLABEL select\nCOM32 boot/syslinux/whichsys.c32\nAPPEND -pxe- pxe -sys- sys -iso- sys\n\nLABEL pxe\nCONFIG boot/syslinux/archiso_pxe.cfg\n\nLABEL sys\nCONFIG boot/syslinux/archiso_sys.cfg\n',
    'arch/boot/syslinux/archiso_pxe.cfg': [
      'SERIAL 0 115200',
      'PROMPT 0',
      'TIMEOUT 10',
      'DEFAULT arch64_http',
      '',
      'LABEL arch64_http',
      'TEXT HELP',
      'Boot the Arch Linux (x86_64) live medium (Using HTTP).',
      'ENDTEXT',
      'MENU LABEL Boot Arch Linux (x86_64) (HTTP)',
      'LINUX boot/x86_64/vmlinuz',
      'INITRD boot/x86_64/archiso.img',
      'APPEND archisobasedir=arch archiso_http_srv=http://${pxeserver}/ console=ttyS0 quiet',
      'SYSAPPEND 3',
      '',
    ].join('\n'),
    'arch/boot/syslinux/archiso_sys.cfg':
      'LABEL arch64\nLINUX boot/x86_64/vmlinuz\nINITRD boot/x86_64/archiso.img\nAPPEND archisobasedir=arch archisolabel=ARCH_202001\n',
  },
  copies: {
    'arch/boot/x86_64/vmlinuz': kernel,
    'arch/boot/x86_64/archiso.img': initrd,
    // Newer names too (vmlinuz-linux / initramfs-linux.img), which recipes look for first.
    'arch/boot/x86_64/vmlinuz-linux': kernel,
    'arch/boot/x86_64/initramfs-linux.img': initrd,
    'arch/boot/syslinux/lpxelinux.0': LPXELINUX,
    'arch/boot/syslinux/ldlinux.c32': `${SYSLINUX_BIOS}/ldlinux.c32`,
    'arch/boot/syslinux/menu.c32': `${SYSLINUX_BIOS}/menu.c32`,
    'arch/boot/syslinux/libutil.c32': `${SYSLINUX_BIOS}/libutil.c32`,
    'arch/boot/syslinux/libcom32.c32': `${SYSLINUX_BIOS}/libcom32.c32`,
    'arch/boot/syslinux/whichsys.c32': `${SYSLINUX_BIOS}/whichsys.c32`,
  },
});

/**
 * Fedora 42+ live as KIWI builds it (fedora-kiwi-descriptions, kiwi's grub2 ISO template): kernel and
 * initrd under /boot/x86_64/loader/, GRUB entries that load `($root)/boot/x86_64/loader/...` after a
 * `search --file --set=root /boot/<id>`, the live root in LiveOS/squashfs.img (dracut dmsquash-live:
 * root=live:CDLABEL=..., which Bootdrop turns into root=live:<the ISO over HTTP>).
 */
const kiwiLayout: Layout = ({ kernel, initrd, token }) => ({
  label: 'Fedora-WS-Live-42',
  bootable: false,
  rootIsIso: true,
  files: {
    'boot/0x5e1ec7ed': '0x5e1ec7ed\n',
    'LiveOS/squashfs.img': fakeImage(`kiwi-${token}`, 384 * 1024),
    'boot/grub2/grub.cfg': [
      '# kiwi generated one time grub2 config file',
      'search --file --set=root /boot/0x5e1ec7ed',
      'set default=0',
      'if [ -n "${iso_path}" ]; then',
      '    isoboot="iso-scan/filename=${iso_path}"',
      'fi',
      'set timeout=10',
      'menuentry "Fedora-Workstation-Live" --class os --unrestricted {',
      '    set gfxpayload=keep',
      '    echo Loading kernel...',
      '    linux ($root)/boot/x86_64/loader/linux ${extra_cmdline} ${isoboot} root=live:CDLABEL=Fedora-WS-Live-42 rd.live.image rhgb quiet',
      '    echo Loading initrd...',
      '    initrd ($root)/boot/x86_64/loader/initrd',
      '}',
      'menuentry "Boot from Hard Disk" --class os --unrestricted {',
      '    exit',
      '}',
      '',
    ].join('\n'),
    'EFI/BOOT/grub.cfg':
      'search --file --set=root /boot/0x5e1ec7ed\nset prefix=($root)/boot/grub2\nconfigfile ($root)/boot/grub2/grub.cfg\n',
  },
  copies: {
    'boot/x86_64/loader/linux': kernel,
    'boot/x86_64/loader/initrd': initrd,
  },
});

const LAYOUTS = { casper: casperLayout, live: liveBootLayout, arch: archLayout, kiwi: kiwiLayout } as const;
export type FixtureKind = keyof typeof LAYOUTS;

async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fsp.readFile(file))
    .digest('hex');
}

/**
 * Debian's kernel with its Authenticode signature removed (osslsigncode remove-signature): the same
 * EFI stub, which Secure Boot (shim) refuses.
 */
async function unsignedKernel(): Promise<string> {
  const k = findKernel();
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  const out = path.join(ARTIFACTS, `vmlinuz-unsigned-${inputsKey([fileKey(k.vmlinuz)])}`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp${process.pid}`;
  await sh('osslsigncode', ['remove-signature', '-in', k.vmlinuz, '-out', tmp]);
  await fsp.rename(tmp, out);
  return out;
}

export interface FixtureOptions {
  /** Ship Debian's kernel without its signature (Secure Boot must refuse it). */
  unsignedKernel?: boolean;
}

/** Build (or reuse) a bootable test ISO of the given layout. `variant` makes a distinct marker. */
export async function buildFixture(kind: FixtureKind, variant = 'a', opts: FixtureOptions = {}): Promise<BootFixture> {
  need(LPXELINUX, 'pxelinux');
  need(ISOLINUX_BIN, 'isolinux');
  need(`${SYSLINUX_BIOS}/ldlinux.c32`, 'syslinux-common');
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  const k = findKernel();
  const vmlinuz = opts.unsignedKernel ? await unsignedKernel() : k.vmlinuz;
  const token = `${kind}${variant}`;
  const initramfs = await buildInitramfs(token);
  const key = inputsKey([RECIPE_VERSION, kind, variant, fileKey(vmlinuz), initramfs.file]);
  const iso = path.join(ARTIFACTS, `${kind}-${variant}-${key}.iso`);
  const layout = LAYOUTS[kind]({ kernel: vmlinuz, initrd: initramfs.file, token });
  const meta = `${iso}.json`;
  if (!existsSync(iso) || !existsSync(meta)) {
    const tree = await fsp.mkdtemp(path.join(ARTIFACTS, 'tree-'));
    try {
      await writeTree(tree, layout.files, layout.copies);
      const tmp = `${iso}.tmp${process.pid}`;
      await xorriso(tree, tmp, layout.label, layout.bootable);
      await fsp.rename(tmp, iso);
      const rootSha256 = layout.rootIsIso
        ? await sha256File(iso)
        : layout.rootImage
          ? await sha256File(path.join(tree, layout.rootImage))
          : null;
      await fsp.writeFile(meta, JSON.stringify({ rootSha256 }));
    } finally {
      await fsp.rm(tree, { recursive: true, force: true });
    }
  }
  const { rootSha256 } = JSON.parse(await fsp.readFile(meta, 'utf8')) as { rootSha256: string | null };
  return { iso, token, kernel: vmlinuz, initrd: initramfs.file, rootSha256, label: layout.label };
}

export function markerOf(token: string): RegExp {
  return new RegExp(`BOOTDROP-MARKER-${token}\\b`);
}

export function rootMarkerOf(token: string): RegExp {
  // The line's end is part of the marker: the serial console arrives in chunks, and a chunk may end
  // inside the byte count ("6400" of "64000", seen in CI).
  return new RegExp(`BOOTDROP-ROOTFS-${token} ([0-9a-f]{64}) (\\d+)\\s`);
}
