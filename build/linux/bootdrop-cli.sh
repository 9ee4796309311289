#!/bin/sh
# `bootdrop` on the PATH after installing the .deb (after-install.tpl links /usr/bin/bootdrop here): the
# headless CLI, run by the app's own Electron binary as plain Node (ELECTRON_RUN_AS_NODE), so
# `bootdrop serve`, `sudo bootdrop serve` and `bootdrop inspect` work without a window or Chromium.
# The desktop app itself is `bootdrop-desktop`.
set -e
resources=$(dirname "$(dirname "$(readlink -f "$0")")")
install_dir=$(dirname "$resources")
BOOTDROP_NATIVE_DIR=${BOOTDROP_NATIVE_DIR:-$resources/native}
BOOTDROP_LOADERS_DIR=${BOOTDROP_LOADERS_DIR:-$resources/loaders}
export BOOTDROP_NATIVE_DIR BOOTDROP_LOADERS_DIR
ELECTRON_RUN_AS_NODE=1 exec "$install_dir/bootdrop-desktop" "$resources/app.asar/bin/bootdrop.js" "$@"
