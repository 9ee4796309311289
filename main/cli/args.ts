/** A tiny, strict option parser: unknown options are errors, not silently ignored. */
export interface OptionSpec {
  [name: string]: { type: 'string' | 'boolean' | 'number'; alias?: string; multiple?: boolean };
}

export type ParsedOptions = Record<string, string | number | boolean | string[] | undefined>;

export class UsageError extends Error {}

export function parseArgs(args: string[], spec: OptionSpec): { options: ParsedOptions; positional: string[] } {
  const options: ParsedOptions = {};
  const positional: string[] = [];
  const byAlias = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.alias) byAlias.set(s.alias, name);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    let key = arg.startsWith('--') ? arg.slice(2) : (byAlias.get(arg.slice(1)) ?? arg.slice(1));
    let inline: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) {
      inline = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    const s = spec[key];
    if (!s) throw new UsageError(`unknown option "${arg}"`);
    if (s.type === 'boolean') {
      options[key] = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`option --${key} needs a value`);
    let v: string | number = value;
    if (s.type === 'number') {
      v = Number(value);
      if (!Number.isFinite(v)) throw new UsageError(`option --${key} needs a number, got "${value}"`);
    }
    if (s.multiple) options[key] = [...((options[key] as string[] | undefined) ?? []), String(v)];
    else options[key] = v;
  }
  return { options, positional };
}
