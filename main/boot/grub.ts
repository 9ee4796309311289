/**
 * GRUB 2 configuration files (grub.cfg and what it sources), best effort: a pure tokenizer/parser
 * (text → statement tree) and an evaluator that tracks `set` variables, follows `source`/`configfile`
 * through a loader callback and collects menuentries with their linux/initrd lines. Conditions are not
 * evaluated: every branch of an `if` is walked (ISOs hide memtest behind `if [ $grub_platform = pc ]`).
 * Entries whose kernel path still holds an unknown variable are skipped.
 */
import type { ConfigLoader } from './syslinux';

/** A word as written: segments keep whether they were quoted (single quotes disable expansion). */
type GrubWord = Array<{ text: string; quote: 'none' | 'single' | 'double' }>;

export type GrubStmt =
  | { type: 'cmd'; words: GrubWord[]; line: number }
  | { type: 'menuentry' | 'submenu'; words: GrubWord[]; body: GrubStmt[]; line: number }
  | { type: 'block'; body: GrubStmt[] } // if/elif/else/for/while bodies, flattened
  | { type: 'function'; name: string };

type Tok = { kind: 'word'; word: GrubWord; line: number } | { kind: 'sep' | 'lbrace' | 'rbrace'; line: number };

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n' || c === ';') {
      toks.push({ kind: 'sep', line });
      if (c === '\n') line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '{' && /[\s;]/.test(text[i + 1] ?? ' ')) {
      toks.push({ kind: 'lbrace', line });
      i++;
      continue;
    }
    if (c === '}' && /[\s;]/.test(text[i + 1] ?? ' ')) {
      toks.push({ kind: 'rbrace', line });
      i++;
      continue;
    }
    const word: GrubWord = [];
    const push = (t: string, quote: 'none' | 'single' | 'double') => {
      const last = word.at(-1);
      if (last && last.quote === quote) last.text += t;
      else word.push({ text: t, quote });
    };
    const startLine = line;
    while (i < n) {
      const ch = text[i]!;
      if (/[\s;]/.test(ch)) break;
      if (ch === "'") {
        const end = text.indexOf("'", i + 1);
        const stop = end < 0 ? n : end;
        push(text.slice(i + 1, stop), 'single');
        line += (text.slice(i + 1, stop).match(/\n/g) ?? []).length;
        i = stop + 1;
      } else if (ch === '"') {
        let j = i + 1;
        let s = '';
        while (j < n && text[j] !== '"') {
          if (text[j] === '\\' && j + 1 < n && '"\\$'.includes(text[j + 1]!)) {
            s += text[j + 1];
            j += 2;
          } else {
            if (text[j] === '\n') line++;
            s += text[j];
            j++;
          }
        }
        if (s === '') push('', 'double');
        else push(s, 'double');
        i = j + 1;
      } else if (ch === '\\' && i + 1 < n) {
        push(text[i + 1]!, 'single');
        i += 2;
      } else {
        push(ch, 'none');
        i++;
      }
    }
    toks.push({ kind: 'word', word, line: startLine });
  }
  return toks;
}

function literal(word: GrubWord): string {
  return word.map((s) => s.text).join('');
}

const BLOCK_OPEN = new Set(['if', 'for', 'while', 'until']);
const BLOCK_CLOSE = new Set(['fi', 'done']);
const BLOCK_MID = new Set(['then', 'else', 'elif', 'do']);

