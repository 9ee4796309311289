; Included by electron-builder's NSIS installer (electron-builder.yml: nsis.include).
; A PC booting over PXE talks to Bootdrop on UDP 67 and 4011 (proxyDHCP), UDP 69 (TFTP) and TCP 80
; (HTTP). Windows Defender Firewall drops unsolicited inbound traffic, so without these rules the PC
; never gets an answer. The rules are scoped to Bootdrop's own executable and removed on uninstall.
; netsh needs administrator rights: the installer is per-machine and elevates (nsis.perMachine).
; Private and domain networks only: on a Public network (café Wi-Fi) nobody gets to talk to a DHCP server
; on this laptop. A cable straight to another PC shows up as an "Unidentified network", which Windows
; files under Public: README "Desktop app" says to set that network to Private.

!define BOOTDROP_FW_UDP "Bootdrop PXE (UDP 67, 69, 4011)"
!define BOOTDROP_FW_TCP "Bootdrop PXE (TCP 80)"

!macro customInstall
  ; Delete first so a reinstall or upgrade does not stack duplicate rules.
  nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="${BOOTDROP_FW_UDP}"'
  Pop $0
  nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="${BOOTDROP_FW_TCP}"'
  Pop $0
  nsExec::ExecToLog 'netsh advfirewall firewall add rule name="${BOOTDROP_FW_UDP}" dir=in action=allow protocol=UDP localport=67,69,4011 program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" enable=yes profile=private,domain'
  Pop $0
  nsExec::ExecToLog 'netsh advfirewall firewall add rule name="${BOOTDROP_FW_TCP}" dir=in action=allow protocol=TCP localport=80 program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" enable=yes profile=private,domain'
  Pop $0
!macroend

!macro customUnInstall
  nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="${BOOTDROP_FW_UDP}"'
  Pop $0
  nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="${BOOTDROP_FW_TCP}"'
  Pop $0
!macroend
