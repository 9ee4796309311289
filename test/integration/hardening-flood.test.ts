/**
 * A flood from one host must not stop another from booting. `bootdrop serve` runs in a namespace; an
 * attacker host floods it with one MAC's PXE DISCOVERs (far beyond the per-MAC rate), RRQs from 64
 * source ports that it never ACKs, and 300 slowloris HTTP connections (more than the server's 256),
 * all at once; meanwhile a PC host gets its proxy offer, fetches the offered loader by TFTP and the
 * kernel by HTTP. The server names each flood in its log, once, instead of once per packet.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pxeClient, requirePeers } from '../helpers/dhcp/harness';
import { TestLan, type NetnsHost } from '../helpers/netns';
import { ServeProcess } from '../helpers/qemu';
import { buildFixture, type BootFixture } from '../helpers/testiso';

const NET = '10.213.71';
const FLOOD = path.resolve(__dirname, '../fuzz/lib/flood.py');
const PYTHON = '/usr/bin/python3';

describe('one host floods, another still boots', () => {
  let lan: TestLan;
  let server: NetnsHost;
  let attacker: NetnsHost;
  let pc: NetnsHost;
  let fx: BootFixture;
  let serve: ServeProcess;

  beforeAll(async () => {
    requirePeers();
    fx = await buildFixture('casper');
    lan = await TestLan.create('fld');
    server = await lan.addHost('server', `${NET}.2/24`);
    attacker = await lan.addHost('atk', `${NET}.66/24`);
    pc = await lan.addHost('pc', `${NET}.3/24`, { mac: '52:54:00:71:00:03' });
    serve = ServeProcess.start(server.ns, [fx.iso, '--interface', 'eth0', '--mode', 'proxy']);
    await serve.ready();
  });
  afterAll(async () => {
    if (serve && !serve.exited) await serve.stop();
    await lan?.destroy();
  });

  it('DHCP, TFTP and HTTP floods at once: the PC gets its offer, loader and kernel', async () => {
    const id = path.basename(fx.iso, '.iso');
    const seconds = 14;
    const floods = [
      attacker.exec([PYTHON, FLOOD, 'dhcp', `${NET}.2`, String(seconds), '3000']),
      attacker.exec([PYTHON, FLOOD, 'tftp', `${NET}.2`, String(seconds), '500', `iso/${id}/casper/vmlinuz`]),
      attacker.exec([PYTHON, FLOOD, 'http', `${NET}.2`, String(seconds), '300', '80']),
    ];
    await new Promise((r) => setTimeout(r, 3000)); // the floods are in full swing
    const replies = await pxeClient(pc, { kind: 'bios', mac: '52:54:00:71:00:03', timeout: 4 });
    const offer = replies.find((r) => r.src === `${NET}.2`);
    expect(offer?.file, serve.describe()).toMatch(/undionly\.kpxe$/);
    const tftp = await pc.exec(
      [
        'curl',
        '-sS',
        '--max-time',
        '20',
        '-o',
        '/dev/null',
        '-w',
        '%{size_download}',
        `tftp://${NET}.2/${offer!.file}`,
      ],
      true,
    );
    expect(tftp.code, tftp.stderr).toBe(0);
    expect(Number(tftp.stdout)).toBeGreaterThan(10_000);
    const http = await pc.exec(
      [
        'curl',
        '-sS',
        '--max-time',
        '20',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{size_download}',
        `http://${NET}.2/iso/${id}/casper/vmlinuz`,
      ],
      true,
    );
    expect(http.code, http.stderr).toBe(0);
    expect(http.stdout).toMatch(/^200 \d{6,}/);
    const results = (await Promise.all(floods)).map((r) => JSON.parse(r.stdout) as Record<string, number | string>);
    const [dhcp, tftpFlood, slow] = results as [Record<string, number>, Record<string, number>, Record<string, number>];
    expect(dhcp.sent).toBeGreaterThan(10_000);
    expect(tftpFlood.sent).toBeGreaterThan(2000);
    expect(tftpFlood.busyReplies).toBeGreaterThan(0);
    expect(slow.closedByServer).toBeGreaterThanOrEqual(300 - 32 - slow.refused!); // beyond 32 per client
    const logs = serve.events
      .filter((e) => e.type === 'log')
      .map((e) => (e as unknown as { entry: { message: string } }).entry.message);
    const floodLines = logs.filter((m) => /sends too many DHCP packets/.test(m));
    expect(floodLines.length).toBeGreaterThanOrEqual(1);
    expect(floodLines.length).toBeLessThanOrEqual(3); // one line per 10 s, not one per packet
    expect(logs.some((m) => /refused connections beyond 32/.test(m))).toBe(true);
    expect(logs.some((m) => /this client already has 16 transfers/.test(m))).toBe(true);
    expect(logs.length).toBeLessThan(2000); // ~50k flood packets did not become ~50k log lines
    expect(serve.exited).toBe(false);
  });
});
