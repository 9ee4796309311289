/**
 * `bootdrop serve <iso-or-folder>...`: the whole engine without Electron. Runs until SIGINT/SIGTERM,
 * printing one line when ready and one per client step (or NDJSON EngineEvents with --json). With
 * --config it serves a settings file and re-reads it on SIGHUP (serve-config.ts); under systemd its
 * lines carry journal priorities (main/log/journal.ts).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MENU } from '../boot';
import { checkPoolsApart, parsePoolSpec, PoolSpecError, type RelayPoolSpec } from '../dhcp';
import type { EngineEvent, ServeMode, ServingState } from '../contract';
import {
  createEngineServices,
  defaultLoadersDir,
  describeMode,
  Narrator,
  Session,
  SessionError,
  type SessionOptions,
} from '../session';
import { startWebUi } from '../webui';
import { parseArgs, UsageError, type OptionSpec } from './args';
import type { CliCommand, CliIo } from './index';
import { errorMessage } from '../errors';
import { lineFormatter, type LinePriority } from '../log';
import { ConfiguredServe, type CommandLineOverrides, type DesiredConfig } from './serve-config';
import { classicPortProblem, NO_CLASSIC_SOURCE, nothingToServeYet, POOL_NEEDS_DHCP_MODE } from './messages';

const USAGE = [
  'bootdrop serve [<iso-or-folder>...] [--config <file>] [options]',
  '',
  "  --config <file>          serve this settings file (the desktop app's settings.json format: sources,",
  '                           interfaceName, mode, menu); SIGHUP re-reads it. Options given here win over it',
  '  --interface, -i <name>   network interface to serve on (default: the recommended one)',
  '  --mode, -m <mode>        proxy (default: your router keeps handing out addresses), dhcp (a bare',
  '                           cable: Bootdrop hands them out), auto (dhcp unless another server answers)',
  '  --append "<args>"        extra kernel arguments for every Linux entry (e.g. "console=ttyS0")',
  '  --default <id|iso>       the entry booted when the menu times out: an entry id, or an ISO given here',
  '  --timeout <s>            menu timeout in seconds (default 5; 0 waits for a choice)',
  '  --http-port <n>          HTTP port (default 80, which ISO menus with http://${pxeserver}/ expect)',
  '  --tftp-port <n>          TFTP port (default 69)',
  '  --pool <net>/<len>:<first>-<last>',
  '                           dhcp/auto mode: also hand out addresses on a subnet behind a DHCP relay',
  '                           (repeatable), e.g. --pool 10.1.0.0/24:10.1.0.100-10.1.0.199. Relayed PCs on',
  '                           other subnets get the boot file only. README "PCs behind a DHCP relay"',
  "  --classic                BIOS clients get the ISO's own PXELINUX menu (ISOs shipping lpxelinux.0, e.g. Arch);",
  '                           the window\'s "BIOS PCs get: the ISO\'s own PXELINUX menu"',
  '  --loaders <dir>          folder with undionly.kpxe, ipxe.efi, snponly.efi, memdisk',
  '  --ui [port]              also open the browser UI on 127.0.0.1 (ISOs may then be added there)',
  '  --json                   print NDJSON engine events instead of text',
  '  --verbose, -v            also print info and debug log lines (which I/O path serves each transfer, ...)',
].join('\n');

const SPEC: OptionSpec = {
  config: { type: 'string' },
  interface: { type: 'string', alias: 'i' },
  mode: { type: 'string', alias: 'm' },
  append: { type: 'string' },
  default: { type: 'string' },
  timeout: { type: 'number' },
  'http-port': { type: 'number' },
  'tftp-port': { type: 'number' },
  pool: { type: 'string', multiple: true },
  loaders: { type: 'string' },
  classic: { type: 'boolean' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', alias: 'v' },
};

const MODES: readonly ServeMode[] = ['proxy', 'dhcp', 'auto'];

function port(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = v as number;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--${name} must be a port number 0-65535, got ${n}`);
  return n;
}

interface ServeArgs {
  paths: string[];
  /** --config: the settings file to serve and re-read on SIGHUP; null without. */
  config: string | null;
  iface: string | null;
  /** The options as given (null = not given: the config file's value, else the default, applies). */
  mode: ServeMode | null;
  append: string | null;
  defaultEntry: string | null;
  timeoutSec: number | null;
  httpPort: number;
  tftpPort: number;
  relayPools: RelayPoolSpec[];
  loadersDir: string;
  classic: boolean;
  json: boolean;
  verbose: boolean;
  /** --ui [port]: the browser UI on 127.0.0.1 (0 = any free port); null without --ui. */
  uiPort: number | null;
}

