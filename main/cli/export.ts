/**
 * `bootdrop export <iso-or-folder>... --to <dir> --interface <if> [--mode proxy|dhcp]`: write the same
 * boot menu and served tree as dnsmasq.conf + nginx.conf + prepare.sh + loaders + README, for a site
 * that runs its own servers (see main/export).
 */
import * as path from 'node:path';
import { DEFAULT_MENU, type SourcePlan } from '../boot';
import type { MenuSettings } from '../contract';
import { exportSite, type ExportMode } from '../export';
import { findInterface } from '../net';
import { defaultLoadersDir } from '../session';
import { parseArgs, UsageError, type OptionSpec } from './args';
import type { CliCommand, CliIo } from './index';
import { errorMessage } from '../errors';

const USAGE = [
  'bootdrop export <iso-or-folder>... --to <dir> --interface <if> [options]',
  '',
  '  --to <dir>               folder to write dnsmasq.conf, nginx.conf, prepare.sh, README.md and www/ into',
  '  --interface, -i <name>   the interface the site serves on (its address goes into the configs and menu)',
  "  --mode, -m <mode>        proxy (default: the network's DHCP server stays) or dhcp (dnsmasq hands out addresses)",
  '  --append "<args>"        extra kernel arguments for every Linux entry',
  '  --default <id|iso>       the entry booted when the menu times out: an entry id, or an ISO given here',
  '  --timeout <s>            menu timeout in seconds (default 5; 0 waits for a choice)',
  '  --loaders <dir>          folder with undionly.kpxe, ipxe.efi, snponly.efi, memdisk',
].join('\n');

const SPEC: OptionSpec = {
  to: { type: 'string' },
  interface: { type: 'string', alias: 'i' },
  mode: { type: 'string', alias: 'm' },
  append: { type: 'string' },
  default: { type: 'string' },
  timeout: { type: 'number' },
  loaders: { type: 'string' },
};

/** `--default`: an entry id, or a source (id, path or file name) meaning its default entry. */
function resolveDefault(plans: readonly SourcePlan[], wanted: string, paths: readonly string[]): string {
  const entries = plans.flatMap((p) => p.summary.entries);
  if (entries.some((e) => e.id === wanted)) return wanted;
  const abs = path.resolve(wanted);
  const i = paths.findIndex((p) => path.resolve(p) === abs || path.basename(p) === wanted);
  const plan = plans.find((p, k) => p.summary.id === wanted || k === i);
  const entry = plan && (plan.summary.entries.find((e) => e.isDefault) ?? plan.summary.entries.find((e) => e.enabled));
  if (entry) return entry.id;
  throw new UsageError(
    `--default ${wanted}: no such boot entry or source (entries: ${entries.map((e) => e.id).join(', ') || 'none'})`,
  );
}

async function run(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(args, SPEC);
    const o = parsed.options;
    if (parsed.positional.length === 0) throw new UsageError('give at least one ISO file or folder to export');
    if (typeof o.to !== 'string' || o.to === '')
      throw new UsageError('--to <dir> is required: where to write the site');
    if (typeof o.interface !== 'string')
      throw new UsageError('--interface <name> is required: the configs and menu carry its address');
    const mode = (o.mode as string | undefined) ?? 'proxy';
    if (mode !== 'proxy' && mode !== 'dhcp') throw new UsageError(`--mode must be proxy or dhcp, got "${mode}"`);
    const timeout = (o.timeout as number | undefined) ?? DEFAULT_MENU.timeoutSec;
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > 3600)
      throw new UsageError(`--timeout must be whole seconds 0-3600, got ${timeout}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`bootdrop export: ${err.message}`);
      io.err(`Usage: ${USAGE.split('\n')[0]} (see bootdrop export --help)`);
      return 2;
    }
    throw err;
  }
  const o = parsed.options;
  try {
    const iface = await findInterface(o.interface as string);
    const paths = parsed.positional;
    const result = await exportSite({
      paths,
      dir: o.to as string,
      iface,
      mode: ((o.mode as string | undefined) ?? 'proxy') as ExportMode,
      loadersDir: path.resolve((o.loaders as string | undefined) ?? defaultLoadersDir()),
      menu: (plans): MenuSettings => ({
        ...DEFAULT_MENU,
        overrides: {},
        append: (o.append as string | undefined) ?? '',
        timeoutSec: (o.timeout as number | undefined) ?? DEFAULT_MENU.timeoutSec,
        defaultEntryId: typeof o.default === 'string' ? resolveDefault(plans, o.default, paths) : null,
      }),
    });
    for (const w of result.warnings) io.err(`warning: ${w}`);
    const d = result.site.dir;
    io.out(
      `Exported ${result.site.sources.map((s) => s.osName).join(', ')} for ${iface.name} (${iface.address}) to ${d}:`,
    );
    io.out(`  sh ${d}/prepare.sh                 # mount or extract the ISOs (see README.md)`);
    io.out(`  nginx -c ${d}/nginx.conf`);
    io.out(`  dnsmasq -k -C ${d}/dnsmasq.conf`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`bootdrop export: ${err.message}`);
      return 2;
    }
    io.err(`bootdrop export: ${errorMessage(err)}`);
    return 1;
  }
}

export const command: CliCommand = {
  name: 'export',
  summary: 'write dnsmasq + nginx configs (and prepare.sh) that serve the same boot menu without Bootdrop',
  usage: USAGE,
  run,
};
