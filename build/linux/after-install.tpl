#!/bin/bash
# Bootdrop's after-install script for the .deb (electron-builder.yml: deb.afterInstall). It is
# electron-builder's own template (app-builder-lib/templates/linux/after-install.tpl) plus one step:
# /usr/bin/bootdrop is the headless CLI (resources/bin/bootdrop), while /usr/bin/${executable}
# starts the desktop app. electron-builder fills in the dollar-brace macros; shell variables here
# are written without braces for that reason.

if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# Install apparmor profile. (Ubuntu 24+)
# First check if the version of AppArmor running on the device supports our profile.
# This is in order to keep backwards compatibility with Ubuntu 22.04 which does not support abi/4.0.
# In that case, we just skip installing the profile since the app runs fine without it on 22.04.
#
# Those apparmor_parser flags are akin to performing a dry run of loading a profile.
# https://wiki.debian.org/AppArmor/HowToUse#Dumping_profiles
#
# Unfortunately, at the moment AppArmor doesn't have a good story for backwards compatibility.
# https://askubuntu.com/questions/1517272/writing-a-backwards-compatible-apparmor-profile
if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"

    # Updating the current AppArmor profile is not possible and probably not meaningful in a chroot'ed environment.
    # Use cases are for example environments where images for clients are maintained.
    # There, AppArmor might correctly be installed, but live updating makes no sense.
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      # Extra flags taken from dh_apparmor:
      # > By using '-W -T' we ensure that any abstraction updates are also pulled in.
      # https://wiki.debian.org/AppArmor/Contribute/FirstTimeProfileImport
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi

# Bootdrop: the polkit action for its fixed port helper (build/linux/bootdrop-ports), so the password
# prompt names what it is for instead of "run /bin/sh".
if [ -d /usr/share/polkit-1/actions ]; then
  cp -f '/opt/${sanitizedProductName}/resources/linux/io.github.bootdrop.ports.policy' /usr/share/polkit-1/actions/ || true
fi

# Bootdrop: the router-advertisement helper gets CAP_NET_RAW as a file capability (as ping does), so the
# desktop app and a --user service can end iPXE's ~15 s IPv6 wait on a bare cable without running as
# root. It can only send Bootdrop's fixed no-router advertisement on one interface (SECURITY.md).
RA_HELPER='/opt/${sanitizedProductName}/resources/native/bootdrop-ra'
if [ -f "$RA_HELPER" ]; then
  chmod 0755 "$RA_HELPER" || true
  if command -v setcap >/dev/null 2>&1; then
    setcap cap_net_raw+ep "$RA_HELPER" || echo "Bootdrop: could not give $RA_HELPER CAP_NET_RAW; direct-cable boots wait ~15 s for IPv6 (run: sudo setcap cap_net_raw+ep $RA_HELPER)"
  else
    echo "Bootdrop: setcap not found (Debian: apt install libcap2-bin), so direct-cable boots wait ~15 s for IPv6; afterwards run: sudo setcap cap_net_raw+ep $RA_HELPER"
  fi
fi

# The CLI: people who read the README type `bootdrop serve`, and expect the CLI, not a window.
chmod 0755 '/opt/${sanitizedProductName}/resources/bin/bootdrop' || true
ln -sf '/opt/${sanitizedProductName}/resources/bin/bootdrop' '/usr/bin/bootdrop'
