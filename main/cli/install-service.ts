/**
 * `bootdrop install-service` / `bootdrop uninstall-service`: write (or remove) the systemd unit that runs
 * `bootdrop serve --config <file>` at boot. It writes files only — the unit, and a starter config when
 * there is none — and prints the systemctl commands, so it never changes what is running behind
 * the user's back. BOOTDROP_UNIT_DIR (or --unit-dir) points it elsewhere than /etc/systemd/system.
 */
import { existsSync, realpathSync } from 'node:fs';
import { lstat, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigFileError, DEFAULT_SETTINGS, readSettingsFile, type BootdropSettings } from '../config';
import { errorMessage } from '../errors';
import { DEFAULT_CONFIG_FILE, DEFAULT_UNIT_DIR, renderUnit, UNIT_MARKER, UNIT_NAME, UnitError } from '../service';
import { parseArgs, UsageError, type OptionSpec } from './args';
import type { CliCommand, CliIo } from './index';

const USAGE = [
  'bootdrop install-service [--config <file>] [--user <name>] [--unit-dir <dir>] [-- <serve options>]',
  '       bootdrop install-service --uninstall   (or: bootdrop uninstall-service)',
  '',
  `  --config <file>     the settings file the service serves (default ${DEFAULT_CONFIG_FILE}; a starter`,
  "                      file is written if it does not exist). Same format as the desktop app's settings.json",
  '  --user <name>       run as this user, with only the right to bind ports below 1024 (default: root)',
  `  --unit-dir <dir>    where to write ${UNIT_NAME} (default $BOOTDROP_UNIT_DIR or ${DEFAULT_UNIT_DIR})`,
  '  --uninstall         remove the unit instead',
  '  -- <options>        passed on to "bootdrop serve", e.g. -- --http-port 8080 --verbose',
].join('\n');

const SPEC: OptionSpec = {
  config: { type: 'string' },
  user: { type: 'string' },
  'unit-dir': { type: 'string' },
  uninstall: { type: 'boolean' },
};

/** bin/bootdrop.js of this installation, found by walking up from the compiled (or source) CLI. */
function binScript(from: string = __dirname): string {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'bin', 'bootdrop.js');
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  throw new UnitError(
    `cannot find bin/bootdrop.js above ${from}`,
    'run install-service from an installed Bootdrop (npm install -g, or a checkout with "npm run build:engine")',
  );
}

interface Target {
  unitDir: string;
  unitFile: string;
}

function target(o: Record<string, unknown>): Target {
  const unitDir = path.resolve(
    (o['unit-dir'] as string | undefined) ?? process.env.BOOTDROP_UNIT_DIR ?? DEFAULT_UNIT_DIR,
  );
  return { unitDir, unitFile: path.join(unitDir, UNIT_NAME) };
}

/** A write refused for lack of rights says to use sudo; anything else is passed on as it is. */
function fsProblem(err: unknown, what: string): UnitError {
  const code = (err as NodeJS.ErrnoException).code;
  return new UnitError(
    `cannot ${what}: ${errorMessage(err)}`,
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'run it as root: sudo bootdrop ' + process.argv.slice(2).join(' ')
      : 'check the path and try again',
  );
}

async function writeAtomic(file: string, body: string, mode: number): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, body, { mode });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The config the unit serves: checked when it exists (a broken file would only fail at boot), else a starter. */
async function ensureConfig(file: string, io: CliIo): Promise<BootdropSettings> {
  if (existsSync(file)) return readSettingsFile(file);
  const starter: BootdropSettings = { ...DEFAULT_SETTINGS, mode: 'proxy' };
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomic(file, JSON.stringify(starter, null, 2) + '\n', 0o644);
  } catch (err) {
    throw fsProblem(err, `write the starter config ${file}`);
  }
  io.out(`Wrote a starter config ${file} (no ISOs yet, proxy mode): add ISO paths to "sources".`);
  return starter;
}

