/**
 * The engine's firewalld question, end to end through a real subprocess: a stand-in `firewall-cmd` first
 * on PATH keeps its opened ports in a file, answering the way firewalld's CLI does (text on stdout,
 * yes/no as the exit status). firewalld itself is never run here: it would change this machine's firewall.
 * The session asks through the engine's own service (createEngineServices); the rest are function fakes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ServingState } from '../../../main/contract';
import { createEngineServices, Session, type SourceMedium } from '../../../main/session';
import { fakeServices } from '../../helpers/fake-services';

const FAKE_FIREWALL_CMD = `#!/bin/sh
# firewalld's answers for zone "public": a port is let in once --add-port named it.
opened="$(dirname "$0")/opened"
touch "$opened"
case "$*" in
  --state) echo running ;;
  --get-zone-of-interface=*) echo public ;;
  "--zone=public --query-port="*) grep -qx "\${2#--query-port=}" "$opened" ;;
  "--zone=public --query-service="*) exit 1 ;;
  "--zone=public --add-port="*)
    shift
    for a in "$@"; do echo "\${a#--add-port=}" >>"$opened"; done
    echo success ;;
  "--zone=public --remove-port="*)
    shift
    for a in "$@"; do grep -vx "\${a#--remove-port=}" "$opened" >"$opened.new"; mv "$opened.new" "$opened"; done
    echo success ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`;

const PORTS = ['67/udp', '69/udp', '4011/udp', '80/tcp'];

describe.runIf(process.platform === 'linux')('firewalld re-check (stand-in firewall-cmd on PATH)', () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-firewall-recheck-'));
  const savedPath = process.env.PATH;
  let session: Session<string, SourceMedium> | null = null;
  afterEach(async () => {
    await session?.dispose();
    session = null;
    process.env.PATH = savedPath;
  });
  afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

  /** What a person (or the desktop app's helper) runs to open or close the ports. */
  const firewallCmd = (...args: string[]) => execFileSync('firewall-cmd', args, { encoding: 'utf8' }).trim();

  it('goes from blocked to null once the ports are opened, and back when they are closed again', async () => {
    fs.writeFileSync(path.join(bin, 'firewall-cmd'), FAKE_FIREWALL_CMD, { mode: 0o755 });
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
    const services = fakeServices([]);
    const engine = createEngineServices();
    services.firewallBlocked = (iface) => engine.firewallBlocked!(iface);
    session = new Session({ loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs: 0 }, services);
    await session.addSource({ path: '/isos/test.iso' });
    const blocked = new Promise<ServingState>((resolve) =>
      session!.onEvent((e) => {
        if (e.type === 'state' && e.state.firewallBlocked) resolve(e.state);
      }),
    );
    await session.start();
    expect((await blocked).firewallBlocked).toEqual({
      iface: 'eth0',
      zone: 'public',
      ports: PORTS,
      command: `sudo firewall-cmd --zone=public ${PORTS.map((p) => `--add-port=${p}`).join(' ')}`,
    });

    // Only some opened: the finding names the rest.
    expect(firewallCmd('--zone=public', '--add-port=67/udp', '--add-port=69/udp')).toBe('success');
    expect((await session.recheckFirewall()).firewallBlocked?.ports).toEqual(['4011/udp', '80/tcp']);

    expect(firewallCmd('--zone=public', '--add-port=4011/udp', '--add-port=80/tcp')).toBe('success');
    const open = await session.recheckFirewall();
    expect(open.serving).toBe(true);
    expect(open.firewallBlocked).toBeNull();

    // The helper's hold ends and closes them again.
    firewallCmd('--zone=public', ...PORTS.map((p) => `--remove-port=${p}`));
    expect((await session.recheckFirewall()).firewallBlocked?.ports).toEqual(PORTS);
  });
});
