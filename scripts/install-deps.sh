#!/usr/bin/env bash
# Debian packages the tests and benchmarks use: real protocol peers, real firmware, real ISO tools.
set -euo pipefail
PKGS=(
  # ISO building and boot files
  xorriso genisoimage isolinux syslinux-common syslinux-efi pxelinux mtools cpio osslsigncode grub-common
  ipxe memtest86+ shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed busybox-static linux-image-amd64
  # PXE clients: QEMU with iPXE ROMs (BIOS), OVMF (UEFI, Secure Boot) and AAVMF (ARM64 UEFI)
  qemu-system-x86 ipxe-qemu ovmf qemu-system-arm qemu-efi-aarch64
  # protocol peers and network plumbing
  dnsmasq-base curl wget tftp-hpa atftp python3-scapy tcpdump iproute2 iptables procps
  # a private session bus: how the desktop shell finds out whether a tray icon can show (electron/tray-host.ts)
  dbus-daemon dbus-bin
  # a real DHCP relay agent (dhcrelay) for the routed-subnet tests
  isc-dhcp-relay
  # comparison servers for `npm run bench`
  nginx-light tftpd-hpa
  # C compiler for the optional native I/O helpers (main/native, scripts/build-native.mjs)
  gcc libc6-dev
  # setcap: the router-advertisement helper test gives bootdrop-ra cap_net_raw as the .deb does
  libcap2-bin
  # browser for the UI tests
  chromium
  # systemd-analyze checks the unit `bootdrop install-service` writes
  systemd
)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The ARM64 boot test's fixture: Debian's signed arm64 kernel and arm64 busybox, downloaded (not
# installed) into test/.artifacts/debs/ (test/helpers/testiso-arm64.ts unpacks them).
debs="$(cd "$(dirname "$0")/.." && pwd)/test/.artifacts/debs"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -q
fi
mkdir -p "$debs"
kernel_pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-arm64\).*/\1/p' | head -1)
[ -n "$kernel_pkg" ] || { apt-get update -q; kernel_pkg=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-arm64\).*/\1/p' | head -1); }
for p in "$kernel_pkg" busybox-static; do
  ls "$debs/${p}_"*_arm64.deb >/dev/null 2>&1 || (cd "$debs" && apt-get download -q "$p:arm64")
done
chmod -R a+rX "$debs"

# nginx-light, tftpd-hpa and isc-dhcp-relay start system services on install; the tests and benches run their own.
for svc in nginx tftpd-hpa dnsmasq isc-dhcp-relay; do (systemctl stop "$svc" 2>/dev/null || service "$svc" stop 2>/dev/null || true) >/dev/null; done
pkill -x nginx 2>/dev/null || true
pkill -x in.tftpd 2>/dev/null || true
exit 0
