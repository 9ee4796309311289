import { describe, expect, it } from 'vitest';
import {
  FLAG,
  FormatError,
  decimalTime,
  descriptorId,
  directoryRecords,
  isDotRecord,
  parseDirRecord,
  parseVolumeDescriptor,
  plainName,
  recordingTime,
} from '../../../main/iso/ecma119';
import { dirRecord, directory, volumeDescriptor } from './bytes';

describe('ECMA-119 volume descriptors', () => {
  it('parses a primary volume descriptor', () => {
    const vd = parseVolumeDescriptor(
      volumeDescriptor({ volid: 'UBUNTU 24.04', blocks: 1234, rootExtent: 30, rootSize: 4096 }),
    );
    expect(vd.type).toBe(1);
    expect(vd.volumeId).toBe('UBUNTU 24.04');
    expect(vd.volumeSpaceSize).toBe(1234);
    expect(vd.logicalBlockSize).toBe(2048);
    expect(vd.root.extent).toBe(30);
    expect(vd.root.dataLength).toBe(4096);
    expect(vd.created?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
  });

  it('refuses a sector without CD001, a bad block size and a root that is not a directory', () => {
    const notIso = Buffer.alloc(2048);
    expect(() => parseVolumeDescriptor(notIso)).toThrow(FormatError);
    expect(() => parseVolumeDescriptor(volumeDescriptor({ blockSize: 3000 }))).toThrow(/logical block size 3000/);
    const vd = volumeDescriptor();
    vd[156 + 25] = 0;
    expect(() => parseVolumeDescriptor(vd)).toThrow(/not a directory/);
  });

  it('identifies ISO and UDF recognition sequence sectors', () => {
    const bea = Buffer.alloc(2048);
    bea.write('BEA01', 1, 'latin1');
    expect(descriptorId(bea)).toEqual({ id: 'BEA01', type: 0 });
    expect(descriptorId(volumeDescriptor({ type: 2 }))).toEqual({ id: 'CD001', type: 2 });
    expect(descriptorId(Buffer.alloc(2048))).toBeNull();
  });
});

describe('ECMA-119 dates', () => {
  it('applies the GMT offset of a recording time', () => {
    // 2024-01-02 03:04:05 at GMT+1 (4 × 15 min) is 02:04:05 UTC.
    expect(recordingTime(Buffer.from([124, 1, 2, 3, 4, 5, 4]), 0)?.toISOString()).toBe('2024-01-02T02:04:05.000Z');
    expect(recordingTime(Buffer.from([0, 0, 0, 0, 0, 0, 0]), 0)).toBeNull();
  });

  it('reads 17-byte decimal times and treats zeros as unset', () => {
    const b = Buffer.concat([Buffer.from('2023123123595950', 'latin1'), Buffer.from([0xfc])]); // GMT-1
    expect(decimalTime(b, 0)?.toISOString()).toBe('2024-01-01T00:59:59.500Z');
    expect(decimalTime(Buffer.concat([Buffer.from('0'.repeat(16)), Buffer.from([0])]), 0)).toBeNull();
  });
});

describe('ECMA-119 directory records', () => {
  it('parses fields, name and system use area', () => {
    const su = Buffer.from('NM\x05\x01\x00', 'latin1');
    const rec = parseDirRecord(
      dirRecord({ extent: 77, size: 5000, flags: FLAG.HIDDEN, name: 'README.TXT;1', systemUse: su }),
      0,
    );
    expect(rec.extent).toBe(77);
    expect(rec.dataLength).toBe(5000);
    expect(rec.flags).toBe(FLAG.HIDDEN);
    expect(rec.name.toString()).toBe('README.TXT;1');
    expect(rec.systemUse.subarray(0, 5)).toEqual(su);
  });

  it('rejects short records, bad name lengths and records past the buffer', () => {
    const rec = dirRecord({ name: 'A' });
    expect(() => parseDirRecord(Buffer.concat([Buffer.from([20]), rec.subarray(1)]), 0)).toThrow(/minimum is 34/);
    const badName = Buffer.from(rec);
    badName[32] = 200;
    expect(() => parseDirRecord(badName, 0)).toThrow(/bad name length/);
    expect(() => parseDirRecord(rec.subarray(0, 20), 0)).toThrow(/past the end/);
  });

  it('walks records, skipping zero padding to the next sector', () => {
    const names = Array.from({ length: 80 }, (_, i) => `FILE${String(i).padStart(4, '0')}.BIN;1`);
    const data = directory([
      dirRecord({ name: Buffer.from([0]), flags: 2 }),
      dirRecord({ name: Buffer.from([1]), flags: 2 }),
      ...names.map((n) => dirRecord({ name: n })),
    ]);
    expect(data.length).toBeGreaterThan(2048);
    const got = [...directoryRecords(data)].filter((r) => !isDotRecord(r.name)).map((r) => plainName(r.name));
    expect(got).toEqual(names.map((n) => n.slice(0, -2)));
  });

  it('treats a record crossing a sector boundary as damage', () => {
    const data = Buffer.alloc(4096);
    let pos = 0;
    // Eight 254-byte records fill the sector to byte 2032; a 40-byte record there would cross 2048.
    for (let i = 0; i < 8; i++) {
      dirRecord({ name: 'N'.repeat(210) + String(i), systemUse: Buffer.alloc(10) }).copy(data, pos);
      pos += data[pos]!;
    }
    expect(pos).toBe(2032);
    dirRecord({ name: 'CROSSING.TXT;1' }).copy(data, pos, 0, 16);
    expect(() => [...directoryRecords(data)]).toThrow(/byte 2032 .* runs past the end of its sector/);
  });

  it('always terminates on a zero-length record mid-sector', () => {
    const data = Buffer.alloc(2048 * 3);
    dirRecord({ name: 'A;1' }).copy(data, 100);
    data[0] = 0; // zero at the start: the rest of sector 0 is skipped, records at 100 are never seen
    expect([...directoryRecords(data)]).toEqual([]);
  });
});

describe('plain ISO 9660 names', () => {
  it('drops the version and the trailing dot', () => {
    expect(plainName(Buffer.from('ISOLINUX.BIN;1'))).toBe('ISOLINUX.BIN');
    expect(plainName(Buffer.from('VMLINUZ.;1'))).toBe('VMLINUZ');
    expect(plainName(Buffer.from('BOOT'))).toBe('BOOT');
  });
});
