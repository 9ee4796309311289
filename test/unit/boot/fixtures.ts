/**
 * Boot-menu fixtures modelled on real ISOs (file layout and config text as those distributions ship
 * them, shortened), and a helper to write a synthetic ISO tree into a temp folder for FolderSource.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type Tree = Record<string, string | Buffer>;

const dirs: string[] = [];

/** Write `tree` (path → contents) under a fresh temp folder; returns the folder. */
export async function writeTree(tree: Tree): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'bootdrop-boot-'));
  dirs.push(root);
  for (const [path, data] of Object.entries(tree)) {
    const full = join(root, path);
    await fsp.mkdir(dirname(full), { recursive: true });
    await fsp.writeFile(full, data);
  }
  return root;
}

export function cleanupTrees(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

const K = 'kernel-bytes';

// ---- Arch Linux (archiso ≥ 2021: syslinux under /boot/syslinux, base dir /arch) -----------------
const ARCH_SYSLINUX_CFG = `DEFAULT select

LABEL select
COM32 whichsys.c32
APPEND -pxe- pxe -sys- sys -iso- sys

LABEL pxe
CONFIG archiso_pxe.cfg

LABEL sys
CONFIG archiso_sys.cfg
`;
const ARCH_SYS_CFG = `INCLUDE archiso_head.cfg

DEFAULT arch64
TIMEOUT 150

INCLUDE archiso_sys-linux.cfg

INCLUDE archiso_tail.cfg
`;
const ARCH_HEAD_CFG = `SERIAL 0 115200
UI vesamenu.c32
MENU TITLE Arch Linux
MENU BACKGROUND splash.png
MENU WIDTH 78
MENU MARGIN 4
`;
export const ARCH_SYS_LINUX_CFG = `LABEL arch64
TEXT HELP
Boot the Arch Linux install medium on BIOS.
It allows you to install Arch Linux or perform system maintenance.
ENDTEXT
MENU LABEL Arch Linux install medium (x86_64, BIOS)
LINUX /arch/boot/x86_64/vmlinuz-linux
INITRD /arch/boot/intel-ucode.img,/arch/boot/amd-ucode.img,/arch/boot/x86_64/initramfs-linux.img
APPEND archisobasedir=arch archisosearchuuid=2024-03-01-17-20-28-00

# Accessibility boot option
LABEL arch64speech
TEXT HELP
Boot the Arch Linux install medium on BIOS with speakup screen reader.
ENDTEXT
MENU LABEL Arch Linux install medium (x86_64, BIOS) with ^speech
LINUX /arch/boot/x86_64/vmlinuz-linux
INITRD /arch/boot/intel-ucode.img,/arch/boot/amd-ucode.img,/arch/boot/x86_64/initramfs-linux.img
APPEND archisobasedir=arch archisosearchuuid=2024-03-01-17-20-28-00 accessibility=on
`;
const ARCH_PXE_CFG = `INCLUDE archiso_head.cfg

INCLUDE archiso_pxe-linux.cfg

INCLUDE archiso_tail.cfg
`;
const ARCH_PXE_LINUX_CFG = `LABEL arch64_nbd
MENU LABEL Arch Linux install medium (x86_64, NBD)
LINUX ::/arch/boot/x86_64/vmlinuz-linux
INITRD ::/arch/boot/x86_64/initramfs-linux.img
APPEND archisobasedir=arch archisosearchuuid=2024-03-01-17-20-28-00 archiso_nbd_srv=\${pxeserver} cms_verify=y
SYSAPPEND 3

LABEL arch64_http
MENU LABEL Arch Linux install medium (x86_64, HTTP)
LINUX ::/arch/boot/x86_64/vmlinuz-linux
INITRD ::/arch/boot/x86_64/initramfs-linux.img
APPEND archisobasedir=arch archiso_http_srv=http://\${pxeserver}/ cms_verify=y
SYSAPPEND 3
`;
const ARCH_TAIL_CFG = `LABEL existing
MENU LABEL Boot existing OS
COM32 chain.c32
APPEND hd0 0

# https://www.memtest.org/
LABEL memtest
MENU LABEL Run Memtest86+ (RAM test)
LINUX /boot/memtest86+/memtest

LABEL hdt
MENU LABEL Hardware Information (HDT)
COM32 hdt.c32
APPEND modules_alias=hdt/modalias.gz pciids=hdt/pciids.gz

LABEL reboot
MENU LABEL Reboot
COM32 reboot.c32
`;

export const ARCH_TREE: Tree = {
  'arch/boot/x86_64/vmlinuz-linux': K,
  'arch/boot/x86_64/initramfs-linux.img': 'initramfs',
  'arch/boot/intel-ucode.img': 'ucode',
  'arch/boot/amd-ucode.img': 'ucode',
  'arch/x86_64/airootfs.sfs': 'squash',
  'boot/syslinux/syslinux.cfg': ARCH_SYSLINUX_CFG,
  'boot/syslinux/archiso_sys.cfg': ARCH_SYS_CFG,
  'boot/syslinux/archiso_head.cfg': ARCH_HEAD_CFG,
  'boot/syslinux/archiso_sys-linux.cfg': ARCH_SYS_LINUX_CFG,
  'boot/syslinux/archiso_pxe.cfg': ARCH_PXE_CFG,
  'boot/syslinux/archiso_pxe-linux.cfg': ARCH_PXE_LINUX_CFG,
  'boot/syslinux/archiso_tail.cfg': ARCH_TAIL_CFG,
  'boot/syslinux/lpxelinux.0': 'pxelinux',
  'boot/syslinux/isolinux.bin': 'isolinux',
  'boot/memtest86+/memtest': 'memtest',
};

// ---- Ubuntu 22.04 desktop (casper, GRUB only) ---------------------------------------------------
export const UBUNTU_GRUB_CFG = `if loadfont /boot/grub/font.pf2 ; then
	set gfxmode=auto
	insmod efi_gop
	insmod efi_uga
	insmod gfxterm
	terminal_output gfxterm
fi

set menu_color_normal=white/black
set menu_color_highlight=black/light-gray

set timeout=5
menuentry "Try or Install Ubuntu" {
	set gfxpayload=keep
	linux	/casper/vmlinuz file=/cdrom/preseed/ubuntu.seed maybe-ubiquity quiet splash ---
	initrd	/casper/initrd
}
menuentry "Ubuntu (safe graphics)" {
	set gfxpayload=keep
	linux	/casper/vmlinuz nomodeset file=/cdrom/preseed/ubuntu.seed maybe-ubiquity quiet splash ---
	initrd	/casper/initrd
}
menuentry "OEM install (for manufacturers)" {
	set gfxpayload=keep
	linux	/casper/vmlinuz file=/cdrom/preseed/ubuntu.seed only-ubiquity oem-config/enable=true quiet splash ---
	initrd	/casper/initrd
}
grub_platform
if [ "$grub_platform" = "efi" ]; then
menuentry 'Boot from next volume' {
	exit 1
}
menuentry 'UEFI Firmware Settings' {
	fwsetup
}
else
menuentry 'Test memory' {
	linux16 /boot/memtest86+.bin
}
fi
`;
export const UBUNTU_TREE: Tree = {
  'casper/vmlinuz': K,
  'casper/initrd': 'initrd',
  'casper/filesystem.squashfs': 'squash',
  '.disk/info': 'Ubuntu 22.04.3 LTS "Jammy Jellyfish" - Release amd64 (20230807.2)',
  'boot/grub/grub.cfg': UBUNTU_GRUB_CFG,
  'boot/memtest86+.bin': 'memtest',
};

// ---- Debian live 12 (live-boot; isolinux menu split over several files) ------------------------
const DEBIAN_ISOLINUX_CFG = `include menu.cfg
default vesamenu.c32
prompt 0
timeout 0
`;
const DEBIAN_MENU_CFG = `menu hshift 0
menu width 82

include stdmenu.cfg
include live.cfg
menu begin install
	menu label ^Installer
	menu title Installer
	include install.cfg
	label mainmenu
		menu label ^Back..
		menu exit
menu end
menu clear
`;
const DEBIAN_LIVE_CFG = `label live-6.1.0-9-amd64
	menu label ^Live system (amd64)
	menu default
	linux /live/vmlinuz-6.1.0-9-amd64
	initrd /live/initrd.img-6.1.0-9-amd64
	append boot=live components quiet splash findiso=\${iso_path}

label live-6.1.0-9-amd64-failsafe
	menu label Live system (amd64 fail-safe mode)
	linux /live/vmlinuz-6.1.0-9-amd64
	initrd /live/initrd.img-6.1.0-9-amd64
	append boot=live components memtest noapic noapm nodma nomce nosmp nosplash vga=788
`;
const DEBIAN_INSTALL_CFG = `label installstart
	menu label Start ^installer
	linux /install/gtk/vmlinuz
	initrd /install/gtk/initrd.gz
	append vga=788  --- quiet
`;
export const DEBIAN_TREE: Tree = {
  'live/vmlinuz-6.1.0-9-amd64': K,
  'live/initrd.img-6.1.0-9-amd64': 'initrd',
  'live/filesystem.squashfs': 'squash',
  'install/gtk/vmlinuz': K,
  'install/gtk/initrd.gz': 'initrd',
  '.disk/info': 'Debian GNU/Linux 12.0.0 "Bookworm" - Official amd64 Live',
  'isolinux/isolinux.cfg': DEBIAN_ISOLINUX_CFG,
  'isolinux/menu.cfg': DEBIAN_MENU_CFG,
  'isolinux/stdmenu.cfg': 'menu background splash.png\n',
  'isolinux/live.cfg': DEBIAN_LIVE_CFG,
  'isolinux/install.cfg': DEBIAN_INSTALL_CFG,
};

// ---- Fedora Workstation Live 38 (dracut live; isolinux + EFI GRUB) ------------------------------
export const FEDORA_ISOLINUX_CFG = `default vesamenu.c32
timeout 600

display boot.msg

menu title Fedora-Workstation-Live 38

label linux
  menu label ^Start Fedora-Workstation-Live 38
  kernel vmlinuz
  append initrd=initrd.img root=live:CDLABEL=Fedora-WS-Live-38-1-6 rd.live.image quiet rhgb
  menu default

label check
  menu label Test this ^media & start Fedora-Workstation-Live 38
  kernel vmlinuz
  append initrd=initrd.img root=live:CDLABEL=Fedora-WS-Live-38-1-6 rd.live.image rd.live.check quiet

menu separator # insert an empty line

menu begin ^Troubleshooting
  menu title Troubleshooting Fedora-Workstation-Live 38

label basic
  menu indent count 5
  menu label Start Fedora-Workstation-Live 38 in ^basic graphics mode
  text help
	Try this option out if you're having trouble starting.
  endtext
  kernel vmlinuz
  append initrd=initrd.img root=live:CDLABEL=Fedora-WS-Live-38-1-6 rd.live.image nomodeset quiet rhgb

label local
  menu label Boot from ^local drive
  localboot 0xffff

menu end
`;
export const FEDORA_GRUB_CFG = `set default="1"

function load_video {
  insmod all_video
}

load_video
set gfxpayload=keep
insmod gzio
insmod part_gpt
insmod ext2
insmod chain

set timeout=60
### END /etc/grub.d/00_header ###

search --no-floppy --set=root -l 'Fedora-WS-Live-38-1-6'

### BEGIN /etc/grub.d/10_linux ###
menuentry 'Start Fedora-Workstation-Live 38' --class fedora --class gnu-linux --class gnu --class os {
	linuxefi /images/pxeboot/vmlinuz root=live:CDLABEL=Fedora-WS-Live-38-1-6  rd.live.image quiet rhgb
	initrdefi /images/pxeboot/initrd.img
}
menuentry 'Test this media & start Fedora-Workstation-Live 38' --class fedora --class gnu-linux --class gnu --class os {
	linuxefi /images/pxeboot/vmlinuz root=live:CDLABEL=Fedora-WS-Live-38-1-6  rd.live.image rd.live.check quiet
	initrdefi /images/pxeboot/initrd.img
}
submenu 'Troubleshooting -->' {
	menuentry 'Start Fedora-Workstation-Live 38 in basic graphics mode' --class fedora --class gnu-linux --class gnu --class os {
		linuxefi /images/pxeboot/vmlinuz root=live:CDLABEL=Fedora-WS-Live-38-1-6  rd.live.image nomodeset quiet rhgb
		initrdefi /images/pxeboot/initrd.img
	}
}
`;
export const FEDORA_LIVE_TREE: Tree = {
  'isolinux/vmlinuz': K,
  'isolinux/initrd.img': 'initrd',
  'isolinux/isolinux.cfg': FEDORA_ISOLINUX_CFG,
  'images/pxeboot/vmlinuz': K,
  'images/pxeboot/initrd.img': 'initrd',
  'EFI/BOOT/grub.cfg': FEDORA_GRUB_CFG,
  'LiveOS/squashfs.img': 'squash',
};

// ---- Rocky Linux 9 DVD (Anaconda) ---------------------------------------------------------------
const ROCKY_ISOLINUX_CFG = `default vesamenu.c32
timeout 600
menu title Rocky Linux 9.2

label linux
  menu label ^Install Rocky Linux 9.2
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=Rocky-9-2-x86_64-dvd quiet

label check
  menu label Test this ^media & install Rocky Linux 9.2
  menu default
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=Rocky-9-2-x86_64-dvd rd.live.check quiet
`;
export const ROCKY_TREE: Tree = {
  'isolinux/vmlinuz': K,
  'isolinux/initrd.img': 'initrd',
  'isolinux/isolinux.cfg': ROCKY_ISOLINUX_CFG,
  'images/pxeboot/vmlinuz': K,
  'images/pxeboot/initrd.img': 'initrd',
  'images/install.img': 'stage2',
  '.treeinfo':
    '[general]\nfamily = Rocky Linux\nversion = 9.2\n\n[release]\nname = Rocky Linux\nshort = Rocky\nversion = 9.2\n',
  // the DVD carries its packages (pungi: one repository per variant)
  'BaseOS/repodata/repomd.xml': '<repomd/>',
  'AppStream/repodata/repomd.xml': '<repomd/>',
};

// ---- openSUSE Tumbleweed DVD (linuxrc installer) and a KIWI live image ------------------------------
export const OPENSUSE_TREE: Tree = {
  'boot/x86_64/loader/linux': K,
  'boot/x86_64/loader/initrd': 'initrd',
  'boot/x86_64/loader/isolinux.cfg': `default harddisk
label harddisk
  localboot 0x80
label linux
  kernel linux
  append initrd=initrd splash=silent showopts
`,
  'media.1/products': '/ openSUSE-Tumbleweed 20240301-0\n',
};
export const OPENSUSE_LIVE_TREE: Tree = {
  'boot/x86_64/loader/linux': K,
  'boot/x86_64/loader/initrd': 'initrd',
  'LiveOS/squashfs.img': 'squash',
};

// ---- Alpine 3.19 standard ---------------------------------------------------------------------------
const ALPINE_SYSLINUX_CFG = `SERIAL 0 115200
TIMEOUT 10
PROMPT 1
DEFAULT lts

LABEL lts
MENU LABEL Linux lts
KERNEL /boot/vmlinuz-lts
INITRD /boot/initramfs-lts
FDTDIR /boot/dtbs-lts
APPEND modules=loop,squashfs,sd-mod,usb-storage quiet console=tty0 console=ttyS0,115200
`;
const ALPINE_GRUB_CFG = `set timeout=1

menuentry "Linux lts" {
linux	/boot/vmlinuz-lts modules=loop,squashfs,sd-mod,usb-storage quiet console=tty0 console=ttyS0,115200
initrd	/boot/initramfs-lts
}
`;
export const ALPINE_TREE: Tree = {
  '.alpine-release': 'alpine-3.19.1 240127\n',
  'apks/x86_64/APKINDEX.tar.gz': 'index',
  'boot/vmlinuz-lts': K,
  'boot/initramfs-lts': 'initramfs',
  'boot/modloop-lts': 'modloop',
  'boot/syslinux/syslinux.cfg': ALPINE_SYSLINUX_CFG,
  'boot/grub/grub.cfg': ALPINE_GRUB_CFG,
};

// ---- Clonezilla live (live-boot, /Clonezilla-Live-Version, no .disk/info) ---------------------------
export const CLONEZILLA_TREE: Tree = {
  'live/vmlinuz': K,
  'live/initrd.img': 'initrd',
  'live/filesystem.squashfs': 'squash',
  'Clonezilla-Live-Version': 'clonezilla-live-3.1.2-22-amd64\n',
};

// ---- memtest86+ 6.10 ISO ------------------------------------------------------------------------------
export const MEMTEST_TREE: Tree = {
  'boot/memtest86+x64.bin': 'memtest-bios',
  'EFI/BOOT/BOOTX64.EFI': 'memtest-efi',
};

// ---- something unknown (e.g. FreeDOS) ------------------------------------------------------------------
export const UNKNOWN_TREE: Tree = {
  'FREEDOS/BIN/COMMAND.COM': 'dos',
  'isolinux/isolinux.cfg': 'DEFAULT fdos\nLABEL fdos\n  KERNEL memdisk\n  APPEND initrd=fdboot.img\n',
};

// ---- Arch Linux 2020 (archiso < 2021: everything under /arch, paths relative to /arch/) -------------
export const ARCH2020_TREE: Tree = {
  'isolinux/isolinux.cfg':
    'PATH /arch/boot/syslinux/\nDEFAULT loadconfig\n\nLABEL loadconfig\n  CONFIG /arch/boot/syslinux/archiso.cfg\n  APPEND /arch/\n',
  'arch/boot/syslinux/archiso.cfg':
    'DEFAULT select\n\nLABEL select\nCOM32 boot/syslinux/whichsys.c32\nAPPEND -pxe- pxe -sys- sys -iso- sys\n\nLABEL pxe\nCONFIG boot/syslinux/archiso_pxe.cfg\n\nLABEL sys\nCONFIG boot/syslinux/archiso_sys.cfg\n',
  'arch/boot/syslinux/archiso_head.cfg': 'SERIAL 0 38400\nUI boot/syslinux/vesamenu.c32\nMENU TITLE Arch Linux\n',
  'arch/boot/syslinux/archiso_sys.cfg': `INCLUDE boot/syslinux/archiso_head.cfg

LABEL arch64
TEXT HELP
Boot the Arch Linux (x86_64) live medium.
ENDTEXT
MENU LABEL Boot Arch Linux (x86_64)
LINUX boot/x86_64/vmlinuz
INITRD boot/intel_ucode.img,boot/amd_ucode.img,boot/x86_64/archiso.img
APPEND archisobasedir=arch archisolabel=ARCH_202001

INCLUDE boot/syslinux/archiso_tail.cfg
`,
  'arch/boot/syslinux/archiso_pxe.cfg': `INCLUDE boot/syslinux/archiso_head.cfg

LABEL arch64_nbd
MENU LABEL Boot Arch Linux (x86_64) (NBD)
LINUX boot/x86_64/vmlinuz
INITRD boot/intel_ucode.img,boot/amd_ucode.img,boot/x86_64/archiso.img
APPEND archisobasedir=arch archisolabel=ARCH_202001 archiso_nbd_srv=\${pxeserver}
SYSAPPEND 3

LABEL arch64_http
MENU LABEL Boot Arch Linux (x86_64) (HTTP)
LINUX boot/x86_64/vmlinuz
INITRD boot/intel_ucode.img,boot/amd_ucode.img,boot/x86_64/archiso.img
APPEND archisobasedir=arch archiso_http_srv=http://\${pxeserver}/
SYSAPPEND 3

INCLUDE boot/syslinux/archiso_tail.cfg
`,
  'arch/boot/syslinux/archiso_tail.cfg':
    'LABEL existing\nMENU LABEL Boot existing OS\nCOM32 boot/syslinux/chain.c32\nAPPEND hd0 0\n',
  'arch/boot/syslinux/lpxelinux.0': 'pxelinux',
  'arch/boot/x86_64/vmlinuz': K,
  'arch/boot/x86_64/archiso.img': 'initramfs',
  'arch/boot/intel_ucode.img': 'ucode',
  'arch/boot/amd_ucode.img': 'ucode',
  'arch/x86_64/airootfs.sfs': 'squash',
};

// ==== Release layouts as the projects publish them (issue 14) ========================================

/** El Torito catalogue entries the way main/iso reports them (openIso's `info.elTorito`). */
export function elTorito(
  ...entries: Array<{ platform: 'bios' | 'efi'; emulation: 'none' | '1.44M' | 'hdd'; size: number }>
): unknown[] {
  return entries.map((e, i) => {
    const emul = e.emulation === 'none' ? 'NoEmul' : e.emulation === 'hdd' ? 'HardDisk' : `${e.emulation}Floppy`;
    return {
      index: i + 1,
      platform: e.platform,
      emulation: e.emulation,
      bootable: true,
      loadSegment: 0x7c0,
      sectorCount: e.emulation === 'none' ? 4 : 1,
      loadRba: 40 + i,
      imagePath: `/[BOOT]/${i + 1}-${e.platform === 'bios' ? 'BIOS' : 'EFI'}-${emul}.img`,
      imageSize: e.size,
    };
  });
}

// ---- memtest86+ 7.x release ISO (build/x86_64/Makefile `memtest.iso`) --------------------------------
// xorrisofs -volid MT86PLUS_64 -b /boot/floppy.img (1.44M floppy emulation: mt86plus padded with dd)
// --efi-boot on an appended FAT12 ESP holding EFI/BOOT/bootx64.efi; /boot and /EFI are grafted into the
// ISO tree, so the tree has boot/floppy.img and EFI/BOOT/bootx64.efi (Rock Ridge keeps the lower case).
export const MEMTEST_RELEASE_TREE: Tree = {
  'boot/floppy.img': 'mt86plus padded to 1474560 bytes',
  'EFI/BOOT/bootx64.efi': 'mt86plus',
};
export const MEMTEST_RELEASE_ELTORITO = elTorito(
  { platform: 'bios', emulation: '1.44M', size: 1_474_560 },
  { platform: 'efi', emulation: 'none', size: 2_097_152 },
);

// ---- Fedora 42 Workstation Live (KIWI, fedora-kiwi-descriptions; kiwi's grub2 ISO template) ---------
// /EFI/BOOT/grub.cfg finds the ISO by its KIWI id file and hands over to /boot/grub2/grub.cfg, whose
// entries load `($root)/boot/x86_64/loader/{linux,initrd}`; LiveOS/squashfs.img is EROFS.
const FEDORA_KIWI_GRUB_CFG = `# kiwi generated one time grub2 config file
search --file --set=root /boot/0x503d6c7e
set default=0
if [ -n "$extra_cmdline" ]; then
  submenu "Bootable snapshot $snapshot_num" {
    menuentry "If OK, run snapper rollback and reboot." { true; }
  }
fi
if [ -n "\${iso_path}" ]; then
    isoboot="iso-scan/filename=\${iso_path}"
fi
set timeout=10
if [ "\${grub_platform}" = "efi" ]; then
    echo "Please press 't' to show the boot menu on this console"
fi
set gfxmode=auto
set font=($root)/boot/x86_64/loader/grub2/fonts/unicode.pf2
if [ -f \${font} ];then
    loadfont \${font}
fi
menuentry "Fedora-Workstation-Live" --class os --unrestricted {
    set gfxpayload=keep
    echo Loading kernel...
    linux ($root)/boot/x86_64/loader/linux \${extra_cmdline} \${isoboot} root=live:CDLABEL=Fedora-WS-Live-42 rd.live.image rhgb quiet
    echo Loading initrd...
    initrd ($root)/boot/x86_64/loader/initrd
}
menuentry "Mediacheck" --class os --unrestricted {
    set gfxpayload=keep
    echo Loading kernel...
    linux ($root)/boot/x86_64/loader/linux mediacheck=1 plymouth.enable=0 \${isoboot} root=live:CDLABEL=Fedora-WS-Live-42 rd.live.image rhgb quiet
    echo Loading initrd...
    initrd ($root)/boot/x86_64/loader/initrd
}
menuentry "Boot from Hard Disk" --class os --unrestricted {
    exit
}
`;
export const FEDORA_KIWI_TREE: Tree = {
  'boot/0x503d6c7e': '0x503d6c7e\n',
  'boot/x86_64/loader/linux': K,
  'boot/x86_64/loader/initrd': 'initrd',
  'boot/x86_64/loader/grub2/fonts/unicode.pf2': 'font',
  'boot/grub2/grub.cfg': FEDORA_KIWI_GRUB_CFG,
  'EFI/BOOT/BOOTX64.EFI': 'shim',
  'EFI/BOOT/grubx64.efi': 'grub',
  'EFI/BOOT/grub.cfg':
    'search --file --set=root /boot/0x503d6c7e\nset prefix=($root)/boot/grub2\nconfigfile ($root)/boot/grub2/grub.cfg\n',
  'LiveOS/squashfs.img': 'erofs',
};

// ---- Fedora 42 Everything netinstall (lorax boot.iso: no packages, GRUB 2 for BIOS and UEFI) ----------
// lorax templates.d/99-generic/config_files/x86/grub2-bios.cfg and grub2-efi.cfg, @ROOT@ =
// inst.stage2=hd:LABEL=<volid>; .treeinfo from lorax (stage2 + images, no variant repositories).
const LORAX_ENTRIES = (indent: string) =>
  `${indent}menuentry 'Install Fedora 42' --class fedora --class gnu-linux --class gnu --class os {
${indent}	linux /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Fedora-E-dvd-x86_64-42 quiet
${indent}	initrd /images/pxeboot/initrd.img
${indent}}
${indent}menuentry 'Test this media & install Fedora 42' --class fedora --class gnu-linux --class gnu --class os {
${indent}	linux /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Fedora-E-dvd-x86_64-42 rd.live.check quiet
${indent}	initrd /images/pxeboot/initrd.img
${indent}}
${indent}submenu 'Troubleshooting -->' {
${indent}	menuentry 'Install Fedora 42 in basic graphics mode' --class fedora --class gnu-linux --class gnu --class os {
${indent}		linux /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Fedora-E-dvd-x86_64-42 nomodeset quiet
${indent}		initrd /images/pxeboot/initrd.img
${indent}	}
${indent}	menuentry 'Rescue a Fedora system' --class fedora --class gnu-linux --class gnu --class os {
${indent}		linux /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Fedora-E-dvd-x86_64-42 inst.rescue quiet
${indent}		initrd /images/pxeboot/initrd.img
${indent}	}
${indent}}
`;
export const FEDORA_NETINST_TREE: Tree = {
  '.discinfo': '1744118400.000000\n42\nx86_64\n',
  '.treeinfo': `[header]
type = productmd.treeinfo
version = 1.2

[release]
name = Fedora
short = Fedora
version = 42

[general]
arch = x86_64
family = Fedora
name = Fedora 42
platforms = x86_64,xen
version = 42

[images-x86_64]
boot.iso = images/boot.iso
efiboot = images/efiboot.img
initrd = images/pxeboot/initrd.img
kernel = images/pxeboot/vmlinuz

[stage2]
mainimage = images/install.img

[tree]
arch = x86_64
build_timestamp = 1744118400
platforms = x86_64,xen
variants = Everything

[variant-Everything]
id = Everything
name = Everything
type = variant
uid = Everything
`,
  'boot/grub2/grub.cfg': `set default="1"

function load_video {
  insmod all_video
}

load_video
set gfxpayload=keep
insmod gzio
insmod part_gpt
insmod ext2

set timeout=60
### END /etc/grub.d/00_header ###

search --no-floppy --set=root -l 'Fedora-E-dvd-x86_64-42'

### BEGIN /etc/grub.d/10_linux ###
${LORAX_ENTRIES('')}`,
  'boot/grub2/i386-pc/eltorito.img': 'grub',
  'EFI/BOOT/BOOTX64.EFI': 'shim',
  'EFI/BOOT/grubx64.efi': 'grub',
  'EFI/BOOT/grub.cfg': `set default="1"

function load_video {
  insmod efi_gop
  insmod efi_uga
  insmod video_bochs
  insmod video_cirrus
  insmod all_video
}

load_video
set gfxpayload=keep
insmod gzio
insmod part_gpt
insmod ext2

set timeout=60
### END /etc/grub.d/00_header ###

search --no-floppy --set=root -l 'Fedora-E-dvd-x86_64-42'

### BEGIN /etc/grub.d/10_linux ###
${LORAX_ENTRIES('')}`,
  'images/install.img': 'stage2',
  'images/eltorito.img': 'grub',
  'images/efiboot.img': 'fat',
  'images/pxeboot/vmlinuz': K,
  'images/pxeboot/initrd.img': 'initrd',
};

// ---- Debian 12 netinst (debian-cd: install.amd/, isolinux menus, GRUB for UEFI, dists/ + pool/) -------
export const DEBIAN_NETINST_TREE: Tree = {
  '.disk/info': 'Debian GNU/Linux 12.5.0 "Bookworm" - Official amd64 NETINST with firmware 20240210-11:27',
  'install.amd/vmlinuz': K,
  'install.amd/initrd.gz': 'initrd',
  'install.amd/gtk/vmlinuz': K,
  'install.amd/gtk/initrd.gz': 'initrd',
  'isolinux/isolinux.cfg': 'path \ninclude menu.cfg\ndefault vesamenu.c32\nprompt 0\ntimeout 0\n',
  'isolinux/menu.cfg':
    'menu hshift 4\nmenu width 70\n\nmenu title Debian GNU/Linux installer menu (BIOS mode)\ninclude stdmenu.cfg\ninclude gtk.cfg\ninclude txt.cfg\n',
  'isolinux/stdmenu.cfg': 'menu background splash.png\n',
  'isolinux/gtk.cfg':
    'default installgui\nlabel installgui\n\tmenu label ^Graphical install\n\tmenu default\n\tkernel /install.amd/vmlinuz\n\tappend vga=788 initrd=/install.amd/gtk/initrd.gz --- quiet \n',
  'isolinux/txt.cfg':
    'label install\n\tmenu label ^Install\n\tkernel /install.amd/vmlinuz\n\tappend vga=788 initrd=/install.amd/initrd.gz --- quiet \n',
  'boot/grub/grub.cfg': `if [ x$feature_default_font_path = xy ] ; then
   font=unicode
else
   font=$prefix/font.pf2
fi
set theme=/boot/grub/theme/1
menuentry --hotkey=g 'Graphical install' {
    set background_color=black
    linux    /install.amd/vmlinuz vga=788 --- quiet
    initrd   /install.amd/gtk/initrd.gz
}
menuentry --hotkey=i 'Install' {
    set background_color=black
    linux    /install.amd/vmlinuz vga=788 --- quiet
    initrd   /install.amd/initrd.gz
}
`,
  'dists/bookworm/Release': 'Origin: Debian\nSuite: stable\nCodename: bookworm\n',
  'dists/bookworm/main/binary-amd64/Packages.gz': 'packages',
  'dists/bookworm/main/debian-installer/binary-amd64/Packages.gz': 'udebs',
  'pool/main/b/base-files/base-files_12.4+deb12u5_amd64.deb': 'deb',
};

// ---- Ubuntu 24.04 live server (casper + subiquity; layered squashfs; dists/ + pool/ on the ISO) -------
export const UBUNTU_SERVER_TREE: Tree = {
  '.disk/info': 'Ubuntu-Server 24.04 LTS "Noble Numbat" - Release amd64 (20240423)',
  'casper/vmlinuz': K,
  'casper/initrd': 'initrd',
  'casper/ubuntu-server-minimal.squashfs': 'squash',
  'casper/ubuntu-server-minimal.ubuntu-server.squashfs': 'squash',
  'casper/ubuntu-server-minimal.ubuntu-server.installer.squashfs': 'squash',
  'casper/install-sources.yaml': '- default: true\n  id: ubuntu-server\n',
  'boot/grub/grub.cfg': `set timeout=30

loadfont unicode

set menu_color_normal=white/black
set menu_color_highlight=black/light-gray

menuentry "Try or Install Ubuntu Server" {
	set gfxpayload=keep
	linux	/casper/vmlinuz  ---
	initrd	/casper/initrd
}
menuentry "Ubuntu Server with the HWE kernel" {
	set gfxpayload=keep
	linux	/casper/hwe-vmlinuz  ---
	initrd	/casper/hwe-initrd
}
grub_platform
if [ "$grub_platform" = "efi" ]; then
menuentry 'Boot from next volume' {
	exit 1
}
menuentry 'UEFI Firmware Settings' {
	fwsetup
}
else
menuentry 'Test memory' {
	linux16 /boot/memtest86+x64.bin
}
fi
`,
  'boot/memtest86+x64.bin': 'memtest',
  'dists/noble/Release': 'Origin: Ubuntu\n',
  'pool/main/g/grub2/grub-efi-amd64_2.12-1ubuntu7_amd64.deb': 'deb',
};

// ---- openSUSE Tumbleweed KDE Live (KIWI with its own kiwi-live dracut module; same grub2 template) ---
export const OPENSUSE_KIWI_LIVE_TREE: Tree = {
  'boot/0x1f0b2c4a': '0x1f0b2c4a\n',
  'boot/x86_64/loader/linux': K,
  'boot/x86_64/loader/initrd': 'initrd',
  'boot/grub2/grub.cfg': FEDORA_KIWI_GRUB_CFG.replace(/0x503d6c7e/g, '0x1f0b2c4a')
    .replace(/Fedora-Workstation-Live/g, 'openSUSE-Tumbleweed-KDE-Live')
    .replace(
      /root=live:CDLABEL=Fedora-WS-Live-42 rd\.live\.image rhgb quiet/g,
      'root=live:CDLABEL=CDROM rd.live.image splash=silent quiet',
    ),
  'EFI/BOOT/bootx64.efi': 'shim',
  'EFI/BOOT/grub.efi': 'grub',
  'EFI/BOOT/grub.cfg':
    'search --file --set=root /boot/0x1f0b2c4a\nset prefix=($root)/boot/grub2\nconfigfile ($root)/boot/grub2/grub.cfg\n',
  'LiveOS/squashfs.img': 'squashfs',
};
