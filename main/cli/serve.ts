import type { CliCommand } from './index';

export const command: CliCommand = {
  name: 'serve',
  summary: 'serve (not built yet)',
  usage: 'bootdrop serve',
  async run(_args, io) {
    io.err('bootdrop serve: not built yet');
    return 1;
  },
};
