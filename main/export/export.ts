/**
 * exportSite: plan the sources exactly as `bootdrop serve` does (main/boot's planSource, the same
 * source ids), render the one iPXE menu for the interface's address, and write what a site's own
 * dnsmasq and nginx need to serve it: configs, prepare.sh, the loaders and a README.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import {
  applyMenu,
  BOOT_SCRIPT_PATH,
  httpUrl,
  planSource,
  PxePolicy,
  renderIpxeScript,
  REQUIRED_LOADERS,
  type SourcePlan,
} from '../boot';
import type { ClientFacts } from '../boot';
import type { MenuSettings, NetInterface } from '../contract';
import { LeasePool } from '../dhcp/lease-pool';
import { openSource } from '../iso';
import { networkOf } from '../net';
import { sourceIdFor } from '../session/source-id';
import { renderDnsmasqConf } from './dnsmasq-conf';
import { loaderCopyMessage } from './messages';
import { renderNginxConf } from './nginx-conf';
import { renderPrepareScript } from './prepare-script';
import { renderReadme } from './readme';
import { contiguousRanges, onDisk, runDir, wwwDir, type ExportMode, type ExportSite } from './site';

export interface ExportOptions {
  /** ISO files or folders. */
  paths: string[];
  /** The export directory (created; files in it are overwritten). */
  dir: string;
  iface: NetInterface;
  mode: ExportMode;
  loadersDir: string;
  /** Called once the sources are planned, before the menu is rendered (e.g. to resolve --default). */
  menu: (plans: readonly SourcePlan[]) => MenuSettings;
  httpPort?: number;
}

export interface ExportResult {
  site: ExportSite;
  files: string[];
  warnings: string[];
}

/** The boot file PxePolicy gives a firmware: the same chain Bootdrop serves. */
function bootFileFor(policy: PxePolicy, arch: ClientFacts['arch'], serverIp: string): string {
  const facts: ClientFacts = {
    mac: '00:00:00:00:00:00',
    arch,
    archCode: arch === 'bios' ? 0 : 7,
    vendorClass: 'PXEClient',
    userClass: null,
    isIpxe: false,
    uuid: null,
    ip: null,
  };
  const d = policy.decide(facts, serverIp);
  if (d.kind !== 'tftp') throw new Error(`no TFTP boot file for ${arch} (${d.kind})`);
  return d.file;
}

export async function exportSite(opts: ExportOptions): Promise<ExportResult> {
  const dir = path.resolve(opts.dir);
  const httpPort = opts.httpPort ?? 80;
  const warnings: string[] = [];
  const plans: SourcePlan[] = [];
  const kinds: Array<'iso' | 'folder'> = [];
  const hostPaths: string[] = [];
  for (const p of opts.paths) {
    const hostPath = path.resolve(p);
    if (hostPaths.includes(hostPath)) throw new Error(`${hostPath} is given twice`);
    const opened = await openSource(hostPath);
    try {
      const id = sourceIdFor(hostPath, (x) => plans.some((pl) => pl.summary.id === x));
      const plan = await planSource(
        opened.vfs,
        {
          label: opened.info.label,
          size: opened.info.size,
          fileSystems: opened.info.fileSystems,
          elTorito: opened.info.elTorito,
        },
        { sourceId: id, hostPath },
      );
      plans.push(plan);
      kinds.push(opened.kind);
      hostPaths.push(hostPath);
      for (const w of plan.summary.warnings) warnings.push(`${path.basename(hostPath)}: ${w}`);
    } finally {
      await opened.vfs.close().catch(() => undefined);
    }
  }
  const menu = opts.menu(plans);
  if (menu.biosMenu === 'iso')
    warnings.push("the ISO's own PXELINUX menu for BIOS PCs is not exported: BIOS PCs get Bootdrop's menu");
  const server = { ip: opts.iface.address, httpPort };
  // byte for byte what `bootdrop serve` serves: it asks for the PC's own menu once, which nginx answers
  // with this same file (the query is ignored), and iPXE then shows it (bd-asked)
  const script = renderIpxeScript(plans, menu, server, 'ask');

  const policy = new PxePolicy({ httpPort });
  const subnet = { address: opts.iface.address, prefix: opts.iface.prefix };
  const site: ExportSite = {
    dir,
    iface: {
      name: opts.iface.name,
      address: opts.iface.address,
      prefix: opts.iface.prefix,
      network: networkOf(subnet),
      netmask: opts.iface.netmask,
    },
    mode: opts.mode,
    // The same addresses Bootdrop's own DHCP would hand out on this subnet.
    ranges: opts.mode === 'dhcp' ? contiguousRanges(new LeasePool({ subnet }).addresses) : [],
    httpPort,
    sources: plans.map((p, i) => ({
      id: p.summary.id,
      hostPath: hostPaths[i]!,
      kind: kinds[i]!,
      osName: p.summary.osName,
      treePath: p.treePath,
      rawIsoPath: p.rawIsoPath,
    })),
    loaders: [...REQUIRED_LOADERS],
    bootFiles: {
      bios: bootFileFor(policy, 'bios', server.ip),
      uefi: bootFileFor(policy, 'efi-x64', server.ip),
      menuUrl: httpUrl(server, BOOT_SCRIPT_PATH),
    },
  };

  const www = wwwDir(site);
  await fsp.mkdir(path.join(www, 'loaders'), { recursive: true });
  await fsp.mkdir(path.join(www, 'iso'), { recursive: true });
  await fsp.mkdir(runDir(site), { recursive: true });
  const files: string[] = [];
  const write = async (file: string, text: string | Buffer, mode = 0o644) => {
    await fsp.writeFile(file, text, { mode });
    await fsp.chmod(file, mode); // an existing file keeps its mode on writeFile
    files.push(file);
  };
  for (const name of site.loaders) {
    const from = path.join(opts.loadersDir, name);
    const to = path.join(www, 'loaders', name);
    await fsp.copyFile(from, to).catch((err: Error) => {
      throw new Error(loaderCopyMessage(from, err.message, REQUIRED_LOADERS));
    });
    await fsp.chmod(to, 0o644);
    files.push(to);
  }
  await write(onDisk(site, BOOT_SCRIPT_PATH), script);
  await write(path.join(dir, 'dnsmasq.conf'), renderDnsmasqConf(site));
  await write(path.join(dir, 'nginx.conf'), renderNginxConf(site));
  await write(path.join(dir, 'prepare.sh'), renderPrepareScript(site), 0o755);
  const entries = applyMenu(plans, menu).flatMap((s) =>
    s.entries.filter((e) => e.enabled).map((e) => `${s.osName}: ${e.label}${e.isDefault ? ' (default)' : ''}`),
  );
  await write(path.join(dir, 'README.md'), renderReadme(site, entries));
  // nginx workers and dnsmasq drop to an unprivileged user: the folders must be searchable by it.
  for (const d of [dir, www, path.join(www, 'loaders'), path.join(www, 'iso'), runDir(site)]) await fsp.chmod(d, 0o755);
  return { site, files, warnings };
}
