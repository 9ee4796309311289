/**
 * `bootdrop ls` and `bootdrop cat`: look inside an ISO (or folder) exactly as the servers will see it,
 * through the same Vfs. Handy for checking a download and for writing boot recipes.
 */
import type { Writable } from 'node:stream';
import { openSource } from '../iso';
import type { Vfs, VfsStat } from '../vfs';
import { UsageError, parseArgs } from './args';
import type { CliCommand, CliIo } from './index';
import { errorMessage } from '../errors';

const LS_USAGE = 'bootdrop ls <iso-or-folder> [path] [--json] [-l]';
const CAT_USAGE = 'bootdrop cat <iso-or-folder> <path>';

function modeString(st: VfsStat): string {
  const kind = st.type === 'dir' ? 'd' : st.type === 'symlink' ? 'l' : '-';
  let out = kind;
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (st.mode >> shift) & 7;
    out += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  }
  return out;
}

function longLine(st: VfsStat, sizeWidth: number): string {
  const when = st.mtime ? st.mtime.toISOString().slice(0, 16).replace('T', ' ') : '-'.padEnd(16);
  const name =
    st.type === 'symlink' ? `${st.name} -> ${st.linkTarget ?? ''}` : st.type === 'dir' ? `${st.name}/` : st.name;
  return `${modeString(st)} ${String(st.size).padStart(sizeWidth)} ${when} ${name}`;
}

function jsonStat(st: VfsStat): Record<string, unknown> {
  return { ...st, mtime: st.mtime ? st.mtime.toISOString() : null };
}

function fail(io: CliIo, cmd: string, err: unknown): number {
  if (err instanceof UsageError) {
    io.err(`bootdrop ${cmd}: ${err.message}`);
    io.err(`Usage: ${cmd === 'ls' ? LS_USAGE : CAT_USAGE}`);
    return 2;
  }
  io.err(`bootdrop ${cmd}: ${errorMessage(err)}`);
  return 1;
}

async function withSource<T>(location: string, fn: (vfs: Vfs) => Promise<T>): Promise<T> {
  const { vfs } = await openSource(location);
  try {
    return await fn(vfs);
  } finally {
    await vfs.close();
  }
}

export const lsCommand: CliCommand = {
  name: 'ls',
  summary: 'list a directory inside an ISO or folder (-l: modes, sizes, times, symlink targets; --json)',
  usage: LS_USAGE,
  async run(args, io) {
    try {
      const { options, positional } = parseArgs(args, {
        json: { type: 'boolean' },
        long: { type: 'boolean', alias: 'l' },
      });
      if (positional.length < 1 || positional.length > 2)
        throw new UsageError('expected an ISO or folder and an optional path');
      const [source, path = '/'] = positional as [string, string?];
      return await withSource(source, async (vfs) => {
        const st = await vfs.stat(path);
        // Like ls: a directory lists its entries, anything else lists itself.
        const entries = st.type === 'dir' ? await vfs.readdir(path) : [await vfs.lstat(path)];
        if (options.json) {
          io.out(JSON.stringify({ path: st.path, type: st.type, entries: entries.map(jsonStat) }, null, 2));
        } else if (options.long) {
          const width = Math.max(1, ...entries.map((e) => String(e.size).length));
          for (const e of entries) io.out(longLine(e, width));
        } else {
          for (const e of entries) io.out(e.type === 'dir' ? `${e.name}/` : e.name);
        }
        return 0;
      });
    } catch (err) {
      return fail(io, 'ls', err);
    }
  },
};

/** Copy a file's bytes to `out`, honouring back-pressure; resolves when all is written. */
async function catTo(vfs: Vfs, path: string, out: Writable): Promise<void> {
  const stream = await vfs.createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    out.on('error', reject);
    stream.on('end', resolve);
    stream.pipe(out, { end: false }); // stdout must stay open for the process
  });
}

export const catCommand: CliCommand = {
  name: 'cat',
  summary: 'write a file inside an ISO or folder to stdout (raw bytes)',
  usage: CAT_USAGE,
  async run(args, io) {
    try {
      const { positional } = parseArgs(args, {});
      if (positional.length !== 2) throw new UsageError('expected an ISO or folder and a path inside it');
      const [source, path] = positional as [string, string];
      await withSource(source, (vfs) => catTo(vfs, path, process.stdout));
      return 0;
    } catch (err) {
      return fail(io, 'cat', err);
    }
  },
};
