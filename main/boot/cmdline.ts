/**
 * Kernel command lines as token lists: split (respecting the kernel's double quotes), drop CD-only
 * arguments, insert network arguments before the `--`/`---` separator (everything after it is passed to
 * the installed system by casper/debian-installer, so boot arguments must stay in front of it).
 */

/** The server address (`ip:port`) inside command-line templates, filled in at serve time. */
export const SERVER_TOKEN = '<server>';

/** Split like the kernel does: whitespace separates, double quotes group (and are kept). */
export function splitCmdline(cmdline: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  let has = false;
  for (const ch of cmdline) {
    if (ch === '"') {
      inQuote = !inQuote;
      cur += ch;
      has = true;
    } else if (!inQuote && /\s/.test(ch)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** `key=value` → `key`; a flag → itself. */
function argKey(token: string): string {
  const eq = token.indexOf('=');
  return eq < 0 ? token : token.slice(0, eq);
}

const SEPARATORS = new Set(['--', '---']);

export interface CmdlineEdit {
  /** Argument keys to remove (exact key match, e.g. 'archisolabel'), or `key=prefix*` value matches. */
  drop?: readonly string[];
  /** Arguments to add in front of the separator; an existing argument with the same key is replaced. */
  add?: readonly string[];
}

function matchesDrop(token: string, rule: string): boolean {
  if (rule.endsWith('*')) return token.startsWith(rule.slice(0, -1));
  return argKey(token) === rule;
}

/** Apply an edit to a command line; returns the new tokens. Pure. */
export function editCmdline(tokens: readonly string[], edit: CmdlineEdit): string[] {
  const add = edit.add ?? [];
  const addKeys = new Set(add.map(argKey));
  const sep = tokens.findIndex((t) => SEPARATORS.has(t));
  const head = sep < 0 ? [...tokens] : tokens.slice(0, sep);
  const tail = sep < 0 ? [] : tokens.slice(sep);
  const kept = head.filter((t) => !addKeys.has(argKey(t)) && !(edit.drop ?? []).some((rule) => matchesDrop(t, rule)));
  return [...kept, ...add, ...tail];
}

/** Extract `initrd=a,b` arguments (syslinux APPEND style) from a token list. */
export function takeInitrdArgs(tokens: readonly string[]): { initrd: string[]; rest: string[] } {
  const initrd: string[] = [];
  const rest: string[] = [];
  for (const t of tokens) {
    if (argKey(t).toLowerCase() === 'initrd')
      initrd.push(
        ...t
          .slice(7)
          .split(',')
          .filter((s) => s !== ''),
      );
    else rest.push(t);
  }
  return { initrd, rest };
}

/** Fill template placeholders `{name}`; unknown names are left as they are. */
export function fillTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (m, name: string) => vars[name] ?? m);
}
