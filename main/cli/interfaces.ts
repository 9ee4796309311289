/** `bootdrop interfaces`: the IPv4 interfaces Bootdrop could serve on, and the one it recommends. */
import { listInterfaces } from '../net';
import { parseArgs, UsageError } from './args';
import type { CliCommand } from './index';

export const command: CliCommand = {
  name: 'interfaces',
  summary: 'list network interfaces and the recommended one',
  usage: 'bootdrop interfaces [--json]',
  async run(args, io) {
    let json = false;
    try {
      const { options, positional } = parseArgs(args, { json: { type: 'boolean' } });
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
      json = options.json === true;
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      io.err(`bootdrop interfaces: ${err.message}. Usage: ${this.usage}`);
      return 2;
    }
    const list = await listInterfaces();
    if (json) {
      io.out(JSON.stringify(list));
      return 0;
    }
    if (list.length === 0) {
      io.err('No IPv4 interfaces. Connect a network cable (or join a network) and give the interface an address.');
      return 1;
    }
    const rows = list.map((i) => [
      i.recommended ? '*' : ' ',
      i.name,
      `${i.address}/${i.prefix}`,
      i.kind,
      i.up ? 'up' : 'down',
      i.mac,
      i.mtu ? String(i.mtu) : '',
    ]);
    const head = [' ', 'NAME', 'ADDRESS', 'KIND', 'STATE', 'MAC', 'MTU'];
    const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    for (const r of [head, ...rows])
      io.out(
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      );
    const best = list.find((i) => i.recommended);
    io.out('');
    io.out(
      best
        ? `* recommended: ${best.name} (serve with --interface ${best.name})`
        : 'No interface is recommended: none is a connected, addressed, non-loopback link.',
    );
    return 0;
  },
};
