/**
 * `npm run bench:boot`: a full QEMU BIOS network boot of the Arch-like test ISO to its marker, through
 * Bootdrop and through the classic setup, alternating, 2 rounds (BENCH_BOOT_ROUNDS).
 *
 * - Bootdrop: `bootdrop serve <iso> --mode proxy` (iPXE menu, kernel and initrd over HTTP from the ISO).
 * - Classic: dnsmasq in proxy mode (`--dhcp-range=<net>.0,proxy --pxe-service=X86PC,...,lpxelinux`,
 *   TFTP from the extracted ISO), the ISO's own lpxelinux.0 with a pxelinux.cfg/default pointing at its
 *   archiso_pxe.cfg, and nginx serving the extracted ISO on port 80.
 *
 * Both run beside a home-router dnsmasq handing out addresses, in a TestLan; the guest is QEMU (TCG)
 * with its iPXE NIC ROM, which dnsmasq treats as a PXE client. Time = QEMU start → kernel marker.
 *
 * `--cable` instead times the direct cable (issue 14): `bootdrop serve --mode dhcp` with no router on the
 * link, with its IPv6 router advertisement and with it off (BOOTDROP_RA=0, the switch exists for this),
 * and for reference the same Bootdrop as proxy beside a router that sends RAs.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { bootRig, Guest, randomMac } from '../test/helpers/qemu';
import { buildFixture, markerOf } from '../test/helpers/testiso';
import { repoRoot, WORK } from './fixture';
import { rotate } from './lib/alternate';
import { run, Server, sleep } from './lib/proc';
import { machineInfo, table, type Row } from './lib/report';
import { envInt, median } from './lib/stats';
import { setup } from './run';

const NET = '10.233.7';
const BOOT_TIMEOUT_MS = 600_000;

function say(s: string): void {
  process.stderr.write(`[bench:boot ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}

/** The classic TFTP/HTTP root: the ISO extracted (what a loop mount shows), plus pxelinux.cfg/default. */
async function classicRoot(iso: string): Promise<string> {
  const dir = path.join(WORK, `classic-${path.basename(iso, '.iso')}`);
  await fsp.rm(dir, { recursive: true, force: true });
  await run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', dir]);
  await run('chmod', ['-R', 'u+w,a+rX', dir]);
  // As for any archiso < 2021 by hand: PXELINUX starts in its own folder; the menu's paths are relative to /arch/.
  await fsp.mkdir(path.join(dir, 'arch/boot/syslinux/pxelinux.cfg'), { recursive: true });
  await fsp.writeFile(
    path.join(dir, 'arch/boot/syslinux/pxelinux.cfg/default'),
    'DEFAULT arch\nLABEL arch\n  CONFIG ::/arch/boot/syslinux/archiso_pxe.cfg\n  APPEND ::/arch/\n',
  );
  return dir;
}

async function nginxConf(root: string, address: string): Promise<string> {
  const prefix = path.join(WORK, 'nginx-boot');
  await fsp.mkdir(prefix, { recursive: true });
  const conf = path.join(prefix, 'nginx.conf');
  await fsp.writeFile(
    conf,
    `daemon off;\nworker_processes auto;\npid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log warn;\nevents { worker_connections 256; }\n` +
      `http { access_log off; sendfile on; tcp_nopush on; default_type application/octet-stream; client_body_temp_path ${prefix}/body;\n` +
      `  server { listen ${address}:80; root ${root}; } }\n`,
  );
  return conf;
}

type Setup = 'bootdrop' | 'classic' | 'cable' | 'cable-no-ra';

const TAGS: Record<Setup, string> = { bootdrop: 'bbd', classic: 'bcl', cable: 'bca', 'cable-no-ra': 'bcn' };

