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

export interface BootFiles {
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
}

export interface Recipe {
  family: OsFamily;
  /** What this row covers, for humans. */
  covers: string;
  detect(probe: SourceProbe, label: string): Promise<Detection | null>;
  /** Kernels (from the ISO's own menu) that this family's network arguments apply to; a template. */
  kernelDir: RegExp | ((vars: Record<string, string>) => RegExp);
  /** Network-fetch arguments when serving an ISO file, and when serving a plain folder (null: impossible). */
  netArgs: { iso: string; folder: string | null };
  /** Arguments only meaningful on the CD (they would make the initramfs wait for a disc). */
  dropArgs: readonly string[];
  /** Client RAM: the fetched image lives in RAM, so roughly image size + this many MiB; or a fixed need. */
  minRam?: { imagePlusMiB: number } | { fixedMiB: number };
  /** Why the RAM is needed (shown with the warning). */
  ramReason?: string;
  /** Shown when the folder form is impossible. */
  folderProblem?: string;
}

const first = (p: SourceProbe, c: readonly string[]) => p.first(c);

async function topDirs(p: SourceProbe): Promise<string[]> {
  return (await p.list('/')).filter((e) => e.type === 'dir').map((e) => e.name);
}

async function discInfo(p: SourceProbe): Promise<string | null> {
  const t = (await p.text('/.disk/info', 4096))?.split('\n')[0]?.trim();
  return t ? t.replace(/\s*-\s*Release.*$/, '').replace(/"/g, '') : null;
}

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
    // Anaconda boot options: inst.repo= points at the installation tree (the ISO's files, .treeinfo);
    // stage2 (images/install.img) is fetched from there into RAM.
    async detect(p, label) {
      if (!(await p.file('/images/install.img')) && !(await p.file('/.treeinfo'))) return null;
      const kernel = await first(p, ['/images/pxeboot/vmlinuz', '/isolinux/vmlinuz']);
      const initrd = await first(p, ['/images/pxeboot/initrd.img', '/isolinux/initrd.img']);
      if (!kernel) return null;
      const osName = treeInfoName(await p.text('/.treeinfo', 65536)) ?? `${label} (Anaconda installer)`;
      return { osName, vars: {}, boot: initrd ? [{ label: `Install ${osName}`, kernel, initrd: [initrd] }] : [] };
    },
    kernelDir: /^\/(images\/pxeboot|isolinux)\//i,
    netArgs: { iso: 'inst.repo={src}/ ip=dhcp', folder: 'inst.repo={src}/ ip=dhcp' },
    dropArgs: ['inst.stage2', 'inst.repo', 'root', 'rd.live.check'],
    minRam: { fixedMiB: 2048 },
    ramReason: 'Anaconda loads its installer image (install.img) into RAM when installing over the network',
  },
  {
    family: 'opensuse',
    covers: 'openSUSE live images (KIWI + dracut)',
    async detect(p, label) {
      const kernel = await p.file('/boot/x86_64/loader/linux');
      if (!kernel || !(await p.isDir('/LiveOS'))) return null;
      const initrd = await p.file('/boot/x86_64/loader/initrd');
      const osName = `${label} (openSUSE live)`;
      return { osName, vars: {}, boot: initrd ? [{ label: osName, kernel, initrd: [initrd] }] : [] };
    },
    kernelDir: /^\/boot\/x86_64\/loader\//i,
    // dracut dmsquash-live/livenet: root=live:<url> downloads the image into RAM.
    netArgs: { iso: 'root=live:{iso} rd.live.image ip=dhcp', folder: null },
    dropArgs: ['root', 'rd.live.check', 'rd.kiwi.install.pass.bootparam'],
    minRam: { imagePlusMiB: 1024 },
    ramReason: 'the live image is downloaded into RAM (root=live:http)',
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
      return {
        osName: release ? `Alpine Linux ${release}` : `${label} (Alpine)`,
        vars: { flavor: boot[0]!.vars!.flavor! },
        boot,
      };
    },
    kernelDir: /^\/boot\/vmlinuz-/i,
    netArgs: {
      iso: 'alpine_repo={src}/apks modloop={src}/boot/modloop-{flavor} ip=dhcp',
      folder: 'alpine_repo={src}/apks modloop={src}/boot/modloop-{flavor} ip=dhcp',
    },
    dropArgs: ['alpine_dev', 'modloop', 'alpine_repo'],
  },
];

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
