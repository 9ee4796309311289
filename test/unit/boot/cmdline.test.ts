import { describe, expect, it } from 'vitest';
import { editCmdline, fillTemplate, splitCmdline, takeInitrdArgs } from '../../../main/boot/cmdline';

describe('kernel command lines', () => {
  it('splits on whitespace, keeping double-quoted values together', () => {
    expect(splitCmdline('  a  b="c d"  e\t')).toEqual(['a', 'b="c d"', 'e']);
  });
  it('drops CD-only args, replaces same-key args and inserts before the --- separator', () => {
    const t = splitCmdline('file=/cdrom/x boot=casper iso-scan/filename=/a.iso quiet --- splash');
    expect(editCmdline(t, { drop: ['iso-scan/filename'], add: ['boot=casper', 'url=http://s/x.iso'] })).toEqual([
      'file=/cdrom/x',
      'quiet',
      'boot=casper',
      'url=http://s/x.iso',
      '---',
      'splash',
    ]);
    expect(
      editCmdline(['root=live:CDLABEL=X', 'rd.live.image'], { drop: ['root'], add: ['root=live:http://s/x.iso'] }),
    ).toEqual(['rd.live.image', 'root=live:http://s/x.iso']);
    expect(editCmdline(['a', '--', 'b'], { add: ['c'] })).toEqual(['a', 'c', '--', 'b']);
  });
  it('takes initrd= (comma-separated) out of APPEND', () => {
    expect(takeInitrdArgs(['initrd=a.img,b.img', 'quiet', 'INITRD=c'])).toEqual({
      initrd: ['a.img', 'b.img', 'c'],
      rest: ['quiet'],
    });
  });
  it('fills known template variables only', () => {
    expect(fillTemplate('a={x} b={y}', { x: '1' })).toBe('a=1 b={y}');
  });
});