async function bootOnce(kind: Setup, iso: string, classicDir: string, token: string): Promise<number> {
  const cable = kind === 'cable' || kind === 'cable-no-ra';
  // The router also sends IPv6 RAs like a home router, or the iPXE ROM waits ~15 s for IPv6 (both setups).
  const rig = await bootRig(TAGS[kind], NET, cable ? { router: false } : { router: true, ipv6Ra: true });
  const servers: Server[] = [];
  let guest: Guest | null = null;
  try {
    const ns = rig.server.ns;
    const wrap = (cmd: string[]) => ['netns', 'exec', ns, ...cmd];
    if (kind !== 'classic') {
      const bin = path.join(repoRoot(), 'bin', 'bootdrop.js');
      const env: NodeJS.ProcessEnv = { ...process.env, BOOTDROP_RA: kind === 'cable-no-ra' ? '0' : '1' };
      const s = Server.start(
        'bootdrop serve',
        'ip',
        wrap([
          process.execPath,
          bin,
          'serve',
          iso,
          '--interface',
          'eth0',
          '--mode',
          cable ? 'dhcp' : 'proxy',
          '--append',
          'console=ttyS0',
          '--timeout',
          '1',
          '--json',
        ]),
        { env },
      );
      servers.push(s);
      await s.waitFor(/"serving":true/, 60_000);
    } else {
      const dns = Server.start(
        'dnsmasq',
        'ip',
        wrap([
          'dnsmasq',
          '--no-daemon',
          '--conf-file=/dev/null',
          '--port=0',
          '--bind-interfaces',
          '--interface=eth0',
          '--leasefile-ro',
          '--log-dhcp',
          `--dhcp-range=${NET}.0,proxy`,
          '--pxe-service=X86PC,"Boot from network",arch/boot/syslinux/lpxelinux',
          '--enable-tftp',
          `--tftp-root=${classicDir}`,
        ]),
      );
      servers.push(dns);
      const ng = Server.start(
        'nginx',
        'ip',
        wrap(['nginx', '-c', await nginxConf(classicDir, `${NET}.2`), '-p', path.join(WORK, 'nginx-boot')]),
      );
      servers.push(ng);
      await sleep(500);
    }
    const t0 = performance.now();
    guest = await Guest.start({ firmware: 'bios', tap: await rig.lan.addTap(), mac: randomMac(), memMiB: 1536 });
    await guest.waitFor(markerOf(token), BOOT_TIMEOUT_MS);
    return (performance.now() - t0) / 1000;
  } catch (err) {
    for (const s of servers) say(`${s.name} said:\n${s.log.slice(-2000)}`);
    throw err;
  } finally {
    await guest?.kill();
    for (const s of servers) await s.stop();
    await rig.cleanup();
  }
}

async function cableRows(rounds: number, iso: string, token: string): Promise<Row[]> {
  const [ra, noRa, lan] = await rotate(rounds, [
    async () => {
      say('direct cable, own DHCP, router advertisement on');
      return bootOnce('cable', iso, '', token);
    },
    async () => {
      say('direct cable, own DHCP, router advertisement off (BOOTDROP_RA=0)');
      return bootOnce('cable-no-ra', iso, '', token);
    },
    async () => {
      say('beside a router that sends IPv6 RAs, proxy mode (reference)');
      return bootOnce('bootdrop', iso, '', token);
    },
  ]);
  const figure = 'QEMU BIOS (iPXE ROM, TCG) boot over a direct cable (own DHCP) to the kernel marker';
  return [
    {
      figure: `${figure}: router advertisement on vs off`,
      unit: 's',
      bootdrop: ra!,
      classic: noRa!,
      classicName: 'Bootdrop, RA off (BOOTDROP_RA=0)',
      goal: 'no ~15 s IPv6 wait',
      met: median(noRa!) - median(ra!) >= 10,
    },
    {
      figure: `${figure}, against Bootdrop beside a router (proxy mode)`,
      unit: 's',
      bootdrop: ra!,
      classic: lan!,
      classicName: 'Bootdrop proxy beside a router with RAs',
      goal: 'as fast as a LAN (≤ 1.1×)',
      met: median(ra!) / median(lan!) <= 1.1,
    },
  ];
}

async function main(): Promise<void> {
  await setup({ engine: true });
  const rounds = envInt('BENCH_BOOT_ROUNDS', 2);
  say('building the Arch-like boot fixture (test/helpers/testiso)');
  const fx = await buildFixture('arch');
  if (process.argv.includes('--cable')) {
    const rows = await cableRows(rounds, fx.iso, fx.token);
    process.stdout.write(`## bench:boot --cable\n\n${table(rows)}\n\n${machineInfo()}\n`);
    return;
  }
  const classicDir = await classicRoot(fx.iso);
  const [b, c] = await rotate(rounds, [
    async () => {
      say('boot through Bootdrop');
      return bootOnce('bootdrop', fx.iso, classicDir, fx.token);
    },
    async () => {
      say('boot through dnsmasq proxy + PXELINUX + nginx');
      return bootOnce('classic', fx.iso, classicDir, fx.token);
    },
  ]);
  const row: Row = {
    figure: 'QEMU BIOS (iPXE ROM, TCG) network boot of the Arch-like test ISO to its kernel marker',
    unit: 's',
    bootdrop: b!,
    classic: c!,
    classicName: 'dnsmasq proxy + PXELINUX + nginx',
    goal: '≤ 0.8× time',
    met: median(b!) / median(c!) <= 0.8,
  };
  process.stdout.write(`## bench:boot\n\n${table([row])}\n\n${machineInfo()}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:boot failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