async function install(o: Record<string, unknown>, serveArgs: string[], io: CliIo): Promise<void> {
  const { unitDir, unitFile } = target(o);
  const config = path.resolve((o.config as string | undefined) ?? DEFAULT_CONFIG_FILE);
  const user = (o.user as string | undefined) ?? null;
  const unit = renderUnit({ node: process.execPath, script: binScript(), config, user, serveArgs });
  const settings = await ensureConfig(config, io);
  if (existsSync(unitFile) && !(await readFile(unitFile, 'utf8')).startsWith(UNIT_MARKER)) {
    throw new UnitError(
      `${unitFile} exists and was not written by Bootdrop`,
      'move it away (or remove it) first if you want Bootdrop to write its own',
    );
  }
  try {
    await mkdir(unitDir, { recursive: true });
    await writeAtomic(unitFile, unit, 0o644);
  } catch (err) {
    throw fsProblem(err, `write ${unitFile}`);
  }
  const isos = settings.sources.length;
  io.out(`Wrote ${unitFile}: runs "bootdrop serve --config ${config}" as ${user ?? 'root'}.`);
  io.out(`The config names ${isos} ISO${isos === 1 ? '' : 's'}, mode ${settings.mode}.`);
  io.out('Next:');
  io.out('  start it now and at every boot:  systemctl daemon-reload && systemctl enable --now bootdrop');
  io.out(`  after editing ${config}:  systemctl reload bootdrop  (transfers in flight keep going)`);
  io.out('  the log:  journalctl -u bootdrop -f');
}

async function uninstall(o: Record<string, unknown>, io: CliIo): Promise<void> {
  const { unitDir, unitFile } = target(o);
  let text: string;
  try {
    text = await readFile(unitFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.out(`${unitFile} is not there: nothing to remove.`);
      return;
    }
    throw fsProblem(err, `read ${unitFile}`);
  }
  if (!text.startsWith(UNIT_MARKER))
    throw new UnitError(`${unitFile} was not written by Bootdrop: left as it is`, 'remove it by hand if it should go');
  // Removing an enabled unit leaves a dangling link in multi-user.target.wants: disable it first.
  const wants = path.join(unitDir, 'multi-user.target.wants', UNIT_NAME);
  if (
    await lstat(wants).then(
      () => true,
      () => false,
    )
  ) {
    throw new UnitError(
      `${UNIT_NAME} is still enabled (${wants} exists)`,
      'run "systemctl disable --now bootdrop" first, then uninstall-service again',
    );
  }
  try {
    await unlink(unitFile);
  } catch (err) {
    throw fsProblem(err, `remove ${unitFile}`);
  }
  io.out(`Removed ${unitFile}. Run "systemctl daemon-reload" so systemd forgets it. The config file is kept.`);
}

async function runWith(args: string[], io: CliIo, forceUninstall: boolean): Promise<number> {
  const cmd = forceUninstall ? 'uninstall-service' : 'install-service';
  const dash = args.indexOf('--');
  const own = dash < 0 ? args : args.slice(0, dash);
  const serveArgs = dash < 0 ? [] : args.slice(dash + 1);
  try {
    const { options: o, positional } = parseArgs(own, SPEC);
    if (positional.length > 0)
      throw new UsageError(`unexpected "${positional[0]}": put ISO paths into the config file's "sources"`);
    if (process.platform !== 'linux')
      throw new UnitError(
        'install-service writes a systemd unit: Linux only',
        'on this system, run "bootdrop serve --config <file>" from your own service manager',
      );
    if (forceUninstall || o.uninstall === true) {
      if (o.config !== undefined || o.user !== undefined || serveArgs.length > 0)
        throw new UsageError('uninstalling takes only --unit-dir');
      await uninstall(o, io);
    } else {
      await install(o, serveArgs, io);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`bootdrop ${cmd}: ${err.message}`);
      io.err(`Usage: ${USAGE.split('\n')[0]} (see bootdrop ${cmd} --help)`);
      return 2;
    }
    if (err instanceof UnitError || err instanceof ConfigFileError) {
      io.err(`bootdrop ${cmd}: ${err.message}`);
      io.err(`  what to do: ${err.remedy}`);
      return 1;
    }
    throw err;
  }
}

export const installCommand: CliCommand = {
  name: 'install-service',
  summary: 'write a systemd unit that runs "bootdrop serve --config <file>" at boot (--uninstall removes it)',
  usage: USAGE,
  run: (args, io) => runWith(args, io, false),
};

export const uninstallCommand: CliCommand = {
  name: 'uninstall-service',
  summary: 'remove the systemd unit install-service wrote (the config file is kept)',
  usage: 'bootdrop uninstall-service [--unit-dir <dir>]',
  run: (args, io) => runWith(args, io, true),
};
