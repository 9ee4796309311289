import { describe, expect, it } from 'vitest';
import { jolietLevel, jolietName, jolietText } from '../../../main/iso/joliet';

const ucs2be = (s: string) => Buffer.from(s, 'utf16le').swap16();

describe('Joliet', () => {
  it('recognises the three UCS-2 escape sequences', () => {
    const esc = (s: string) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(32 - s.length)]);
    expect(jolietLevel(esc('%/@'))).toBe(1);
    expect(jolietLevel(esc('%/C'))).toBe(2);
    expect(jolietLevel(esc('%/E'))).toBe(3);
    expect(jolietLevel(esc(''))).toBe(0);
    expect(jolietLevel(esc('%/F'))).toBe(0);
  });

  it('decodes UCS-2 BE names and drops the version', () => {
    expect(jolietName(ucs2be('Grüße aus Köln.txt;1'))).toBe('Grüße aus Köln.txt');
    expect(jolietName(ucs2be('efi'))).toBe('efi');
    expect(jolietName(ucs2be('a;b'))).toBe('a;b');
  });

  it('decodes surrogate pairs (xorriso -joliet-utf16) and ignores an odd trailing byte', () => {
    expect(jolietName(ucs2be('🙂.txt;1'))).toBe('🙂.txt');
    expect(jolietName(Buffer.concat([ucs2be('ab'), Buffer.from([0x41])]))).toBe('ab');
  });

  it('trims padded labels', () => {
    expect(jolietText(Buffer.concat([ucs2be('My Disk'), Buffer.from('\0 \0 \0 \0 ', 'latin1')]))).toBe('My Disk');
  });
});
