/**
 * `bootdrop` — the headless CLI. Each command lives in its own module and is loaded on demand, so
 * `bootdrop --help` stays instant.
 */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** The file descriptors behind out and err, when they are the process's own (journal priorities). */
  outFd?: number;
  errFd?: number;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

type Loader = () => Promise<CliCommand>;

const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  serve: {
    summary: 'serve ISOs to PXE clients (proxyDHCP + TFTP + HTTP)',
    load: async () => (await import('./serve')).command,
  },
  export: {
    summary: 'write dnsmasq + nginx configs that serve the same menu without Bootdrop',
    load: async () => (await import('./export')).command,
  },
  'install-service': {
    summary: 'run "bootdrop serve --config <file>" as a systemd service (--uninstall removes it)',
    load: async () => (await import('./install-service')).installCommand,
  },
  'uninstall-service': {
    summary: 'remove the systemd unit install-service wrote',
    load: async () => (await import('./install-service')).uninstallCommand,
  },
  inspect: {
    summary: 'show what Bootdrop sees in an ISO or folder',
    load: async () => (await import('./inspect')).command,
  },
  ls: { summary: 'list a directory inside an ISO', load: async () => (await import('./files')).lsCommand },
  cat: { summary: 'print a file inside an ISO', load: async () => (await import('./files')).catCommand },
  interfaces: {
    summary: 'list network interfaces and the recommended one',
    load: async () => (await import('./interfaces')).command,
  },
};

function help(io: CliIo): void {
  io.out('Usage: bootdrop <command> [options]');
  io.out('');
  io.out('Network-boot a nearby PC from an ISO (PXE, BIOS and UEFI).');
  io.out('');
  io.out('Commands:');
  for (const [name, c] of Object.entries(COMMANDS)) io.out(`  ${name.padEnd(17)} ${c.summary}`);
  io.out('');
  io.out('Run "bootdrop <command> --help" for a command\'s options.');
}

export const stdio: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  outFd: 1,
  errFd: 2,
};

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(require('../../../package.json').version as string);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.err(`bootdrop: unknown command "${name}". Run "bootdrop --help" for the list.`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: ${cmd.usage}`);
    io.out('');
    io.out(cmd.summary);
    return 0;
  }
  return cmd.run(rest, io);
}
