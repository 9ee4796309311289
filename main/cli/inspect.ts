/**
 * `bootdrop inspect <iso-or-folder>`: what Bootdrop sees in a boot source: volume label, size, file
 * systems, El Torito entries, the recognised OS and the full boot plan (entries, kernel, initrds and
 * final kernel command lines). Command lines show the HTTP server as `<server>` unless --server-ip is
 * given; --script prints the iPXE menu script clients would get, --grub the GRUB menu of the Secure Boot
 * chain. Each UEFI entry says whether a Secure Boot PC can boot it, and why (its kernel's signer).
 */
import * as nodePath from 'node:path';
import { DEFAULT_MENU, defaultLoadersDir, fillServer, planSource, renderIpxeScript, type SourcePlan } from '../boot';
import { renderGrubConfig } from '../boot/grub-menu';
import { addSecureBootVerdicts } from '../boot/secure-boot/verdict';
import { SHIM_X64 } from '../boot/secure-boot/policy';
import type { BootEntry } from '../contract';
import { openSource } from '../iso';
import { formatBytes } from '../transfer';
import { parseArgs, UsageError, type OptionSpec } from './args';
import type { CliCommand, CliIo } from './index';
import { errorMessage } from '../errors';

const USAGE =
  'bootdrop inspect <iso-or-folder> [--json] [--server-ip <ip>] [--http-port <n>] [--id <source-id>] [--script] ' +
  '[--grub]';

const SPEC: OptionSpec = {
  json: { type: 'boolean' },
  'server-ip': { type: 'string' },
  'http-port': { type: 'number' },
  id: { type: 'string' },
  script: { type: 'boolean' },
  grub: { type: 'boolean' },
};

/** A URL-safe source id from the file name (the session picks its own; this is for display). */
function idFor(hostPath: string): string {
  const base = nodePath.basename(hostPath).replace(/\.iso$/i, '');
  return (
    base
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 60)
      .replace(/[.]+$/, '') || 'source'
  );
}

interface ElToritoLike {
  index?: number;
  platform?: string;
  emulation?: string;
  bootable?: boolean;
  sectorCount?: number;
  imagePath?: string;
  imageSize?: number;
}

function entryLines(e: BootEntry, n: number, server: { ip: string; httpPort: number } | null): string[] {
  const mark = e.isDefault ? '*' : ' ';
  const flags = [`kind ${e.kind}`, `firmware ${e.firmware.join('+')}`, `from ${e.origin}`];
  if (!e.enabled) flags.push('DISABLED');
  if (e.minRamMiB !== undefined) flags.push(`needs ≥ ${e.minRamMiB} MiB RAM`);
  const cmd = server ? fillServer(e.cmdline, server) : e.cmdline;
  const head = `${mark} ${String(n).padStart(2)}. ${e.label}`;
  const out = [head, `       id      ${e.id}`, `       ${flags.join(' · ')}`];
  if (e.kernel) out.push(`       kernel  ${e.kernel}`);
  for (const i of e.initrd) out.push(`       initrd  ${i}`);
  if (e.kind === 'linux' || e.kind === 'memdisk' || cmd !== '')
    out.push(`       cmdline ${cmd === '' ? '(none)' : cmd}`);
  const sb = e.secureBoot;
  if (sb && e.firmware.includes('uefi'))
    out.push(
      `       secure boot  ${sb.bootable ? `yes, ${sb.chain}` : 'no'}${sb.cpu ? ` · ${sb.cpu}` : ''} — ${sb.reason}`,
    );
  return out;
}

function printText(
  io: CliIo,
  hostPath: string,
  kind: string,
  info: { label: string; size: number; fileSystems: string[]; elTorito: unknown; warnings?: string[] },
  plan: SourcePlan,
  server: { ip: string; httpPort: number } | null,
): void {
  const s = plan.summary;
  io.out(`Source:        ${hostPath} (${kind}${kind === 'iso' ? `, ${formatBytes(info.size)}` : ''})`);
  io.out(`Label:         ${info.label || '(none)'}`);
  io.out(`File systems:  ${info.fileSystems.length > 0 ? info.fileSystems.join(', ') : '(plain folder)'}`);
  const et = Array.isArray(info.elTorito) ? (info.elTorito as ElToritoLike[]) : [];
  // A catalog that is there but damaged says so; "(none)" only when the image has no boot record at all.
  const damaged = info.warnings?.find((w) => w.startsWith('El Torito boot catalog:'));
  if (et.length === 0) io.out(`El Torito:     ${damaged ? `damaged (${damaged.slice(23).trim()})` : '(none)'}`);
  et.forEach((e, i) => {
    const parts = [
      `${e.platform ?? '?'}`,
      `${e.emulation ?? '?'} emulation`,
      e.bootable === false ? 'not bootable' : 'bootable',
    ];
    if (e.imageSize !== undefined) parts.push(formatBytes(e.imageSize));
    io.out(
      `${i === 0 ? 'El Torito:     ' : '               '}${e.index ?? i + 1}. ` +
        `${parts.join(', ')}${e.imagePath ? `  ${e.imagePath}` : ''}`,
    );
  });
  io.out(`OS:            ${s.osName} (family: ${s.family})`);
  io.out(`Served at:     ${plan.treePath}/${plan.rawIsoPath ? `  and whole image at ${plan.rawIsoPath}` : ''}`);
  if (plan.menuFiles.length > 0) io.out(`ISO menus:     ${plan.menuFiles.join(', ')}`);
  if (plan.classicPxelinux) {
    const c = plan.classicPxelinux;
    io.out(
      `Classic PXE:   ${c.loader} with ${c.config} (working dir ${c.workDir}; HTTP must be on port ${c.httpPort})`,
    );
  }
  io.out('');
  io.out(
    server
      ? `Entries (* = default), server ${server.ip}:${server.httpPort}:`
      : 'Entries (* = default; <server> is the HTTP server ip:port, --server-ip fills it in):',
  );
  if (s.entries.length === 0) io.out('  (none: nothing Bootdrop can boot from this source)');
  s.entries.forEach((e, i) => entryLines(e, i + 1, server).forEach((l) => io.out(l)));
  if (s.warnings.length > 0) {
    io.out('');
    io.out('Warnings:');
    for (const w of s.warnings) io.out(`  - ${w}`);
  }
}

