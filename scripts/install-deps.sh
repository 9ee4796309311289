#!/usr/bin/env bash
# Debian packages the tests and benchmarks use: real protocol peers, real firmware, real ISO tools.
set -euo pipefail
PKGS=(
  # ISO building and boot files
  xorriso genisoimage isolinux syslinux-common syslinux-efi pxelinux mtools cpio osslsigncode grub-common
  ipxe memtest86+ shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed busybox-static linux-image-amd64
  # PXE clients: QEMU with iPXE ROMs (BIOS) and OVMF (UEFI)
  qemu-system-x86 ipxe-qemu ovmf
  # protocol peers and network plumbing
  dnsmasq-base curl wget tftp-hpa atftp python3-scapy tcpdump iproute2 iptables procps
  # comparison servers for `npm run bench`
  nginx-light tftpd-hpa
  # C compiler for the optional native I/O helpers (main/native, scripts/build-native.mjs)
  gcc libc6-dev
  # browser for the UI tests
  chromium
)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# nginx-light and tftpd-hpa start system services on install; the tests and benches run their own.
for svc in nginx tftpd-hpa dnsmasq; do (systemctl stop "$svc" 2>/dev/null || service "$svc" stop 2>/dev/null || true) >/dev/null; done
pkill -x nginx 2>/dev/null || true
pkill -x in.tftpd 2>/dev/null || true
exit 0
