/** Bench results: one row per figure, Bootdrop beside the classic tool, rendered as a Markdown table. */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { fmt, median } from './stats';

export interface Row {
  figure: string;
  unit: string;
  /** Per-run values, in run order. */
  bootdrop: number[];
  classic: number[];
  /** The classic tool compared with ('—' when there is none). */
  classicName: string;
  /** Goal as written in the issue, and whether the medians meet it (null: not judged). */
  goal: string;
  met: boolean | null;
  note?: string;
  /** False when the second column is not a contender (e.g. p50 beside a p99): no ratio. */
  compare?: boolean;
}

function ratio(r: Row): number {
  return r.classic.length ? median(r.bootdrop) / median(r.classic) : NaN;
}

function cell(xs: number[], unit: string): string {
  if (!xs.length) return '—';
  const digits = unit === 'ms' && median(xs) < 100 ? 1 : unit === 'MB/s' || unit === 'req/s' || unit === 'ms' ? 0 : 1;
  return `${fmt(median(xs), digits)} ${unit}`;
}

export function table(rows: Row[]): string {
  const out = [
    '| figure | Bootdrop (median) | classic (median) | ratio B/C | goal | met | runs (B / C) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const runs = `${r.bootdrop.map((x) => fmt(x, 0)).join(', ')}${r.classic.length ? ` / ${r.classic.map((x) => fmt(x, 0)).join(', ')}` : ''}`;
    const classic = r.classic.length ? `${cell(r.classic, r.unit)} (${r.classicName})` : r.classicName;
    const met = r.met === null ? '—' : r.met ? 'yes' : '**no**';
    out.push(
      `| ${r.figure}${r.note ? ` <br><sub>${r.note}</sub>` : ''} | ${cell(r.bootdrop, r.unit)} | ${classic} | ${r.classic.length && r.compare !== false ? fmt(ratio(r), 2) + '×' : '—'} | ${r.goal} | ${met} | ${runs} |`,
    );
  }
  return out.join('\n');
}

function version(cmd: string, args: string[], pattern: RegExp): string {
  // nginx -v and dnsmasq print to stderr; look at both.
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return 'missing';
  return pattern.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '?';
}

export function machineInfo(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const lines = [
    `- date: ${new Date().toISOString()}`,
    `- CPU: ${cpus[0]?.model ?? '?'} × ${cpus.length}; RAM ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; kernel ${os.release()}`,
    `- load average at the end of the run: ${load} (the machine is shared: numbers are noisy)`,
    `- Node ${process.version}; nginx ${version('nginx', ['-v'], /nginx\/(\S+)/)}; tftpd-hpa ${version('dpkg-query', ['-W', '-f=${Version}', 'tftpd-hpa'], /(\S+)/)}; ` +
      `dnsmasq ${version('dnsmasq', ['--version'], /version (\S+)/)}; xorriso ${version('xorriso', ['-version'], /xorriso (\d\S*)/)}; curl ${version('curl', ['--version'], /curl (\S+)/)}`,
  ];
  return lines.join('\n');
}
