import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIso, link, makeTree, removeTempDirs, tempDir } from '../helpers/mkiso';

// The test-ISO helper other suites build on: checked against xorriso's own view of the result.
describe('mkiso helper', () => {
  afterAll(removeTempDirs);

  for (const tool of ['xorriso', 'genisoimage'] as const) {
    it(`builds a BIOS+EFI bootable image with ${tool}`, async () => {
      const src = await tempDir('src');
      await makeTree(src, { 'README.TXT': 'hi', boot: { vmlinuz: Buffer.alloc(5000, 1), latest: link('vmlinuz') } });
      const iso = join(await tempDir('iso'), 'a.iso');
      await buildIso(src, iso, { tool, bios: true, efi: true, volid: 'MKISO' });
      expect(statSync(iso).size).toBeGreaterThan(100_000);
      const report = execFileSync(
        'xorriso',
        ['-indev', iso, '-report_el_torito', 'plain', '-find', '/', '-exec', 'lsdl'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      expect(report).toMatch(/El Torito boot img :\s+1\s+BIOS/);
      expect(report).toMatch(/El Torito boot img :\s+2\s+UEFI/);
      expect(report).toContain("'/boot/latest' -> 'vmlinuz'");
      expect(report).toContain("'/isolinux/ldlinux.c32'");
    });
  }
});
