/**
 * A server port that cannot be bound, explained: which port, who probably holds it, and what to do on
 * this operating system. Shared by every server (DHCP 67/4011, TFTP 69, HTTP).
 */

export type PortErrorCode = 'EADDRINUSE' | 'EACCES';

export class PortBindError extends Error {
  override readonly name = 'PortBindError';
  constructor(
    readonly code: PortErrorCode,
    readonly port: number,
    readonly address: string,
    message: string,
    readonly remedy: string,
  ) {
    super(message);
  }
}

/** Programs known to sit on well-known boot ports, per OS (what the user probably has running). */
const LIKELY_HOLDERS: Record<number, Partial<Record<NodeJS.Platform, string>> & { default: string }> = {
  67: {
    linux: 'dnsmasq (NetworkManager shared connections, libvirt\'s virbr0), isc-dhcp-server or another PXE server',
    darwin: 'Internet Sharing (bootpd)',
    win32: 'Internet Connection Sharing (ICS) or another DHCP/PXE server',
    default: 'another DHCP or PXE server',
  },
  4011: { default: 'another PXE server (dnsmasq with pxe-service, WDS, FOG)' },
  69: {
    linux: 'tftpd-hpa, atftpd or dnsmasq with enable-tftp',
    darwin: 'the built-in tftpd (launchd com.apple.tftpd)',
    win32: 'another TFTP server (Tftpd64, WDS)',
    default: 'another TFTP server',
  },
};

function holderFor(port: number, platform: NodeJS.Platform): string {
  const h = LIKELY_HOLDERS[port];
  if (!h) return 'another program';
  return h[platform] ?? h.default;
}

function privilegeRemedy(port: number, platform: NodeJS.Platform): string {
  if (platform === 'linux') {
    return (
      `allow unprivileged low ports: sudo sysctl -w net.ipv4.ip_unprivileged_port_start=${port} ` +
      `(persist it with a file in /etc/sysctl.d/), or run "bootdrop serve" with root privileges`
    );
  }
  if (platform === 'darwin') {
    return 'macOS lets unprivileged programs bind low ports only on the wildcard address; run "sudo bootdrop serve" if binding still fails';
  }
  if (platform === 'win32') return 'allow Bootdrop through Windows Defender Firewall, or run it as Administrator';
  return `run Bootdrop with the privileges needed to bind port ${port}`;
}

function busyRemedy(port: number, platform: NodeJS.Platform): string {
  const holder = holderFor(port, platform);
  if (platform === 'linux') {
    return `stop ${holder} (find it with: sudo ss -lunp 'sport = :${port}'), or serve on another interface`;
  }
  if (platform === 'darwin') return `turn off ${holder} in System Settings > General > Sharing, then start again`;
  if (platform === 'win32') return `turn off ${holder} (Services: "Internet Connection Sharing"), then start again`;
  return `stop ${holder}, then start again`;
}

/**
 * Turn a bind failure into a PortBindError when it is one we can explain; anything else is returned
 * unchanged so the caller reports the raw error.
 */
export function explainBindError(err: unknown, port: number, address: string, platform: NodeJS.Platform = process.platform): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new PortBindError(
      'EADDRINUSE',
      port,
      address,
      `UDP port ${port} on ${address} is already in use, probably by ${holderFor(port, platform)}`,
      busyRemedy(port, platform),
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new PortBindError(
      'EACCES',
      port,
      address,
      `not permitted to bind UDP port ${port} on ${address} (ports below 1024 need privileges)`,
      privilegeRemedy(port, platform),
    );
  }
  return err;
}
