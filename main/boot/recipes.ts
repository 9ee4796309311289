/**
 * How each OS family boots over the network: the recipe table. Each row says how to recognise the
 * family from files in the image, which kernel/initrd files a plain entry uses, which kernel arguments
 * make its initramfs fetch the root file system over HTTP, which CD-only arguments must go, and how
 * much client RAM that needs. Detection is ordered: the first row that matches wins.
 *
 * Templates: `<server>` is the HTTP server (`ip:port`, filled at serve time), `{src}` the source's tree
 * URL without trailing slash (`http://<server>/iso/<id>`), `{iso}` the raw image URL
 * (`http://<server>/iso/<id>.iso`); other `{name}`s come from detection (`{basedir}`, `{flavor}`...).
 */
import type { OsFamily } from '../contract';
import type { SourceProbe } from './probe';

interface BootFiles {
  label: string;
  kernel: string;
  initrd: string[];
  /** Per-entry template variables (alpine's kernel flavour). */
  vars?: Record<string, string>;
}

export interface Detection {
  osName: string;
  vars: Record<string, string>;
  /** Plain entries built from the recipe's file names (used when the ISO's own menu gives none). */
  boot: BootFiles[];
  /** Caveats for this image, shown with the source (what the user must know or give). */
  warnings?: string[];
  /** Appended to every entry's label: what the PC will and will not do ("virtual machines only"). */
  entryNote?: string;
}

export interface Recipe {
  family: OsFamily;
  /** What this row covers, for humans. */
  covers: string;
  detect(probe: SourceProbe, label: string): Promise<Detection | null>;
  /** Kernels (from the ISO's own menu) that this family's network arguments apply to; a template. */
  kernelDir: RegExp | ((vars: Record<string, string>) => RegExp);
  /** Network-fetch arguments when serving an ISO file, and when serving a plain folder (null: impossible). */
  netArgs: { iso: string | null; folder: string | null };
  /** Arguments only meaningful on the CD (they would make the initramfs wait for a disc). */
  dropArgs: readonly string[];
  /** Client RAM: the fetched image lives in RAM, so roughly image size + this many MiB; or a fixed need. */
  minRam?: { imagePlusMiB: number } | { fixedMiB: number };
  /** Why the RAM is needed (shown with the warning). */
  ramReason?: string;
  /** Shown when the folder form is impossible. */
  folderProblem?: string;
  /** Shown when even the ISO form cannot boot over the network (netArgs.iso is null). */
  isoProblem?: string;
}

const first = (p: SourceProbe, c: readonly string[]) => p.first(c);

async function topDirs(p: SourceProbe): Promise<string[]> {
  return (await p.list('/')).filter((e) => e.type === 'dir').map((e) => e.name);
}

