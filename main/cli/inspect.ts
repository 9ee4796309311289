import type { CliCommand } from './index';

export const command: CliCommand = {
  name: 'inspect',
  summary: 'inspect (not built yet)',
  usage: 'bootdrop inspect',
  async run(_args, io) {
    io.err('bootdrop inspect: not built yet');
    return 1;
  },
};