export const command: CliCommand = {
  name: 'inspect',
  summary: 'show what Bootdrop sees in an ISO or folder: label, file systems, El Torito, OS and boot plan (--json)',
  usage: USAGE,
  async run(args, io) {
    let opts;
    try {
      opts = parseArgs(args, SPEC);
      if (opts.positional.length !== 1) throw new UsageError('expected exactly one ISO file or folder');
      const ip = opts.options['server-ip'];
      if (ip !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(String(ip)))
        throw new UsageError(`--server-ip needs an IPv4 address, got "${String(ip)}"`);
      if (opts.options.script && ip === undefined)
        throw new UsageError('--script needs --server-ip (the script holds absolute URLs)');
      if (opts.options.grub && ip === undefined)
        throw new UsageError('--grub needs --server-ip (the GRUB menu holds absolute URLs)');
    } catch (err) {
      io.err(`bootdrop inspect: ${errorMessage(err)}`);
      io.err(`Usage: ${USAGE}`);
      return 2;
    }
    const hostPath = nodePath.resolve(opts.positional[0]!);
    const ip = opts.options['server-ip'] as string | undefined;
    const server = ip ? { ip, httpPort: (opts.options['http-port'] as number | undefined) ?? 80 } : null;
    let opened;
    try {
      opened = await openSource(hostPath);
    } catch (err) {
      io.err(`bootdrop inspect: ${errorMessage(err)}`);
      return 1;
    }
    try {
      const sourceId = (opts.options.id as string | undefined) ?? idFor(hostPath);
      const plan = await planSource(opened.vfs, opened.info, { sourceId, hostPath });
      // Which entries a Secure Boot PC can boot: the kernels' signers against Debian shim's CA.
      await addSecureBootVerdicts(opened.vfs, plan.summary.entries, nodePath.join(defaultLoadersDir(), SHIM_X64));
      const script = server && opts.options.script ? renderIpxeScript([plan], DEFAULT_MENU, server) : undefined;
      const grub = server && opts.options.grub ? renderGrubConfig([plan], DEFAULT_MENU, server) : undefined;
      if (opts.options.json) {
        const summary = server
          ? {
              ...plan.summary,
              entries: plan.summary.entries.map((e) => ({ ...e, cmdline: fillServer(e.cmdline, server) })),
            }
          : plan.summary;
        const out: Record<string, unknown> = {
          path: hostPath,
          kind: opened.kind,
          label: opened.info.label,
          size: opened.info.size,
          fileSystems: opened.info.fileSystems,
          elTorito: opened.info.elTorito,
          family: plan.summary.family,
          osName: plan.summary.osName,
          server: server ?? '<server>',
          plan: { ...plan, summary },
        };
        if (script !== undefined) out.ipxeScript = script;
        if (grub !== undefined) out.grubConfig = grub;
        io.out(JSON.stringify(out, null, 2));
      } else {
        printText(io, hostPath, opened.kind, opened.info, plan, server);
        if (script !== undefined) {
          io.out('');
          io.out('iPXE script (/boot.ipxe):');
          for (const l of script.split('\n')) io.out(`  ${l}`);
        }
        if (grub !== undefined) {
          io.out('');
          io.out('GRUB menu (/grub/grub.cfg, Secure Boot chain):');
          for (const l of grub.split('\n')) io.out(`  ${l}`);
        }
      }
      return 0;
    } catch (err) {
      io.err(`bootdrop inspect: ${hostPath}: ${errorMessage(err)}`);
      return 1;
    } finally {
      await opened.vfs.close();
    }
  },
};
