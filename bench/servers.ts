/**
 * The servers under test, each started fresh in its own process: Bootdrop (bench/engine-server over
 * the ISO) and the classic tools (nginx with a generated config, in.tftpd, dnsmasq TFTP), never the
 * system services.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { freePort, Server, waitForTcp } from './lib/proc';

const ENGINE_SERVER = path.join(__dirname, 'engine-server.js');

export interface Running {
  name: string;
  server: Server;
  httpPort?: number;
  tftpPort?: number;
}

/** Bootdrop over the ISO; `wrap` runs it inside a namespace (['ip','netns','exec',ns]). */
export async function startBootdrop(
  iso: string,
  o: { address: string; http?: number; tftp?: number; wrap?: string[]; nodeArgs?: string[] },
): Promise<Running> {
  const wrap = o.wrap ?? [];
  const args = [
    ...(o.nodeArgs ?? []),
    ENGINE_SERVER,
    iso,
    o.address,
    o.http === undefined ? '-' : String(o.http),
    o.tftp === undefined ? '-' : String(o.tftp),
  ];
  const cmd = wrap.length ? wrap[0]! : process.execPath;
  const server = Server.start('bootdrop', cmd, wrap.length ? [...wrap.slice(1), process.execPath, ...args] : args);
  const m = await server.waitFor(/^\{.*\}$/m);
  const ready = JSON.parse(m[0]) as { http?: number; tftp?: number };
  return { name: 'bootdrop', server, httpPort: ready.http, tftpPort: ready.tftp };
}

/**
 * nginx as a distro ships it for static files: Debian's defaults (worker_processes auto, sendfile on,
 * tcp_nopush on), access log off so both servers skip per-request logging.
 */
export async function startNginx(root: string, workDir: string): Promise<Running> {
  const prefix = path.join(workDir, 'nginx');
  await fsp.mkdir(prefix, { recursive: true });
  const port = await freePort();
  const conf = path.join(prefix, 'nginx.conf');
  await fsp.writeFile(
    conf,
    [
      'daemon off;',
      'worker_processes auto;',
      `pid ${prefix}/nginx.pid;`,
      `error_log ${prefix}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      '  tcp_nopush on;',
      '  keepalive_requests 1000000;',
      '  default_type application/octet-stream;',
      `  client_body_temp_path ${prefix}/body;`,
      `  server { listen 127.0.0.1:${port}; root ${root}; }`,
      '}',
      '',
    ].join('\n'),
  );
  const server = Server.start('nginx', 'nginx', ['-c', conf, '-p', prefix]);
  await waitForTcp(port);
  return { name: 'nginx', server, httpPort: port };
}

/** tftpd-hpa in the foreground (-L), serving `dir`, on address:port; `wrap` as for startBootdrop. */
export async function startTftpdHpa(dir: string, address: string, port: number, wrap: string[] = []): Promise<Running> {
  const args = ['in.tftpd', '-L', '-a', `${address}:${port}`, '-s', dir];
  const server = Server.start(
    'tftpd-hpa',
    wrap.length ? wrap[0]! : args[0]!,
    wrap.length ? [...wrap.slice(1), ...args] : args.slice(1),
  );
  await waitUdp();
  return { name: 'tftpd-hpa', server, tftpPort: port };
}

/** dnsmasq as a TFTP server only (--port=0: no DNS, no DHCP). Its TFTP port is always 69. */
export async function startDnsmasqTftp(dir: string, wrap: string[]): Promise<Running> {
  const args = [
    'dnsmasq',
    '--no-daemon',
    '--conf-file=/dev/null',
    '--port=0',
    '--enable-tftp',
    `--tftp-root=${dir}`,
    '--tftp-no-fail',
    '--log-facility=-',
  ];
  const server = Server.start('dnsmasq', wrap[0]!, [...wrap.slice(1), ...args]);
  await server.waitFor(/TFTP root is/);
  return { name: 'dnsmasq', server, tftpPort: 69 };
}

/** UDP servers print nothing when bound; their bind is immediate after start. */
function waitUdp(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 300));
}