/** Parse GRUB script text into a statement tree. Unbalanced input is parsed as far as it goes. */
export function parseGrubConfig(text: string): GrubStmt[] {
  const toks = tokenize(text);
  let pos = 0;
  /** `then set x=1` on one line: the words after a block keyword are the next command. */
  let carry: { words: GrubWord[]; line: number } | null = null;
  const KEYWORD_WITH_COMMAND = new Set(['then', 'else', 'do']);
  const parseList = (stopAtBrace: boolean, stopWords: Set<string>): { body: GrubStmt[]; stop: string | null } => {
    const body: GrubStmt[] = [];
    while (pos < toks.length || carry) {
      const t = toks[pos] ?? { kind: 'sep' as const, line: 0 };
      if (carry === null && t.kind === 'sep') {
        pos++;
        continue;
      }
      if (carry === null && t.kind === 'rbrace') {
        pos++;
        if (stopAtBrace) return { body, stop: '}' };
        continue;
      }
      if (carry === null && t.kind === 'lbrace') {
        pos++;
        body.push({ type: 'block', body: parseList(true, new Set()).body });
        continue;
      }
      // collect the words of one command
      const words: GrubWord[] = [];
      let line = t.line;
      if (carry) {
        words.push(...carry.words);
        line = carry.line;
        carry = null;
      } else {
        while (pos < toks.length && toks[pos]!.kind === 'word') {
          words.push((toks[pos] as { word: GrubWord }).word);
          pos++;
        }
      }
      const head = literal(words[0]!);
      if (KEYWORD_WITH_COMMAND.has(head) && words.length > 1) carry = { words: words.slice(1), line };
      if (stopWords.has(head)) return { body, stop: head };
      if (BLOCK_MID.has(head)) continue; // stray keyword
      if (head === 'menuentry' || head === 'submenu' || head === 'function') {
        while (pos < toks.length && toks[pos]!.kind === 'sep') pos++;
        if (toks[pos]?.kind !== 'lbrace') {
          body.push({ type: 'cmd', words, line });
          continue;
        }
        pos++;
        const inner = parseList(true, new Set()).body;
        if (head === 'function') body.push({ type: 'function', name: words[1] ? literal(words[1]) : '' });
        else body.push({ type: head, words: words.slice(1), body: inner, line });
        continue;
      }
      if (BLOCK_OPEN.has(head)) {
        // condition words are ignored; walk every branch until fi/done
        const branches: GrubStmt[] = [];
        for (;;) {
          const r = parseList(stopAtBrace, new Set(['then', 'else', 'elif', 'do', 'fi', 'done']));
          branches.push(...r.body);
          if (r.stop === null || r.stop === '}' || BLOCK_CLOSE.has(r.stop)) {
            if (r.stop === '}') pos--; // let the enclosing list see its brace
            break;
          }
        }
        body.push({ type: 'block', body: branches });
        continue;
      }
      body.push({ type: 'cmd', words, line });
    }
    return { body, stop: null };
  };
  return parseList(false, new Set()).body;
}

interface GrubEntry {
  title: string;
  /** Menu path for nested submenus, e.g. ['Advanced options']. */
  submenu: string[];
  kernel: string;
  initrd: string[];
  args: string[];
  isDefault: boolean;
  configFile: string;
}

export interface GrubMenu {
  entries: GrubEntry[];
  files: string[];
  warnings: string[];
}

const LINUX_CMDS = new Set(['linux', 'linuxefi', 'linux16', 'linuxx64']);
const INITRD_CMDS = new Set(['initrd', 'initrdefi', 'initrd16']);
/** menuentry options that take a value (grub-core/commands/menuentry.c). */
const VALUE_OPTS = new Set(['--class', '--users', '--hotkey', '--id', '--source']);

type Env = Map<string, string>;
const UNRESOLVED = '\u0000';

function expand(word: GrubWord, env: Env): string[] {
  let out = '';
  let splittable = false;
  for (const seg of word) {
    if (seg.quote === 'single') {
      out += seg.text;
      continue;
    }
    out += seg.text.replace(
      /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
      (_m, a: string | undefined, b: string | undefined) => {
        const name = (a ?? b)!;
        const v = env.get(name);
        if (seg.quote === 'none') splittable = true;
        return v ?? UNRESOLVED;
      },
    );
  }
  if (!splittable) return [out];
  return out.split(/\s+/).filter((s) => s !== '');
}

/** Strip a GRUB device prefix: `(loop)/casper/vmlinuz` → `/casper/vmlinuz`. */
function stripDevice(p: string): string {
  return p.replace(/^\([^)]*\)/, '');
}

export interface GrubLoadOptions {
  maxDepth?: number;
  maxFiles?: number;
  /** Initial variables (e.g. `root`, `prefix`). */
  vars?: Record<string, string>;
}

