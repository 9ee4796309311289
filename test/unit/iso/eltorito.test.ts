import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../main/iso/ecma119';
import { bootCatalogBlock, fatVolumeBytes, parseBootCatalog } from '../../../main/iso/eltorito';

function validation(platform = 0): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 1;
  b[1] = platform;
  b.write('BOOTDROP', 4, 'latin1');
  b[30] = 0x55;
  b[31] = 0xaa;
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + b.readUInt16LE(i)) & 0xffff;
  b.writeUInt16LE((0x10000 - sum) & 0xffff, 28);
  return b;
}

function bootEntry(opts: {
  bootable?: boolean;
  media?: number;
  segment?: number;
  count?: number;
  rba: number;
}): Buffer {
  const b = Buffer.alloc(32);
  b[0] = opts.bootable === false ? 0 : 0x88;
  b[1] = opts.media ?? 0;
  b.writeUInt16LE(opts.segment ?? 0, 2);
  b.writeUInt16LE(opts.count ?? 4, 6);
  b.writeUInt32LE(opts.rba, 8);
  return b;
}

function section(last: boolean, platform: number, count: number): Buffer {
  const b = Buffer.alloc(32);
  b[0] = last ? 0x91 : 0x90;
  b[1] = platform;
  b.writeUInt16LE(count, 2);
  return b;
}

describe('El Torito', () => {
  it('finds the catalog block in the boot record descriptor', () => {
    const br = Buffer.alloc(2048);
    br.write('CD001', 1, 'latin1');
    br.write('EL TORITO SPECIFICATION', 7, 'latin1');
    br.writeUInt32LE(33, 0x47);
    expect(bootCatalogBlock(br)).toBe(33);
    br.write('SOMETHING ELSE', 7, 'latin1');
    expect(bootCatalogBlock(br)).toBeNull();
  });

  it('parses the default entry and BIOS/EFI sections', () => {
    const cat = Buffer.concat([
      validation(),
      bootEntry({ rba: 40, count: 4 }),
      section(false, 0, 1),
      bootEntry({ rba: 50, media: 2, segment: 0x1000, bootable: false }),
      section(true, 0xef, 1),
      bootEntry({ rba: 60, count: 5760 }),
      Buffer.alloc(2048 - 6 * 32),
    ]);
    expect(parseBootCatalog(cat)).toEqual([
      { platform: 'bios', bootable: true, emulation: 'none', loadSegment: 0x7c0, sectorCount: 4, loadRba: 40 },
      { platform: 'bios', bootable: false, emulation: '1.44M', loadSegment: 0x1000, sectorCount: 4, loadRba: 50 },
      { platform: 'efi', bootable: true, emulation: 'none', loadSegment: 0x7c0, sectorCount: 5760, loadRba: 60 },
    ]);
  });

  it('keeps other platform ids as numbers and skips extension entries', () => {
    const ext = Buffer.alloc(32);
    ext[0] = 0x44;
    const cat = Buffer.concat([
      validation(),
      bootEntry({ rba: 1 }),
      section(true, 2, 1),
      bootEntry({ rba: 2, media: 4 }),
      ext,
      Buffer.alloc(64),
    ]);
    const es = parseBootCatalog(cat);
    expect(es[1]).toMatchObject({ platform: 2, emulation: 'hdd', loadRba: 2 });
    expect(es).toHaveLength(2);
  });

  it('rejects a bad validation entry', () => {
    const v = validation();
    v.writeUInt8(v.readUInt8(4) ^ 1, 4);
    expect(() => parseBootCatalog(Buffer.concat([v, bootEntry({ rba: 1 })]))).toThrow(/checksum/);
    expect(() => parseBootCatalog(Buffer.alloc(64))).toThrow(FormatError);
  });

  it('bounds a section count that claims more entries than the catalog holds', () => {
    const cat = Buffer.concat([validation(), bootEntry({ rba: 1 }), section(true, 0xef, 60000), bootEntry({ rba: 9 })]);
    expect(parseBootCatalog(cat)).toHaveLength(2);
  });

  it('reads a FAT boot sector volume size', () => {
    const s = Buffer.alloc(512);
    s.writeUInt16LE(512, 11);
    s.writeUInt16LE(5760, 19);
    s[510] = 0x55;
    s[511] = 0xaa;
    expect(fatVolumeBytes(s)).toBe(5760 * 512);
    s.writeUInt16LE(0, 19);
    s.writeUInt32LE(100000, 32);
    expect(fatVolumeBytes(s)).toBe(100000 * 512);
    s[510] = 0;
    expect(fatVolumeBytes(s)).toBeNull();
  });
});
