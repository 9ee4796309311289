import { describe, expect, it } from 'vitest';
import { S_IFDIR, S_IFLNK, hasRockRidge, interpretRockRidge } from '../../../main/iso/rockridge';
import { extensionIds, parseSuspArea, suspIndicator } from '../../../main/iso/susp';
import { both32, nm, px, sl, susp } from './bytes';

const entries = (...bufs: Buffer[]) => parseSuspArea(Buffer.concat(bufs)).entries;

describe('SUSP', () => {
  it('splits entries, stops at ST and returns the CE continuation', () => {
    const ce = susp('CE', Buffer.concat([both32(40), both32(100), both32(300)]));
    const { entries: es, next } = parseSuspArea(Buffer.concat([nm('a'), ce, susp('ST', []), nm('ignored')]));
    expect(es.map((e) => e.sig)).toEqual(['NM']);
    expect(next).toEqual({ block: 40, offset: 100, length: 300 });
  });

  it('stops at zero padding and at an entry running past the area', () => {
    expect(parseSuspArea(Buffer.concat([nm('a'), Buffer.alloc(5)])).entries).toHaveLength(1);
    const cut = Buffer.concat([nm('a'), nm('bbbb')]).subarray(0, 10);
    expect(parseSuspArea(cut).entries).toHaveLength(1);
  });

  it('reads SP (with its skip length) and ER identifiers', () => {
    const er = susp('ER', Buffer.concat([Buffer.from([10, 0, 0, 1]), Buffer.from('RRIP_1991A')]));
    const es = entries(susp('SP', [0xbe, 0xef, 0]), er);
    expect(suspIndicator(es)).toEqual({ skip: 0 });
    expect(extensionIds(es)).toEqual(['RRIP_1991A']);
    expect(hasRockRidge(es, extensionIds(es))).toBe(true);
    expect(suspIndicator(entries(susp('SP', [0xbe, 0xee, 0])))).toBeNull();
  });
});

describe('Rock Ridge', () => {
  it('joins continued NM entries and ignores CURRENT/PARENT names', () => {
    const info = interpretRockRidge(entries(nm('a very long name ', 1), nm('split in two.txt'), nm('', 2)));
    expect(info.name).toBe('a very long name split in two.txt');
  });

  it('reads PX modes', () => {
    expect(interpretRockRidge(entries(px(S_IFDIR | 0o755))).mode).toBe(S_IFDIR | 0o755);
  });

  it('builds symlink targets from SL components (root, parent, current, continue)', () => {
    expect(interpretRockRidge(entries(sl([[0, 'vmlinuz']]))).symlink).toBe('vmlinuz');
    expect(
      interpretRockRidge(
        entries(
          sl([
            [8, ''],
            [0, 'etc'],
            [0, 'passwd'],
          ]),
        ),
      ).symlink,
    ).toBe('/etc/passwd');
    expect(
      interpretRockRidge(
        entries(
          sl([
            [4, ''],
            [4, ''],
            [0, 'boot'],
            [2, ''],
            [0, 'x'],
          ]),
        ),
      ).symlink,
    ).toBe('../../boot/./x');
    // A component split across two SL entries (component CONTINUE flag), plus the entry CONTINUE flag.
    expect(
      interpretRockRidge(
        entries(
          sl(
            [
              [0, 'dir'],
              [1, 'long-na'],
            ],
            1,
          ),
          sl([[0, 'me']]),
        ),
      ).symlink,
    ).toBe('dir/long-name');
    expect(interpretRockRidge(entries(sl([[8, '']]))).symlink).toBe('/');
    expect(interpretRockRidge(entries(px(S_IFLNK | 0o777))).symlink).toBeUndefined();
  });

  it('reads CL, RE and the TF modification time (short and long form)', () => {
    const cl = susp('CL', both32(1234));
    expect(interpretRockRidge(entries(cl)).childLink).toBe(1234);
    expect(interpretRockRidge(entries(susp('RE', []))).relocated).toBe(true);
    const short = susp('TF', [0x03, 120, 1, 1, 0, 0, 0, 0, 124, 6, 7, 8, 9, 10, 0]);
    expect(interpretRockRidge(entries(short)).mtime?.toISOString()).toBe('2024-06-07T08:09:10.000Z');
    const long = susp(
      'TF',
      Buffer.concat([Buffer.from([0x82]), Buffer.from('2020020304050600', 'latin1'), Buffer.from([0])]),
    );
    expect(interpretRockRidge(entries(long)).mtime?.toISOString()).toBe('2020-02-03T04:05:06.000Z');
  });

  it('survives truncated entries', () => {
    const info = interpretRockRidge([
      { sig: 'PX', version: 1, data: Buffer.alloc(3) },
      { sig: 'SL', version: 1, data: Buffer.from([0, 0, 50, 0x41]) },
      { sig: 'CL', version: 1, data: Buffer.alloc(2) },
    ]);
    expect(info.mode).toBeUndefined();
    expect(info.symlink).toBe('A');
    expect(info.childLink).toBeUndefined();
  });
});
