import { describe, expect, it } from 'vitest';
import { readGrubMenu } from '../../../main/boot/grub';
import { readSyslinuxMenu } from '../../../main/boot/syslinux';

/** xorshift32, seeded, so a failure reproduces. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const GRUB_TOKENS = [
  'menuentry',
  'submenu',
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'do',
  'done',
  'function',
  '{',
  '}',
  ';',
  '\n',
  '"',
  "'",
  '\\',
  '$x',
  '${y}',
  'set x=/k',
  'linux',
  'initrd',
  '/casper/vmlinuz',
  'source /a.cfg',
  'configfile /b.cfg',
  '#',
  ' ',
  'quiet',
];
const SYS_TOKENS = [
  'LABEL',
  'KERNEL',
  'LINUX',
  'INITRD',
  'APPEND',
  'initrd=a,b',
  'INCLUDE a.cfg',
  'CONFIG b.cfg',
  'MENU LABEL',
  'MENU DEFAULT',
  'MENU BEGIN',
  'MENU END',
  'TEXT HELP',
  'ENDTEXT',
  'DEFAULT',
  '::/x',
  '../',
  '\n',
  ' ',
  '#',
  'x.c32',
];

function garbage(next: () => number, tokens: string[], n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += tokens[Math.floor(next() * tokens.length)] + (next() < 0.5 ? ' ' : '');
  return s;
}

describe('menu parsers on garbage', () => {
  it('GRUB: never throws, always terminates, stays bounded (seeded)', async () => {
    const next = rng(0xb007);
    for (let i = 0; i < 300; i++) {
      const files: Record<string, string> = {
        '/g.cfg': garbage(next, GRUB_TOKENS, 60),
        '/a.cfg': garbage(next, GRUB_TOKENS, 30),
        '/b.cfg': garbage(next, GRUB_TOKENS, 30),
      };
      const m = await readGrubMenu('/g.cfg', async (p) => files[p] ?? null);
      expect(m.files.length).toBeLessThanOrEqual(3);
      for (const e of m.entries) expect(typeof e.kernel).toBe('string');
    }
  });

  it('SYSLINUX: never throws, always terminates, stays bounded (seeded)', async () => {
    const next = rng(0x5155);
    for (let i = 0; i < 300; i++) {
      const files: Record<string, string> = {
        '/s.cfg': garbage(next, SYS_TOKENS, 60),
        '/a.cfg': garbage(next, SYS_TOKENS, 30),
        '/b.cfg': garbage(next, SYS_TOKENS, 30),
      };
      const m = await readSyslinuxMenu('/s.cfg', async (p) => files[p] ?? null);
      expect(m.files.length).toBeLessThanOrEqual(3);
    }
  });
});
