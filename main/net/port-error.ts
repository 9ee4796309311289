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

/** What a port is for, and the programs known to sit on it, per OS (what the user probably has running). */
export interface BoundService {
  name: 'DHCP' | 'PXE' | 'TFTP' | 'HTTP';
  transport: 'UDP' | 'TCP';
  holders: Partial<Record<NodeJS.Platform, string>> & { default: string };
}

export const SERVICES = {
  dhcp: {
    name: 'DHCP',
    transport: 'UDP',
    holders: {
      linux: "dnsmasq (NetworkManager shared connections, libvirt's virbr0), isc-dhcp-server or another PXE server",
      darwin: 'Internet Sharing (bootpd)',
      win32: 'Internet Connection Sharing (ICS) or another DHCP/PXE server',
      default: 'another DHCP or PXE server',
    },
  },
  pxe: {
    name: 'PXE',
    transport: 'UDP',
    holders: { default: 'another PXE server (dnsmasq with pxe-service, WDS, FOG)' },
  },
  tftp: {
    name: 'TFTP',
    transport: 'UDP',
    holders: {
      linux: 'tftpd-hpa, atftpd or dnsmasq with enable-tftp',
      darwin: 'the built-in tftpd (launchd com.apple.tftpd)',
      win32: 'another TFTP server (Tftpd64, WDS)',
      default: 'another TFTP server',
    },
  },
  http: {
    name: 'HTTP',
    transport: 'TCP',
    holders: { default: 'another web server (nginx, apache2, lighttpd) or another Bootdrop' },
  },
} as const satisfies Record<string, BoundService>;

/** The service a bare port number usually means (DHCP callers pass only the port). */
function serviceForPort(port: number): BoundService {
  if (port === 67) return SERVICES.dhcp;
  if (port === 4011) return SERVICES.pxe;
  if (port === 69) return SERVICES.tftp;
  return { name: 'DHCP', transport: 'UDP', holders: { default: 'another program' } };
}

function holderFor(service: BoundService, platform: NodeJS.Platform): string {
  return service.holders[platform] ?? service.holders.default;
}

function privilegeRemedy(port: number, platform: NodeJS.Platform): string {
  if (port >= 1024) return `check that this user may bind port ${port}`;
  if (platform === 'linux') {
    return (
      `allow unprivileged low ports: sudo sysctl -w net.ipv4.ip_unprivileged_port_start=${Math.min(port, 67)} ` +
      `(persist it with a file in /etc/sysctl.d/; 67 covers DHCP, TFTP and HTTP), or run "bootdrop serve" with root ` +
      `privileges`
    );
  }
  if (platform === 'darwin') {
    return (
      'macOS lets unprivileged programs bind low ports only on the wildcard address; run "sudo bootdrop serve" ' +
      'if binding still fails'
    );
  }
  if (platform === 'win32') return 'allow Bootdrop through Windows Defender Firewall, or run it as Administrator';
  return `run Bootdrop with the privileges needed to bind port ${port}`;
}

function busyRemedy(service: BoundService, port: number, platform: NodeJS.Platform): string {
  const holder = holderFor(service, platform);
  if (platform === 'linux') {
    const flag = service.transport === 'UDP' ? 'u' : 't';
    return `stop ${holder} (find it with: sudo ss -l${flag}np 'sport = :${port}'), or serve on another interface`;
  }
  if (platform === 'darwin') return `turn off ${holder} in System Settings > General > Sharing, then start again`;
  if (platform === 'win32') return `turn off ${holder} (Services: "Internet Connection Sharing"), then start again`;
  return `stop ${holder}, then start again`;
}

/**
 * Turn a bind failure into a PortBindError when it is one we can explain; anything else is returned
 * unchanged so the caller reports the raw error.
 */
export function explainBindError(
  err: unknown,
  port: number,
  address: string,
  platform: NodeJS.Platform = process.platform,
  service: BoundService = serviceForPort(port),
): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  const what = `${service.name} port ${port} (${service.transport}) on ${address}`;
  if (code === 'EADDRINUSE') {
    return new PortBindError(
      'EADDRINUSE',
      port,
      address,
      `${what} is already in use, probably by ${holderFor(service, platform)}`,
      busyRemedy(service, port, platform),
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new PortBindError(
      'EACCES',
      port,
      address,
      `not permitted to bind ${what}${port < 1024 ? ' (ports below 1024 need privileges)' : ''}`,
      privilegeRemedy(port, platform),
    );
  }
  return err;
}
