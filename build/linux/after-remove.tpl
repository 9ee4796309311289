#!/bin/bash
# Bootdrop's after-remove script for the .deb (electron-builder.yml: deb.afterRemove): electron-builder's
# own template plus removing the /usr/bin/bootdrop CLI link that after-install.tpl made.

# Delete the link to the binary
# update-alternatives --remove <name> <path>: 'path' must be the registered alternative binary,
# not the generic symlink — see https://man7.org/linux/man-pages/man1/update-alternatives.1.html
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'

# Remove and unload apparmor profile.
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  # Unload the profile from the running kernel before deleting the file so the
  # policy is not left enforced until the next reboot.  Mirror the chroot guard
  # used in the after-install script — live AppArmor operations are not
  # meaningful inside a chroot.
  # https://wiki.debian.org/AppArmor/HowToUse
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi

# The CLI link, only if it still points into this package (another bootdrop, e.g. from npm, stays).
if [ "$(readlink /usr/bin/bootdrop)" = '/opt/${sanitizedProductName}/resources/bin/bootdrop' ]; then
  rm -f /usr/bin/bootdrop
fi

# Bootdrop: undo what its port helper may have left (a remembered port setting, the polkit action).
# On upgrade ("upgrade" for deb, 1 for rpm) the new version keeps them.
case "${1:-}" in upgrade | 1) exit 0 ;; esac
if [ -f /etc/sysctl.d/60-bootdrop.conf ]; then
  rm -f /etc/sysctl.d/60-bootdrop.conf
  sysctl -q -w net.ipv4.ip_unprivileged_port_start="$(cat /run/bootdrop-ports.previous 2>/dev/null || echo 1024)" || true
fi
rm -f /run/bootdrop-ports.previous /usr/share/polkit-1/actions/io.github.bootdrop.ports.policy
