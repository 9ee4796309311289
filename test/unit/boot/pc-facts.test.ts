import { describe, expect, it } from 'vitest';
import {
  describeIpxeDriver,
  describePc,
  fitOnPc,
  formatRam,
  parsePcFacts,
  PC_FACTS_QUERY,
  smbiosRamMiB,
} from '../../../main/boot';
import type { PcInfo } from '../../../main/contract';

/** A query as the 2019 iPXE sends it (values copied from QEMU -m 256, SeaBIOS + e1000 ROM). */
const QEMU_BIOS =
  'pc=1&memsize=&t19s=00000000&t19e=ffff0300&t17=0001&t17x=&platform=pcbios&arch=i386&chip=82540em' +
  '&maker=QEMU&model=Standard%20PC%20(i440FX%20+%20PIIX,%201996)';

describe('parsePcFacts', () => {
  it('reads what iPXE sent, keeping uristring values intact (+ and , stay as sent)', () => {
    expect(parsePcFacts(QEMU_BIOS)).toEqual({
      maker: 'QEMU',
      model: 'Standard PC (i440FX + PIIX, 1996)',
      ramMiB: 256,
      ramSource: 'smbios',
      platform: 'pcbios',
      arch: 'i386',
      nic: '82540em',
    });
  });

  it('prefers ${memsize} (exact) when the iPXE build has it', () => {
    expect(parsePcFacts('pc=1&memsize=16000&t17=0001&platform=efi&arch=x86_64&chip=SNP')).toMatchObject({
      ramMiB: 16000,
      ramSource: 'memsize',
      platform: 'efi',
      nic: 'SNP',
    });
  });

  it('is not a PC menu request without pc=1, and takes only the first value of a key', () => {
    expect(parsePcFacts('')).toBeNull();
    expect(parsePcFacts('memsize=4096')).toBeNull();
    expect(parsePcFacts('pc=2')).toBeNull();
    expect(parsePcFacts('pc=1&maker=A&maker=B')!.maker).toBe('A');
  });

  it("keeps a '&' or '=' inside a maker or model (uristring leaves them unescaped)", () => {
    const f = parsePcFacts('pc=1&maker=AT&T=Labs&model=X&Y&platform=efi')!;
    expect(f.maker).toBe('AT&T=Labs');
    expect(f.model).toBe('X&Y');
    expect(f.platform).toBe('efi');
  });

  it('turns missing, malformed or placeholder values into null, never an error', () => {
    const f = parsePcFacts(
      'pc=1&memsize=lots&t19s=zz&t19e=ffff&t17=&platform=pc%20bios;shell&arch=&chip=&maker=To%20Be%20Filled%20By%20O.E.M.&model=%ZZ%01x',
    )!;
    expect(f).toEqual({
      maker: null,
      model: '%ZZ%01x', // a broken escape: kept as sent, not decoded
      ramMiB: null,
      ramSource: null,
      platform: null,
      arch: null,
      nic: null,
    });
    // long strings are cut, control bytes become spaces
    expect(parsePcFacts('pc=1&model=A%01%0aB')!.model).toBe('A B');
    expect(parsePcFacts(`pc=1&model=${'M'.repeat(200)}`)!.model).toHaveLength(64);
  });

  it('the query template asks iPXE for every key the parser reads', () => {
    for (const key of [
      'pc=1',
      'memsize=',
      't19s=',
      't19e=',
      't17=',
      't17x=',
      'platform=',
      'arch=',
      'chip=',
      'maker=',
      'model=',
    ])
      expect(PC_FACTS_QUERY).toContain(key);
    // every free-text setting goes through uristring (spaces would split iPXE's command line)
    expect(PC_FACTS_QUERY).toMatch(/manufacturer:uristring/);
    expect(PC_FACTS_QUERY).toMatch(/product:uristring/);
  });
});

describe('smbiosRamMiB', () => {
  it('type 19: the first mapped range, inclusive end, in KiB', () => {
    expect(smbiosRamMiB({ t19s: '00000000', t19e: 'ffff0300' })).toBe(256);
    // QEMU -m 5000: the first range stops below 4 GiB (3 GiB); type 17 says 5000 MiB: the larger wins
    expect(smbiosRamMiB({ t19s: '00000000', t19e: 'ffff2f00', t17: '8813' })).toBe(5000);
    expect(smbiosRamMiB({ t19s: '00000000', t19e: 'ffffffff' })).toBeNull(); // extended fields not read
  });

  it('type 17: MiB, KiB with bit 15, extended size, empty slot and unknown', () => {
    expect(smbiosRamMiB({ t17: '0020' })).toBe(8192);
    expect(smbiosRamMiB({ t17: '0080' })).toBeNull(); // 0x8000: 0 KiB
    expect(smbiosRamMiB({ t17: '0088' })).toBe(2); // 0x8800: 2048 KiB
    expect(smbiosRamMiB({ t17: 'ff7f', t17x: '00800000' })).toBe(32768);
    expect(smbiosRamMiB({ t17: '0000' })).toBeNull();
    expect(smbiosRamMiB({ t17: 'ffff' })).toBeNull();
  });
});

describe('fits this PC', () => {
  const pc = (ramMiB: number | null, ramSource: PcInfo['ramSource'] = 'memsize'): PcInfo => ({
    maker: 'LENOVO',
    model: '20XW',
    ramMiB,
    ramSource,
    platform: 'efi',
    arch: 'x86_64',
    nic: 'SNP',
  });

  it('an entry needing more RAM than the PC has does not fit, and says so in numbers', () => {
    expect(fitOnPc({ minRamMiB: 7000 }, 'Ubuntu 24.04', pc(4096))).toEqual({
      fits: false,
      reason: 'Ubuntu 24.04 needs ~6.8 GiB, this PC has 4 GiB',
    });
    expect(fitOnPc({ minRamMiB: 3072 }, 'Fedora', pc(2048, 'smbios')).reason).toBe(
      'Fedora needs ~3 GiB, this PC reports 2 GiB',
    );
  });

  it('fits when it needs as much or less, needs nothing known, or the PC did not say', () => {
    expect(fitOnPc({ minRamMiB: 4096 }, 'x', pc(4096)).fits).toBe(true);
    expect(fitOnPc({}, 'x', pc(64)).fits).toBe(true);
    expect(fitOnPc({ minRamMiB: 4096 }, 'x', pc(null)).fits).toBe(true);
    expect(fitOnPc({ minRamMiB: 4096 }, 'x', null).fits).toBe(true);
  });

  it('formats RAM the way spec sheets do', () => {
    expect([256, 1000, 1024, 3584, 7 * 1024, 16384, 12 * 1024 + 100].map(formatRam)).toEqual([
      '256 MiB',
      '1000 MiB',
      '1 GiB',
      '3.5 GiB',
      '7 GiB',
      '16 GiB',
      '12 GiB',
    ]);
  });

  it('describes the PC and the network driver iPXE runs on', () => {
    expect(describePc(pc(16384))).toBe('LENOVO 20XW, 16 GiB RAM, UEFI x86_64');
    expect(describePc({ ...pc(null), maker: null, model: null, platform: 'pcbios' })).toBe('Unknown PC, BIOS');
    expect(describeIpxeDriver(pc(1))).toBe("iPXE on the firmware's network driver (SNP)");
    expect(describeIpxeDriver({ ...pc(1), nic: 'rtl8168' })).toBe('iPXE with its own rtl8168 driver');
    expect(describeIpxeDriver({ ...pc(1), nic: null })).toBeNull();
  });
});
