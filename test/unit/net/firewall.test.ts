/**
 * firewalld detection with a stand-in `firewall-cmd` first on PATH (a real subprocess answering the way
 * firewalld's CLI does: text on stdout, yes/no as the exit status).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeFirewallBlock, firewallBlock, firewalldFinding } from '../../../main/net';

describe.runIf(process.platform !== 'win32')('firewalld', () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-firewall-cmd-'));
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

  function fake(script: string): void {
    fs.writeFileSync(path.join(bin, 'firewall-cmd'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
  }

  it('names the boot ports the zone blocks (a port or its service counts as open) and the command', async () => {
    fake(`case "$*" in
  --state) echo running ;;
  --get-zone-of-interface=eth0) echo FedoraWorkstation ;;
  "--zone=FedoraWorkstation --query-port=80/tcp") exit 0 ;;
  "--zone=FedoraWorkstation --query-service=dhcp") exit 0 ;;
  *) exit 1 ;;
esac`);
    const f = await firewalldFinding('eth0');
    expect(f).toEqual({ zone: 'FedoraWorkstation', blocked: ['69/udp', '4011/udp'] });
    expect(describeFirewallBlock(firewallBlock(f!, 'eth0')!)).toBe(
      'firewalld is running and blocks 69/udp, 4011/udp on eth0 (zone FedoraWorkstation): PCs will not reach Bootdrop. ' +
        'Open them for this session with: sudo firewall-cmd --zone=FedoraWorkstation --add-port=69/udp --add-port=4011/udp',
    );
  });

  it('says nothing when firewalld is stopped, or everything is open', async () => {
    fake('echo "not running"; exit 252');
    expect(await firewalldFinding('eth0')).toBeNull();
    fake('case "$*" in --state) echo running ;; --get-zone-of-interface=*) exit 1 ;; *) exit 0 ;; esac');
    const f = await firewalldFinding('eth0');
    expect(f).toEqual({ zone: null, blocked: [] });
    expect(firewallBlock(f!, 'eth0')).toBeNull();
  });

  it('without firewall-cmd at all, there is nothing to say', async () => {
    process.env.PATH = bin; // an empty folder once the stand-in is gone
    fs.rmSync(path.join(bin, 'firewall-cmd'), { force: true });
    expect(await firewalldFinding('eth0')).toBeNull();
  });
});