/** `--ui` takes an optional port, which the strict parser cannot express: take it out first. */
function takeUi(args: string[]): { rest: string[]; uiPort: number | null } {
  const rest: string[] = [];
  let uiPort: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const eq = /^--ui=(.*)$/.exec(arg);
    if (arg === '--ui' || eq) {
      const value = eq ? eq[1]! : /^\d+$/.test(args[i + 1] ?? '') ? args[++i]! : '0';
      uiPort = port(Number(value), 'ui') ?? 0;
      continue;
    }
    rest.push(arg);
  }
  return { rest, uiPort };
}

function parse(all: string[]): ServeArgs {
  const { rest: args, uiPort } = takeUi(all);
  const { options: o, positional } = parseArgs(args, SPEC);
  const config = (o.config as string | undefined) ?? null;
  if (positional.length === 0 && uiPort === null && config === null)
    throw new UsageError(
      'give at least one ISO file or folder to serve (or --config <file>, or --ui to choose them in the browser)',
    );
  const mode = (o.mode as string | undefined) ?? null;
  if (mode !== null && !(MODES as readonly string[]).includes(mode))
    throw new UsageError(`--mode must be proxy, dhcp or auto, got "${mode}"`);
  if (o.pool !== undefined && (mode === 'proxy' || (mode === null && config === null)))
    throw new UsageError(POOL_NEEDS_DHCP_MODE);
  const timeout = (o.timeout as number | undefined) ?? null;
  if (timeout !== null && (!Number.isInteger(timeout) || timeout < 0 || timeout > 3600))
    throw new UsageError(`--timeout must be whole seconds 0-3600, got ${timeout}`);
  return {
    paths: positional,
    config: config === null ? null : path.resolve(config),
    iface: (o.interface as string | undefined) ?? null,
    mode: mode as ServeMode | null,
    append: (o.append as string | undefined) ?? null,
    defaultEntry: (o.default as string | undefined) ?? null,
    timeoutSec: timeout,
    // Port 80 like the classic setup: ISOs' own PXE menus say http://${pxeserver}/ (no port).
    httpPort: port(o['http-port'], 'http-port') ?? 80,
    tftpPort: port(o['tftp-port'], 'tftp-port') ?? 69,
    relayPools: pools((o.pool as string[] | undefined) ?? []),
    loadersDir: path.resolve((o.loaders as string | undefined) ?? defaultLoadersDir()),
    classic: o.classic === true,
    json: o.json === true,
    verbose: o.verbose === true,
    uiPort,
  };
}

function pools(specs: string[]): RelayPoolSpec[] {
  try {
    const parsed = specs.map(parsePoolSpec);
    checkPoolsApart(parsed);
    return parsed;
  } catch (err) {
    if (err instanceof PoolSpecError) throw new UsageError(err.message);
    throw err;
  }
}

/** `--default` takes an entry id, or a source (id, path or file name) meaning its default entry. */
function resolveDefault(session: Session, wanted: string): string {
  const sources = session.effectiveSources();
  const entries = sources.flatMap((s) => s.entries);
  const exact = entries.find((e) => e.id === wanted);
  if (exact) return exact.id;
  const abs = path.resolve(wanted);
  const src = sources.find((s) => s.id === wanted || s.path === abs || path.basename(s.path) === wanted);
  const entry = src && (src.entries.find((e) => e.isDefault) ?? src.entries.find((e) => e.enabled));
  if (entry) return entry.id;
  const ids = entries.map((e) => e.id).join(', ') || 'none';
  throw new SessionError(
    'ENOENTRY',
    `--default ${wanted}: no such boot entry or source (entries: ${ids})`,
    'pass one of the entry ids listed, or an ISO given on the command line',
  );
}

