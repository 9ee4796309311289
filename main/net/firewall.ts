/**
 * firewalld (Fedora, RHEL, openSUSE) drops DHCP, TFTP and HTTP by default: Bootdrop then serves, and no
 * PC ever reaches it. This asks firewalld (unprivileged queries) which of the boot ports the serving
 * interface's zone lets in, so the user hears about it with the exact command. Asynchronous, each
 * query time-limited: the engine never waits on a subprocess.
 */
import { execFile } from 'node:child_process';
import type { FirewallBlock } from '../contract';

/** What network boot needs, and the firewalld service that would also let each in. */
const BOOT_PORTS: ReadonlyArray<{ port: string; service: string }> = [
  { port: '67/udp', service: 'dhcp' },
  { port: '69/udp', service: 'tftp' },
  { port: '4011/udp', service: 'proxy-dhcp' },
  { port: '80/tcp', service: 'http' },
];

export type FirewallCmd = (args: string[]) => Promise<{ ok: boolean; stdout: string }>;

const firewallCmd: FirewallCmd = (args) =>
  new Promise((resolve) => {
    execFile('firewall-cmd', args, { timeout: 3000, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout) =>
      resolve({ ok: !err, stdout: String(stdout) }),
    );
  });

export interface FirewallFinding {
  zone: string | null;
  /** Boot ports the zone does not let in (neither the port nor its service is enabled). */
  blocked: string[];
}

/** null when firewalld is not installed or not running; otherwise what it blocks on `iface`. */
export async function firewalldFinding(iface: string, cmd: FirewallCmd = firewallCmd): Promise<FirewallFinding | null> {
  const state = await cmd(['--state']);
  if (!state.ok || state.stdout.trim() !== 'running') return null;
  const z = await cmd([`--get-zone-of-interface=${iface}`]);
  const zone = z.ok && z.stdout.trim() ? z.stdout.trim() : null;
  const zoneArg = zone ? [`--zone=${zone}`] : [];
  const blocked: string[] = [];
  for (const { port, service } of BOOT_PORTS) {
    // --query-* answers with its exit status (0 yes, 1 no).
    if ((await cmd([...zoneArg, `--query-port=${port}`])).ok) continue;
    if ((await cmd([...zoneArg, `--query-service=${service}`])).ok) continue;
    blocked.push(port);
  }
  return { zone, blocked };
}

/** What the shell and the UI are told: null when nothing is blocked. */
export function firewallBlock(f: FirewallFinding, iface: string): FirewallBlock | null {
  if (f.blocked.length === 0) return null;
  const zone = f.zone ? ` --zone=${f.zone}` : '';
  const add = f.blocked.map((p) => `--add-port=${p}`).join(' ');
  return { iface, zone: f.zone, ports: [...f.blocked], command: `sudo firewall-cmd${zone} ${add}` };
}

/** The sentence for the log: what is blocked and the command that opens it until firewalld reloads. */
export function describeFirewallBlock(b: FirewallBlock): string {
  return (
    `firewalld is running and blocks ${b.ports.join(', ')} on ${b.iface}${b.zone ? ` (zone ${b.zone})` : ''}: ` +
    `PCs will not reach Bootdrop. Open them for this session with: ${b.command}`
  );
}
