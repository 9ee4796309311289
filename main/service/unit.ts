/**
 * The systemd unit `bootdrop install-service` writes. Pure: options in, unit text out.
 *
 * Bootdrop binds DHCP 67, TFTP 69, HTTP 80 and PXE 4011, so a non-root --user gets exactly
 * CAP_NET_BIND_SERVICE (ambient, and as the whole bounding set). No CAP_NET_RAW: DHCP uses plain UDP
 * sockets bound to the interface's address (main/dhcp/sockets.ts), never raw or packet sockets.
 * Serving writes nothing, so the file system is read-only to it (ProtectSystem=strict).
 */

export const UNIT_NAME = 'bootdrop.service';
export const DEFAULT_UNIT_DIR = '/etc/systemd/system';
export const DEFAULT_CONFIG_FILE = '/etc/bootdrop/bootdrop.json';
/** The first line of every unit Bootdrop writes: uninstall removes only files that carry it. */
export const UNIT_MARKER = '# Written by "bootdrop install-service"; remove with "bootdrop uninstall-service".';

export interface UnitOptions {
  /** Absolute path of the node binary that runs the CLI. */
  node: string;
  /** Absolute path of bin/bootdrop.js. */
  script: string;
  /** Absolute path of the settings file. */
  config: string;
  /** Run as this user (name or uid); null = root. */
  user: string | null;
  /** Extra `bootdrop serve` options (ports, --loaders, --verbose ...). */
  serveArgs: readonly string[];
}

export class UnitError extends Error {
  constructor(
    message: string,
    readonly remedy: string,
  ) {
    super(message);
    this.name = 'UnitError';
  }
}

/** A user name systemd's User= accepts (the portable subset), or a numeric uid. */
export function checkUser(user: string): string {
  if (/^[a-z_][a-z0-9_-]{0,30}\$?$/i.test(user) || /^\d{1,10}$/.test(user)) return user;
  throw new UnitError(
    `--user ${JSON.stringify(user)}: not a valid user name`,
    'give an existing system user (letters, digits, "_" and "-", starting with a letter), e.g. --user bootdrop',
  );
}

/**
 * One command-line word as systemd reads it in ExecStart= (systemd.service(5) "Command lines"):
 * "%" starts a specifier and "$" a variable, so both are doubled; anything but plain characters is
 * double-quoted with C escapes.
 */
export function execWord(word: string): string {
  if (/[\x00-\x1f\x7f]/.test(word))
    throw new UnitError(
      `${JSON.stringify(word)}: control characters (newlines, tabs) cannot go into a systemd command line`,
      'rename the file or folder, or drop that option',
    );
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped) && escaped !== ';') return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function absolute(p: string, what: string): void {
  if (!p.startsWith('/'))
    throw new UnitError(`${what} ${JSON.stringify(p)} is not an absolute path`, `give the full path of the ${what}`);
}

export function renderUnit(o: UnitOptions): string {
  absolute(o.node, 'node binary');
  absolute(o.script, 'bootdrop script');
  absolute(o.config, 'config file');
  const exec = [o.node, o.script, 'serve', '--config', o.config, ...o.serveArgs].map(execWord).join(' ');
  const lines = [
    UNIT_MARKER,
    '[Unit]',
    'Description=Bootdrop network boot server (proxyDHCP/DHCP + TFTP + HTTP)',
    // Serving needs the interface's address: start once the network is configured.
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    // Bootdrop re-reads the config on SIGHUP: ISOs and menu change without dropping transfers.
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=on-failure',
    'RestartSec=5',
    // Exit 2 is a bad config file or command line: restarting cannot fix it, the log says what to.
    'RestartPreventExitStatus=2',
    'SyslogIdentifier=bootdrop',
  ];
  if (o.user !== null) {
    lines.push(
      `User=${checkUser(o.user)}`,
      'AmbientCapabilities=CAP_NET_BIND_SERVICE',
      'CapabilityBoundingSet=CAP_NET_BIND_SERVICE',
    );
  }
  lines.push(
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'ProtectKernelTunables=yes',
    'ProtectControlGroups=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  );
  return lines.join('\n');
}