/** dist/ui (the browser build of the renderer), found by walking up from the compiled CLI. */
function defaultUiDir(from: string = __dirname): string {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'dist', 'ui', 'index.html'))) return path.join(dir, 'dist', 'ui');
  }
  return path.resolve(from, '..', '..', 'ui');
}

/**
 * stdout lines collected and written together, at most every OUTPUT_BATCH_MS: stdout to a pipe is a
 * synchronous write in Node on Linux (and blocks while the reader is slow), and in a boot storm
 * (`--json` under a supervisor) a write — and a JSON.stringify — per event sat between one client's
 * DHCP reply and the next. Events are serialised at write time (the session emits copies).
 */
const OUTPUT_BATCH_MS = 20;

class LineBatch {
  private items: Array<[LinePriority, string | EngineEvent]> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: (text: string) => void,
    /** Adds the journal priority under systemd; leaves the line alone elsewhere. */
    private readonly format: (priority: LinePriority, line: string) => string,
  ) {}

  push(item: string | EngineEvent, priority: LinePriority = 'info'): void {
    this.items.push([priority, item]);
    this.timer ??= setTimeout(() => this.flush(), OUTPUT_BATCH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.items.length === 0) return;
    const text = this.items.map(([p, x]) => this.format(p, typeof x === 'string' ? x : JSON.stringify(x))).join('\n');
    this.items = [];
    this.out(text);
  }
}

/** An engine event's weight in the journal: a log entry's level, else info. */
function priorityOf(e: EngineEvent): LinePriority {
  return e.type === 'log' ? e.entry.level : 'info';
}

function readyLines(session: Session, state: ServingState): string[] {
  const sources = session.effectiveSources();
  const what = sources.map((s) => `${s.osName} (${path.basename(s.path)})`).join(', ');
  const def = sources.flatMap((s) => s.entries).find((e) => e.isDefault);
  const where = `${state.interfaceName} ${state.address}`;
  const lines = [`Ready: serving ${what} on ${where} — ${describeMode(state)}; HTTP ${state.httpUrl}`];
  if (def)
    lines.push(`Default entry: ${def.label} [${def.id}]. Boot the other PC from the network (PXE). Ctrl+C stops.`);
  return lines;
}

/**
 * --classic (MenuSettings.biosMenu 'iso') asked for on the command line: a source without its own
 * PXELINUX menu is a usage problem here, not something to fall back from silently as the window does.
 */
async function classicProblem(
  session: Session,
  httpPort: number,
): Promise<{ code: string; message: string; remedy: string } | null> {
  if (!(await session.snapshot()).sources.some((s) => s.ownPxeMenu === true)) return NO_CLASSIC_SOURCE;
  return httpPort !== 80 ? classicPortProblem(httpPort) : null;
}

/** --pool wins; else the config file's relayPools (already checked when the file was read). */
function relayPoolsFor(a: ServeArgs, desired: DesiredConfig | null): { relayPools?: RelayPoolSpec[] } {
  if (a.relayPools.length > 0) return { relayPools: a.relayPools };
  const fromFile = desired?.relayPools ?? [];
  return fromFile.length > 0 ? { relayPools: fromFile.map((spec) => parsePoolSpec(spec)) } : {};
}

/** The session's starting values: the config file (with the command line on top), else the command line. */
function sessionOptions(a: ServeArgs, desired: DesiredConfig | null): SessionOptions {
  return {
    loadersDir: a.loadersDir,
    httpPort: a.httpPort,
    tftpPort: a.tftpPort,
    ...relayPoolsFor(a, desired),
    mode: desired?.mode ?? a.mode ?? 'proxy',
    append: desired?.menu.append ?? a.append ?? '',
    timeoutSec: desired?.menu.timeoutSec ?? a.timeoutSec ?? DEFAULT_MENU.timeoutSec,
    interfaceName: desired?.interfaceName ?? a.iface,
    biosMenu: desired?.menu.biosMenu ?? (a.classic ? 'iso' : 'bootdrop'),
  };
}