/** Collect the menu entries of `rootFile`, following `source`/`configfile` through `load`. */
export async function readGrubMenu(
  rootFile: string,
  load: ConfigLoader,
  opts: GrubLoadOptions = {},
): Promise<GrubMenu> {
  const maxDepth = opts.maxDepth ?? 8;
  const maxFiles = opts.maxFiles ?? 32;
  const menu: GrubMenu = { entries: [], files: [], warnings: [] };
  const env: Env = new Map(Object.entries(opts.vars ?? {}));
  const topLevel: GrubEntry[] = [];
  let loaded = 0;

  const evalEntry = (words: GrubWord[], body: GrubStmt[], submenu: string[], file: string) => {
    const local: Env = new Map(env);
    let title = '';
    for (let i = 0; i < words.length; i++) {
      const w = literal(words[i]!);
      if (VALUE_OPTS.has(w)) i++;
      else if (!w.startsWith('--') && title === '') title = expand(words[i]!, local).join(' ');
    }
    let kernel: string | null = null;
    let args: string[] = [];
    const initrd: string[] = [];
    let unresolved = false;
    const visit = (stmts: GrubStmt[]) => {
      for (const st of stmts) {
        if (st.type === 'block') visit(st.body);
        if (st.type !== 'cmd') continue;
        // openSUSE: `set linux=linuxefi` on EFI, then `$linux /boot/x86_64/loader/linux ...`
        const head = expand(st.words[0]!, local)[0] ?? '';
        const rest = st.words.slice(1).flatMap((w) => expand(w, local));
        if (head === 'set') applySet(st.words.slice(1), local);
        else if (LINUX_CMDS.has(head) && rest.length > 0 && kernel === null) {
          kernel = stripDevice(rest[0]!);
          args = rest.slice(1).filter((a) => !a.includes(UNRESOLVED));
          if (kernel.includes(UNRESOLVED)) unresolved = true;
        } else if (INITRD_CMDS.has(head) && initrd.length === 0) {
          // KIWI: `initrd ($root)/boot/x86_64/loader/initrd` — strip the device before looking for unknowns.
          for (const p of rest.map(stripDevice)) {
            if (p.includes(UNRESOLVED)) unresolved = true;
            initrd.push(p);
          }
        }
      }
    };
    visit(body);
    if (kernel === null) return; // chainloader / fwsetup / exit entries: nothing we can boot
    if (unresolved) {
      menu.warnings.push(`${file}: entry "${title}" uses a variable Bootdrop cannot resolve; skipped`);
      return;
    }
    const entry: GrubEntry = { title, submenu, kernel, initrd, args, isDefault: false, configFile: file };
    menu.entries.push(entry);
    if (submenu.length === 0) topLevel.push(entry);
  };

  const walk = async (stmts: GrubStmt[], submenu: string[], file: string, depth: number): Promise<void> => {
    for (const st of stmts) {
      if (st.type === 'block') await walk(st.body, submenu, file, depth);
      else if (st.type === 'menuentry') evalEntry(st.words, st.body, submenu, file);
      else if (st.type === 'submenu') {
        const title = st.words.map(literal).find((w) => !w.startsWith('--')) ?? '';
        await walk(st.body, [...submenu, title], file, depth);
      } else if (st.type === 'cmd') {
        const head = literal(st.words[0]!);
        if (head === 'set') applySet(st.words.slice(1), env);
        else if ((head === 'source' || head === 'configfile') && st.words[1]) {
          // Fedora's KIWI ISOs: `configfile ($root)/boot/grub2/grub.cfg` after a `search --set=root`.
          const target = stripDevice(expand(st.words[1], env)[0] ?? '');
          if (target.includes(UNRESOLVED)) continue;
          await readFile(normalize(target, file), submenu, depth + 1);
        }
      }
    }
  };

  const readFile = async (file: string, submenu: string[], depth: number): Promise<void> => {
    if (depth > maxDepth) {
      menu.warnings.push(`${file}: sourced deeper than ${maxDepth}, not followed`);
      return;
    }
    if (loaded >= maxFiles || menu.files.some((f) => f.toLowerCase() === file.toLowerCase())) return;
    loaded++;
    const text = await load(file);
    if (text === null) return;
    menu.files.push(file);
    await walk(parseGrubConfig(text), submenu, file, depth);
  };

  await readFile(rootFile, [], 0);
  const def = env.get('default');
  if (def !== undefined && topLevel.length > 0) {
    const byIndex = /^\d+$/.test(def) ? topLevel[Number(def)] : undefined;
    const hit = byIndex ?? topLevel.find((e) => e.title === def) ?? undefined;
    if (hit) hit.isDefault = true;
  } else if (topLevel.length > 0) {
    topLevel[0]!.isDefault = true; // GRUB's default is entry 0
  }
  return menu;
}

function applySet(words: GrubWord[], env: Env): void {
  // `set name=value` arrives as one word (quotes may sit after the '=')
  for (const w of words) {
    const flat = w.map((s) => s.text).join('');
    const eq = flat.indexOf('=');
    if (eq <= 0) continue;
    const name = flat.slice(0, eq);
    if (!/^[A-Za-z0-9_]+$/.test(name)) continue;
    // expand the value part only: rebuild a word without the name
    let skip = eq + 1;
    const valueWord: GrubWord = [];
    for (const seg of w) {
      if (skip >= seg.text.length) {
        skip -= seg.text.length;
        continue;
      }
      valueWord.push({ text: seg.text.slice(skip), quote: seg.quote });
      skip = 0;
    }
    const value = valueWord.length === 0 ? '' : expand(valueWord, env).join(' ');
    if (!value.includes(UNRESOLVED)) env.set(name, value);
  }
}

function normalize(p: string, from: string): string {
  if (p.startsWith('/')) return p;
  const dir = from.slice(0, from.lastIndexOf('/')) || '';
  return `${dir}/${p}`;
}