async function discInfo(p: SourceProbe): Promise<string | null> {
  const t = (await p.text('/.disk/info', 4096))?.split('\n')[0]?.trim();
  return t ? t.replace(/\s*-\s*Release.*$/, '').replace(/"/g, '') : null;
}

/** The Debian installer row's problem, as an ISO and as an extracted folder alike. */
const DEBIAN_INSTALLER_PROBLEM =
  "Debian's installer ISOs cannot boot over the network: the CD's installer (install.amd/initrd.gz) loads its " +
  "components from the disc and has no network retriever. Use Debian's netboot files (netboot.tar.gz), or a " +
  'Debian live ISO (live-boot), which Bootdrop boots';

/** Human names for archiso base directories (the folder next to /boot holding airootfs). */
const ARCHISO_NAMES: Record<string, string> = {
  arch: 'Arch Linux',
  sysresccd: 'SystemRescue',
  endeavouros: 'EndeavourOS',
  blackarch: 'BlackArch',
};

export const RECIPES: readonly Recipe[] = [
  {
    family: 'archiso',
    covers: 'Arch Linux and archiso derivatives (SystemRescue, EndeavourOS, BlackArch...)',
    // archiso(7)/mkinitcpio-archiso docs: archiso_http_srv= makes the archiso_pxe_http hook download
    // <srv><basedir>/x86_64/airootfs.sfs into RAM; ip= configures the NIC (archiso_pxe_common).
    async detect(p, label) {
      for (const dir of await topDirs(p)) {
        const root = await p.first([`/${dir}/x86_64/airootfs.sfs`, `/${dir}/x86_64/airootfs.erofs`]);
        if (!root) continue;
        const kernel = await first(p, [`/${dir}/boot/x86_64/vmlinuz-linux`, `/${dir}/boot/x86_64/vmlinuz*`]);
        const main = await first(p, [
          `/${dir}/boot/x86_64/initramfs-linux.img`,
          `/${dir}/boot/x86_64/initramfs-*.img`,
          `/${dir}/boot/x86_64/archiso.img`,
          `/${dir}/boot/x86_64/${dir}.img`,
          `/${dir}/boot/x86_64/*.img`,
        ]);
        const ucode = [...(await p.glob(`/${dir}/boot/*ucode*.img`))];
        const boot =
          kernel && main
            ? [{ label: `${ARCHISO_NAMES[dir.toLowerCase()] ?? label} (x86_64)`, kernel, initrd: [...ucode, main] }]
            : [];
        return { osName: ARCHISO_NAMES[dir.toLowerCase()] ?? `${label} (archiso)`, vars: { basedir: dir }, boot };
      }
      return null;
    },
    kernelDir: (v) => new RegExp(`^/${escapeRe(v.basedir!)}/boot/`, 'i'),
    netArgs: {
      iso: 'archisobasedir={basedir} archiso_http_srv={src}/ ip=dhcp',
      folder: 'archisobasedir={basedir} archiso_http_srv={src}/ ip=dhcp',
    },
    dropArgs: [
      'archisolabel',
      'archisodevice',
      'archisosearchuuid',
      'archisosearchfilename',
      'img_dev',
      'img_loop',
      'archiso_nbd_srv',
      'archiso_nfs_srv',
    ],
    minRam: { imagePlusMiB: 1024 },
    ramReason: 'archiso copies its root image into RAM when it boots over HTTP',
  },
  {
    family: 'casper',
    covers: 'Ubuntu and flavours, Linux Mint, Pop!_OS, elementary (casper live systems)',
    // casper(7) ≥ 1.445 (Ubuntu 20.04+): netboot=url + url= download the whole ISO into RAM and mount it
    // as the live medium; ip=dhcp is required in practice; cloud-config-url=/dev/null stops cloud-init
    // from fetching the url= a second time (Ubuntu's "netboot the live server installer" docs).
    async detect(p, label) {
      for (const dir of await topDirs(p)) {
        if (!/^casper/i.test(dir)) continue;
        const kernel = await first(p, [`/${dir}/vmlinuz`, `/${dir}/vmlinuz*`]);
        const initrd = await first(p, [`/${dir}/initrd`, `/${dir}/initrd.lz`, `/${dir}/initrd.gz`, `/${dir}/initrd*`]);
        const vars: Record<string, string> = {
          casperdir: dir,
          mediapath: dir.toLowerCase() === 'casper' ? '' : `live-media-path=/${dir}`,
        };
        const osName = (await discInfo(p)) ?? `${label} (casper)`;
        return { osName, vars, boot: kernel && initrd ? [{ label: osName, kernel, initrd: [initrd] }] : [] };
      }
      return null;
    },
    kernelDir: (v) => new RegExp(`^/${escapeRe(v.casperdir!)}/`, 'i'),
    netArgs: { iso: 'boot=casper netboot=url url={iso} ip=dhcp cloud-config-url=/dev/null {mediapath}', folder: null },
    dropArgs: ['iso-scan/filename', 'findiso', 'cdrom-detect/try-usb', 'live-media-path', 'nfsroot'],
    minRam: { imagePlusMiB: 1024 },
    ramReason: 'casper downloads the whole ISO into RAM (url=)',
    folderProblem: 'casper can only fetch a whole ISO over HTTP: serve the .iso file, not an extracted folder',
  },
  {
    family: 'anaconda',
    covers: 'Fedora/RHEL/Rocky/Alma/CentOS Stream installers (Anaconda)',
    // Anaconda boot options (anaconda docs "boot options"): inst.stage2= is the tree holding
    // images/install.img (.treeinfo), fetched into RAM; inst.repo= is a package repository, which only
    // DVD/"Everything" trees carry (repodata/, or BaseOS/repodata on RHEL 8+ DVDs). Boot/netinstall ISOs
    // have none: Fedora's Anaconda then uses its mirror list, RHEL/Rocky/Alma ask for a source.
    async detect(p, label) {
      if (!(await p.file('/images/install.img')) && !(await p.file('/.treeinfo'))) return null;
      const kernel = await first(p, ['/images/pxeboot/vmlinuz', '/isolinux/vmlinuz']);
      const initrd = await first(p, ['/images/pxeboot/initrd.img', '/isolinux/initrd.img']);
      if (!kernel) return null;
      const osName = treeInfoName(await p.text('/.treeinfo', 65536)) ?? `${label} (Anaconda installer)`;
      const hasPackages = (await p.first(['/repodata/repomd.xml', '/BaseOS/repodata/repomd.xml'])) !== null;
      const warnings = hasPackages
        ? []
        : [
            `${osName}: this is a boot (netinstall) ISO without packages — Bootdrop serves the installer ` +
              '(inst.stage2), the packages must come from a repository: Fedora uses its mirrors by itself; ' +
              'for RHEL, Rocky or Alma give one (extra arguments: inst.repo=<URL of a BaseOS tree>, ' +
              'or Installation Source in the installer)',
          ];
      return {
        osName,
        vars: { repo: hasPackages ? 'inst.repo={src}/' : '' },
        boot: initrd ? [{ label: `Install ${osName}`, kernel, initrd: [initrd] }] : [],
        warnings,
      };
    },
    kernelDir: /^\/(images\/pxeboot|isolinux)\//i,
    netArgs: { iso: 'inst.stage2={src}/ {repo} ip=dhcp', folder: 'inst.stage2={src}/ {repo} ip=dhcp' },
    dropArgs: ['inst.stage2', 'inst.repo', 'root', 'rd.live.check'],
    // RHEL 9 "Minimum RAM requirements": 3 GiB for an HTTP/HTTPS/FTP network installation (1.5 GiB from
    // local media); Fedora's install.img is as large, and is held in RAM the same way.
    minRam: { fixedMiB: 3072 },
    ramReason:
      'Anaconda loads its installer image (install.img) into RAM when installing over HTTP (RHEL: 3 GiB minimum)',
  },
  {
    family: 'dracut-live',
    covers: 'Fedora 42+ live ISOs built by KIWI (/boot/x86_64/loader, EROFS LiveOS/squashfs.img)',
    // Fedora's KIWI descriptions build the live ISO with upstream dracut dmsquash-live (rd.live.image
    // root=live:CDLABEL=Fedora-WS-Live-42...), so dracut's livenet fetches the ISO (root=live:http) like
    // any Fedora live; only the file layout is KIWI's. Told from openSUSE's KIWI images by Fedora's name.
    async detect(p, label) {
      const kernel = await p.file('/boot/x86_64/loader/linux');
      const squash = await p.first(['/LiveOS/squashfs.img', '/LiveOS/*.img']);
      if (!kernel || !squash) return null;
      const menu = (await p.text('/boot/grub2/grub.cfg', 65536)) ?? (await p.text('/EFI/BOOT/grub.cfg', 65536)) ?? '';
      if (!/fedora/i.test(label) && !(await p.isDir('/EFI/fedora')) && !/menuentry\s+["'][^"']*fedora/i.test(menu))
        return null;
      const initrd = await p.file('/boot/x86_64/loader/initrd');
      const osName = fedoraLiveName(label);
      return {
        osName,
        vars: { squashfs: squash.slice(1) },
        boot: initrd ? [{ label: osName, kernel, initrd: [initrd] }] : [],
      };
    },
    kernelDir: /^\/boot\/x86_64\/loader\//i,
    netArgs: {
      iso: 'root=live:{iso} rd.live.image ip=dhcp',
      folder: 'root=live:{src}/{squashfs} rd.live.image ip=dhcp',
    },
    dropArgs: ['root', 'iso-scan/filename', 'mediacheck'],
    minRam: { imagePlusMiB: 1024 },
    ramReason: 'dracut downloads the live image into RAM (root=live:http)',
  },
  {
    family: 'opensuse',
    covers: 'openSUSE live images (KIWI + dracut)',
    async detect(p, label) {
      const kernel = await p.file('/boot/x86_64/loader/linux');
      if (!kernel || !(await p.isDir('/LiveOS'))) return null;
      const initrd = await p.file('/boot/x86_64/loader/initrd');
      const osName = `${label} (openSUSE live)`;
      return {
        osName,
        vars: {},
        boot: initrd ? [{ label: osName, kernel, initrd: [initrd] }] : [],
        warnings: [
          `${osName}: KIWI's live initrd (dracut module kiwi-live) fetches root=live:http only since kiwi 10.2.24 ` +
            '(May 2025; openSUSE Tumbleweed from then on); older images (e.g. Leap 15.6) ignore it and wait for ' +
            'their CD',
        ],
      };
    },
    kernelDir: /^\/boot\/x86_64\/loader\//i,
    // kiwi-live (kiwi-live-lib.sh ProvideIso): root=live:http://… is curl'd into the ramdisk /dev/ram0,
    // sized by ramdisk_size= in KiB (default 2 GiB, too small for larger ISOs): size it to the ISO.
    netArgs: { iso: 'root=live:{iso} rd.live.image ip=dhcp ramdisk_size={ramdiskKiB}', folder: null },
    dropArgs: ['root', 'rd.live.check', 'rd.kiwi.install.pass.bootparam', 'mediacheck', 'ramdisk_size'],
    minRam: { imagePlusMiB: 1024 },
    ramReason: 'the whole ISO is downloaded into a RAM disk (/dev/ram0, root=live:http)',
    folderProblem: 'openSUSE live images boot over HTTP from the whole ISO: serve the .iso file',
  },
  {
    family: 'opensuse',
    covers: 'openSUSE/SLE installers (linuxrc)',
    // linuxrc: install=<url> is the installation repository (the ISO's tree); linuxrc runs DHCP itself.
    async detect(p, label) {
      const kernel = await p.file('/boot/x86_64/loader/linux');
      const initrd = await p.file('/boot/x86_64/loader/initrd');
      if (!kernel || !initrd) return null;
      const osName = `${label} (openSUSE installer)`;
      return { osName, vars: {}, boot: [{ label: `Install ${label}`, kernel, initrd: [initrd] }] };
    },
    kernelDir: /^\/boot\/x86_64\/loader\//i,
    netArgs: { iso: 'install={src}/', folder: 'install={src}/' },
    dropArgs: ['install'],
    minRam: { fixedMiB: 1024 },
    ramReason: 'the openSUSE installer runs from RAM',
  },
  {
    family: 'dracut-live',
    covers: 'Fedora live and other dracut dmsquash-live images',
    // dracut.cmdline(7): root=live:<url> with rd.live.image; livenet downloads an ISO or squashfs into RAM.
    async detect(p, label) {
      const squash = await p.first(['/LiveOS/squashfs.img', '/LiveOS/*.img']);
      if (!squash) return null;
      const kernel = await first(p, [
        '/images/pxeboot/vmlinuz',
        '/isolinux/vmlinuz',
        '/isolinux/vmlinuz*',
        '/boot/x86_64/loader/linux',
      ]);
      const initrd = await first(p, [
        '/images/pxeboot/initrd.img',
        '/isolinux/initrd.img',
        '/isolinux/initrd*',
        '/boot/x86_64/loader/initrd',
      ]);
      const osName = `${label} (live)`;
      return {
        osName,
        vars: { squashfs: squash.slice(1) },
        boot: kernel && initrd ? [{ label: osName, kernel, initrd: [initrd] }] : [],
      };
    },
    kernelDir: /^\/(images\/pxeboot|isolinux|boot)\//i,
    netArgs: {
      iso: 'root=live:{iso} rd.live.image ip=dhcp',
      folder: 'root=live:{src}/{squashfs} rd.live.image ip=dhcp',
    },
    // rd.live.check stays: it checks the downloaded image, as "Test this media" promises.
    dropArgs: ['root', 'inst.stage2', 'iso-scan/filename'],
    minRam: { imagePlusMiB: 1024 },
    ramReason: 'dracut downloads the live image into RAM (root=live:http)',
  },
  {
    family: 'live-boot',
    covers: 'Debian live, Kali live, Clonezilla, GParted Live (live-boot)',
    // live-boot(7): fetch=<url> downloads the squashfs into RAM; boot=live activates live-boot.
    async detect(p, label) {
      const squash = await p.first(['/live/filesystem.squashfs', '/live/*.squashfs']);
      if (!squash) return null;
      const kernel = await first(p, ['/live/vmlinuz', '/live/vmlinuz*']);
      const initrd = await first(p, ['/live/initrd.img', '/live/initrd*']);
      let osName = await discInfo(p);
      if (!osName && (await p.file('/Clonezilla-Live-Version'))) osName = 'Clonezilla live';
      if (!osName && (await p.file('/GParted-Live-Version'))) osName = 'GParted Live';
      osName ??= `${label} (Debian live)`;
      return {
        osName,
        vars: { squashfs: squash.slice('/live/'.length) },
        boot: kernel && initrd ? [{ label: osName, kernel, initrd: [initrd] }] : [],
      };
    },
    kernelDir: /^\/live\//i,
    netArgs: {
      iso: 'boot=live fetch={src}/live/{squashfs} ip=dhcp',
      folder: 'boot=live fetch={src}/live/{squashfs} ip=dhcp',
    },
    dropArgs: [
      'findiso',
      'fromiso',
      'live-media',
      'live-media-path',
      'fetch',
      'httpfs',
      'ftpfs',
      'netboot',
      'nfsroot',
      'iso-scan/filename',
    ],
    minRam: { imagePlusMiB: 1024 },
    ramReason: 'live-boot downloads the squashfs into RAM (fetch=)',
  },
  {
    family: 'alpine',
    covers: 'Alpine Linux (standard, extended, virt)',
    // Alpine PXE boot (wiki "PXE boot"): alpine_repo= the apks repository, modloop= the kernel modules
    // image, ip=dhcp (mkinitfs-bootparam(7)).
    async detect(p, label) {
      if (!(await p.file('/.alpine-release')) && !(await p.isDir('/apks'))) return null;
      const boot: BootFiles[] = [];
      for (const k of await p.glob('/boot/vmlinuz-*')) {
        const flavor = k.slice('/boot/vmlinuz-'.length);
        const initrd = await p.file(`/boot/initramfs-${flavor}`);
        if (initrd) boot.push({ label: `Alpine Linux (${flavor})`, kernel: k, initrd: [initrd], vars: { flavor } });
      }
      if (boot.length === 0) return null;
      const release = (await p.text('/.alpine-release', 256))?.trim().split(/\s+/)[0];
      const osName = release ? `Alpine Linux ${release}` : `${label} (Alpine)`;
      return {
        osName,
        vars: { flavor: boot[0]!.vars!.flavor! },
        boot,
        // aports scripts/mkimg.base.sh: the ISO's initfs_features are "ata base bootchart cdrom dhcp ext4
        // mmc nvme raid scsi squashfs usb virtio" — no "network" (only the netboot profile adds it), so the
        // initramfs has virtio-net and no driver for a real NIC; the drivers are in modloop, which is what
        // it would fetch over that network. Said per entry rather than offered as if it worked.
        entryNote: 'virtual machines only',
        warnings: [
          `${osName}: the ISO's initramfs carries only virtio network drivers (mkinitfs features without "network"), ` +
            'so a real PC (Intel e1000e/igb, Realtek r8169…) gets no network and cannot fetch modloop/apks — ' +
            "these entries boot virtual machines only; for real PCs use Alpine's netboot files " +
            '(alpine-netboot-*.tar.gz)',
        ],
      };
    },
    kernelDir: /^\/boot\/vmlinuz-/i,
    netArgs: {
      iso: 'alpine_repo={src}/apks modloop={src}/boot/modloop-{flavor} ip=dhcp',
      folder: 'alpine_repo={src}/apks modloop={src}/boot/modloop-{flavor} ip=dhcp',
    },
    dropArgs: ['alpine_dev', 'modloop', 'alpine_repo'],
  },
  {
    family: 'debian-installer',
    covers: 'Debian installer ISOs (netinst, DVD: install.amd/) and other debian-cd installer media',
    // debian-cd: the CD's initrd (install.amd/initrd.gz, gtk/) is debian-installer's "cdrom" flavour:
    // cdrom-detect + cdrom-retriever load its components from the disc; the network retriever and
    // choose-mirror live only in the netboot initrd (dists/*/main/installer-amd64/.../netboot/), which
    // the ISO does not carry. Nothing on the ISO fetches it over HTTP, so the entries say so.
    async detect(p, label) {
      for (const d of ['install.amd', 'install.a64', 'install.386', 'install']) {
        const kernel = await p.file(`/${d}/vmlinuz`);
        if (!kernel || !(await p.isDir('/dists'))) continue;
        const initrd = await p.file(`/${d}/initrd.gz`);
        const osName = (await discInfo(p)) ?? `${label} (Debian installer)`;
        return {
          osName,
          vars: { installdir: d },
          boot: initrd ? [{ label: `Install ${osName}`, kernel, initrd: [initrd] }] : [],
          entryNote: 'needs its CD, not bootable over the network',
        };
      }
      return null;
    },
    kernelDir: (v) => new RegExp(`^/${escapeRe(v.installdir!)}/`, 'i'),
    netArgs: { iso: null, folder: null },
    dropArgs: [],
    isoProblem: DEBIAN_INSTALLER_PROBLEM,
    folderProblem: DEBIAN_INSTALLER_PROBLEM,
  },
];

/** "Fedora-WS-Live-42-1-1" → "Fedora Workstation Live 42"; other labels as they are. */
function fedoraLiveName(label: string): string {
  const m = /^Fedora-(WS|KDE|[A-Za-z]+)-Live-(\d+)/i.exec(label);
  if (!m) return `${label} (Fedora live)`;
  const edition = m[1]!.toUpperCase() === 'WS' ? 'Workstation' : m[1]!;
  return `Fedora ${edition} Live ${m[2]}`;
}

/** memtest86+ binaries: BIOS images speak the Linux boot protocol (iPXE `kernel`), EFI ones are chained. */
export const MEMTEST = {
  bios: [
    '/boot/memtest86+x64.bin',
    '/boot/memtest86+.bin',
    '/boot/memtest.bin',
    '/memtest86+x64.bin',
    '/memtest.bin',
    '/boot/memtest',
    '/isolinux/memtest',
    '/memtest',
  ],
  efi: [
    '/boot/memtest86+x64.efi',
    '/EFI/BOOT/memtest86+x64.efi',
    '/boot/memtest.efi',
    '/memtest86+x64.efi',
    '/memtest.efi',
    '/EFI/BOOT/memtest.efi',
  ],
  /** The 6.x/7.x release ISO: its BIOS program is the El Torito floppy image itself. */
  releaseLabel: /^MT86PLUS/i,
  releaseBios: '/boot/floppy.img',
  /** A kernel path from an ISO menu that is memtest, whatever family the ISO is. */
  pattern: /memtest/i,
} as const;

/** Generic fallback limits: memdisk copies the image into RAM below 4 GiB, so only small images. */
export const MEMDISK_MAX_BYTES = 256 * 1024 * 1024;

function treeInfoName(text: string | null): string | null {
  if (!text) return null;
  const get = (section: string, key: string) => {
    const m = new RegExp(`\\[${section}\\][^\\[]*?^${key}\\s*=\\s*(.+)$`, 'mi').exec(text);
    return m ? m[1]!.trim() : null;
  };
  const name = get('release', 'name') ?? get('general', 'family');
  const version = get('release', 'version') ?? get('general', 'version');
  return name ? (version ? `${name} ${version}` : name) : null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