async function run(args: string[], io: CliIo): Promise<number> {
  let a: ServeArgs;
  try {
    a = parse(args);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`bootdrop serve: ${err.message}`);
      io.err(`Usage: ${USAGE.split('\n')[0]} (see bootdrop serve --help)`);
      return 2;
    }
    throw err;
  }
  const fmtErr = io.errFd === undefined ? (_p: LinePriority, line: string) => line : lineFormatter(io.errFd);
  const fmtOut = io.outFd === undefined ? (_p: LinePriority, line: string) => line : lineFormatter(io.outFd);
  const overrides: CommandLineOverrides = {
    paths: a.paths,
    interfaceName: a.iface,
    mode: a.mode,
    append: a.append,
    timeoutSec: a.timeoutSec,
    defaultEntry: a.defaultEntry,
    classic: a.classic,
  };
  let desired: DesiredConfig | null = null;
  if (a.config !== null) {
    try {
      desired = await ConfiguredServe.read(a.config, overrides);
    } catch (err) {
      io.err(fmtErr('error', `bootdrop serve: ${errorMessage(err)}`));
      io.err(fmtErr('error', `  what to do: ${(err as { remedy?: string }).remedy ?? 'check the --config path'}`));
      return 2; // like a usage error: restarting cannot fix the file (the unit's RestartPreventExitStatus=2)
    }
  }
  const session = new Session(sessionOptions(a, desired), createEngineServices());
  const configured =
    a.config === null || desired === null
      ? null
      : new ConfiguredServe(session, a.config, overrides, (wanted) => resolveDefault(session, wanted));
  // Every stdout line goes through one batch, so lines keep their order.
  const events = new LineBatch(io.out, fmtOut);
  const out = (line: string, priority: LinePriority = 'info') => events.push(line, priority);
  const errLine = (line: string, priority: LinePriority = 'error') => {
    events.flush();
    io.err(fmtErr(priority, line));
  };
  // Reloads wait for the start to finish, and for each other.
  let startedUp!: () => void;
  let reloading: Promise<unknown> = new Promise<void>((resolve) => (startedUp = resolve));
  const onHangup = () => {
    if (!a.json) out(`SIGHUP: reloading ${a.config}`, 'notice');
    reloading = reloading.then(() => configured?.reload());
  };
  // Signals are caught from the start: a SIGTERM while starting still ends in a clean shutdown.
  const stopRequested = new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (!a.json) out(`${sig}: stopping…`, 'notice');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  // A service waits for signals even while nothing is served (no ISOs yet, link down): no socket keeps
  // Node's event loop alive then, so a timer does.
  const keepAlive = configured ? setInterval(() => undefined, 1 << 30) : null;
  if (configured) process.on('SIGHUP', onHangup);
  const narrator = new Narrator(() => session.knownRoles());
  let serving = false;
  session.onEvent((e: EngineEvent) => {
    if (a.json) {
      if (e.type === 'log' && e.entry.level === 'debug' && !a.verbose) return;
      events.push(e, priorityOf(e));
      return;
    }
    // What the config file did (loaded, reloaded, refused) is always worth a line, serving or not.
    if (e.type === 'log' && e.entry.scope === 'config') {
      out(e.entry.message, e.entry.level === 'info' ? 'notice' : e.entry.level);
      return;
    }
    if (e.type === 'state') {
      if (e.state.serving && !serving) for (const line of readyLines(session, e.state)) out(line, 'notice');
      if (!e.state.serving && serving) out('Stopped serving.', 'notice');
      serving = e.state.serving;
    }
    if (!serving) return; // setup chatter before the ready line is in the log (and --json)
    // The narrator prints warnings and errors; --verbose adds the rest of the log.
    if (a.verbose && e.type === 'log' && (e.entry.level === 'info' || e.entry.level === 'debug')) {
      out(
        `${e.entry.level}: ${e.entry.scope}: ${e.entry.client ? `${e.entry.client}: ` : ''}${e.entry.message}`,
        e.entry.level,
      );
    }
    for (const line of narrator.lines(e)) out(line, priorityOf(e));
  });
  const report = (code: string, message: string, remedy: string) => {
    if (a.json) out(JSON.stringify({ type: 'error', error: { code, message, remedy } }), 'error');
    errLine(`bootdrop serve: ${message}`);
    errLine(`  what to do: ${remedy}`);
  };
  const shutdown = async () => {
    process.off('SIGHUP', onHangup);
    if (keepAlive) clearInterval(keepAlive);
    startedUp();
    await reloading;
    await session.dispose();
    events.flush();
  };
  const fail = async (code: string, message: string, remedy: string): Promise<number> => {
    report(code, message, remedy);
    await shutdown();
    return 1;
  };

  try {
    if (configured && desired) {
      await configured.start(desired);
    } else {
      for (const p of a.paths) {
        const s = await session.addSource({ path: p });
        for (const w of s.warnings) errLine(`warning: ${path.basename(s.path)}: ${w}`, 'warn');
      }
      if (a.defaultEntry) {
        const menu = (await session.snapshot()).menu;
        await session.setMenu({ menu: { ...menu, defaultEntryId: resolveDefault(session, a.defaultEntry) } });
      }
    }
  } catch (err) {
    const e = err as { code?: string; message?: string; remedy?: string };
    return fail(
      e.code ?? 'EINVAL',
      e.message ?? String(err),
      e.remedy ?? "check the path: give an ISO image file or a folder with the ISO's files",
    );
  }

  let ui: { url: string; close(): Promise<void> } | null = null;
  if (a.uiPort !== null) {
    try {
      ui = await startWebUi({ api: session, port: a.uiPort, host: '127.0.0.1', uiDir: defaultUiDir() });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { remedy?: string };
      // Only a taken port is fixed by another port; a missing build says how to build it.
      const remedy =
        e.remedy ??
        (e.code === 'EADDRINUSE' || e.code === 'EACCES'
          ? `port ${a.uiPort} is not available: use --ui 0 for any free port`
          : 'see the message above');
      return fail(e.code === 'ENOUI' ? 'ENOUI' : 'EUI', `cannot start the browser UI: ${errorMessage(err)}`, remedy);
    }
    if (a.json) out(JSON.stringify({ type: 'ui', url: ui.url }));
    else out(`Browser UI: ${ui.url} (open it on this machine; the token in the address is the only key)`, 'notice');
  }

  if (a.classic && a.paths.length > 0 && !configured) {
    const problem = await classicProblem(session, a.httpPort);
    if (problem?.code === 'ENOCLASSIC') {
      // With the browser UI open the user can add an ISO that has one; meanwhile Bootdrop's menu is served.
      if (!ui) return fail(problem.code, problem.message, problem.remedy);
      report(problem.code, problem.message, problem.remedy);
    } else if (problem) {
      errLine(`warning: ${problem.message} — ${problem.remedy}`, 'warn');
    }
  }

  const haveSources = session.effectiveSources().length > 0;
  if (configured ? haveSources : a.paths.length > 0) {
    if (!a.iface && !desired?.interfaceName && !a.json) {
      const rec = (await session.snapshot()).interfaces.find((i) => i.recommended);
      if (rec) out(`No --interface given: using ${rec.name} (${rec.address}, ${rec.kind}), the recommended one.`);
    }
    const state = await session.start();
    if (!state.serving) {
      const e = state.error ?? { code: 'EFAIL', message: 'could not start', remedy: 'see the log' };
      // With the browser UI open the user can fix it there (other interface, port...): keep running.
      if (!ui) return fail(e.code, e.message, e.remedy);
      report(e.code, e.message, e.remedy);
    }
  } else if (configured) {
    const line = nothingToServeYet(configured.file, process.pid);
    if (a.json) session.log('warn', 'config', line);
    else out(line, 'warn');
  } else if (!a.json) {
    out('Add ISOs and start serving in the browser UI. Ctrl+C stops.');
  }
  startedUp();

  await stopRequested;
  await ui?.close();
  await shutdown();
  return 0;
}

export const command: CliCommand = {
  name: 'serve',
  summary: 'serve ISOs/folders to PXE clients on the LAN (proxyDHCP or own DHCP + TFTP + HTTP) until Ctrl+C',
  usage: USAGE,
  run,
};
