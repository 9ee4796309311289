/**
 * Change what a QEMU guest's firmware sends or receives over DHCP, for boot tests that need firmware
 * Debian does not ship — without giving the server a test switch. In the LAN's switch namespace tc
 * filters divert DHCP frames as they enter the bridge (from the guest's tap, or in 'no-43' mode the
 * replies from every other port) to test/helpers/dhcp/dhcp_rewriter.py, which changes them and sends
 * them back into the bridge (see that file for the details). Call it once the LAN's hosts are added.
 *
 * - 'plain-pxe': QEMU's BIOS NIC ROMs are iPXE, and there is no vendor PXE ROM for QEMU. Stripping
 *   iPXE's identification (options 77, 175) from the ROM's DHCP until it requests its boot loader
 *   makes a BIOS boot take the chain a real PC takes: PXE ROM → undionly.kpxe over TFTP → iPXE → menu.
 * - 'no-43': OVMF honours the proxy offer's PXE discovery control ("boot this file now") and so never
 *   asks on port 4011. Dropping option 43 from the offers it receives shows it a BINL offer, as
 *   firmware that ignores option 43 sees one; EDK2 then does the 4011 exchange (PxeBcRetryBinlOffer).
 */
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { waitForOutput } from './netns';

const execFileP = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'dhcp', 'dhcp_rewriter.py');

export type DhcpRewriteMode = 'plain-pxe' | 'no-43';

export interface DhcpRewrite {
  /** One line per changed frame ("rewrote <mac> type <n> dport <port> removed [codes]") and, in
   * 'plain-pxe' mode, "pass tftp read request: rewriting ends". */
  readonly log: string[];
  stop(): Promise<void>;
}

/** Divert the guest's DHCP on `tap` through the rewriter; `maxSeconds` bounds the rewriter's life. */
export async function rewriteGuestDhcp(
  tap: { ns: string; ifname: string },
  mode: DhcpRewriteMode,
  maxSeconds = 900,
): Promise<DhcpRewrite> {
  const ns = tap.ns;
  const ip = (...args: string[]) => execFileP('ip', ['-n', ns, ...args]);
  const tc = (...args: string[]) => execFileP('tc', ['-n', ns, ...args]);
  const inside = `${tap.ifname}rw0`;
  const outside = `${tap.ifname}rw1`;
  // `inside` is a bridge port that must not learn the guest's MAC from the frames re-injected through
  // it (replies must still reach the tap), nor get copies of the LAN's broadcasts and unknown unicasts.
  await ip('link', 'add', inside, 'type', 'veth', 'peer', 'name', outside);
  await ip('link', 'set', inside, 'master', 'br0');
  await ip(
    ...['link', 'set', inside, 'type', 'bridge_slave', 'learning', 'off'],
    ...['flood', 'off', 'mcast_flood', 'off', 'bcast_flood', 'off'],
  );
  await ip('link', 'set', inside, 'up');
  await ip('link', 'set', outside, 'up');
  const proc = spawn('ip', ['netns', 'exec', ns, PYTHON, '-u', SCRIPT, mode, outside, String(maxSeconds)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  proc.stdout.on('data', (c: Buffer) => {
    for (const line of c.toString().split('\n')) if (/^(rewrote|pass) /.test(line)) log.push(line);
  });
  await waitForOutput(proc, /^ready$/m, 10_000);
  // From the guest: DHCP (67), PXE boot server (4011), TFTP read requests (69). To the guest: DHCP
  // replies (68) as they come in from the other hosts' ports.
  const ports: string[] = [];
  const divert: Array<[string, string]> = [];
  if (mode === 'plain-pxe') {
    ports.push(tap.ifname);
    divert.push(['67', tap.ifname], ['4011', tap.ifname], ['69', tap.ifname]);
  } else {
    const { stdout } = await ip('-j', 'link', 'show', 'master', 'br0');
    for (const l of JSON.parse(stdout) as Array<{ ifname: string }>) {
      if (l.ifname === tap.ifname || l.ifname === inside) continue;
      ports.push(l.ifname);
      divert.push(['68', l.ifname]);
    }
  }
  for (const dev of ports) await tc('qdisc', 'add', 'dev', dev, 'clsact');
  for (const [port, dev] of divert) {
    await tc(
      ...['filter', 'add', 'dev', dev, 'ingress', 'protocol', 'ip', 'u32'],
      ...['match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', 'dport', port, '0xffff'],
      ...['action', 'mirred', 'egress', 'redirect', 'dev', inside],
    );
  }
  return {
    log,
    async stop() {
      for (const dev of ports) await tc('qdisc', 'del', 'dev', dev, 'clsact').catch(() => undefined);
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await exited;
      }
      await ip('link', 'del', inside).catch(() => undefined);
    },
  };
}
