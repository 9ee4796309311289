import type { CliCommand } from './index';

const todo = (name: string): CliCommand => ({
  name,
  summary: `${name} (not built yet)`,
  usage: `bootdrop ${name}`,
  async run(_args, io) {
    io.err(`bootdrop ${name}: not built yet`);
    return 1;
  },
});
export const lsCommand = todo('ls');
export const catCommand = todo('cat');
