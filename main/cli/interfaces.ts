import type { CliCommand } from './index';

export const command: CliCommand = {
  name: 'interfaces',
  summary: 'interfaces (not built yet)',
  usage: 'bootdrop interfaces',
  async run(_args, io) {
    io.err('bootdrop interfaces: not built yet');
    return 1;
  },
};
