import { mkdtempSync, promises as fsp, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk } from '../../helpers/run';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../../main/iso/ecma119';
import { parseDirectory, readFatFile } from '../../../main/iso/fat';

const dir = mkdtempSync(join(tmpdir(), 'bd-fat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reader = (img: Buffer) => (off: number, len: number) => Promise.resolve(img.subarray(off, off + len));

/** A 1.44 MB FAT12 image made by mtools with a long-named file in a subfolder. */
async function floppy(): Promise<{ img: Buffer; data: Buffer }> {
  const file = join(dir, 'floppy.img');
  const data = Buffer.alloc(40_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  await fsp.writeFile(join(dir, 'payload'), data);
  await runOk('mformat', ['-i', file, '-C', '-f', '1440', '::']);
  await runOk('mmd', ['-i', file, '::/EFI', '::/EFI/BOOT']);
  await runOk('mcopy', ['-i', file, join(dir, 'payload'), '::/EFI/BOOT/bootx64.efi']);
  await runOk('mcopy', ['-i', file, join(dir, 'payload'), '::/EFI/BOOT/A Long File Name.efi']);
  return { img: await fsp.readFile(file), data };
}

describe('FAT reader (El Torito EFI images)', () => {
  it('finds files by 8.3 or long name, case-insensitively; missing paths are null', async () => {
    const { img, data } = await floppy();
    for (const p of ['/EFI/BOOT/BOOTX64.EFI', '/efi/boot/bootx64.efi', '/EFI/BOOT/a long file name.EFI'])
      expect((await readFatFile(reader(img), img.length, p))!.equals(data), p).toBe(true);
    expect(await readFatFile(reader(img), img.length, '/EFI/BOOT/NOPE.EFI')).toBeNull();
    expect(await readFatFile(reader(img), img.length, '/EFI')).toBeNull(); // a folder is not a file
    expect(await readFatFile(reader(img), img.length, '/EFI/BOOT/BOOTX64.EFI/x')).toBeNull();
  });

  it('a cluster chain that loops is a FormatError (no hang)', async () => {
    const { img } = await floppy();
    const entries = parseDirectory(img.subarray(19 * 512, 33 * 512));
    expect(entries.map((e) => e.shortName)).toContain('EFI');
    // FAT12 at sector 1: make the EFI folder's first cluster point to itself
    const c = entries.find((e) => e.shortName === 'EFI')!.cluster;
    const looped = Buffer.from(img);
    const off = 512 + c + (c >> 1);
    const pair = looped.readUInt16LE(off);
    looped.writeUInt16LE(c & 1 ? (pair & 0x000f) | (c << 4) : (pair & 0xf000) | c, off);
    await expect(readFatFile(reader(looped), looped.length, '/EFI/BOOT/BOOTX64.EFI')).rejects.toThrow(FormatError);
  });

  it('garbage and truncated images are FormatErrors, never hangs', async () => {
    await expect(readFatFile(reader(Buffer.alloc(100)), 100, '/x')).rejects.toThrow(/shorter than one sector/);
    await expect(readFatFile(reader(Buffer.alloc(4096, 0xff)), 4096, '/x')).rejects.toThrow(FormatError);
    const { img } = await floppy();
    const cut = img.subarray(0, 20 * 512);
    await expect(readFatFile(reader(cut), cut.length, '/EFI/BOOT/BOOTX64.EFI')).rejects.toThrow(FormatError);
    for (let seed = 1; seed < 200; seed++) {
      const junk = Buffer.from(img);
      for (let i = 0; i < 64; i++) junk[(seed * 7919 * (i + 1)) % 40_000] = (seed * (i + 3)) & 0xff;
      await readFatFile(reader(junk), junk.length, '/EFI/BOOT/BOOTX64.EFI').catch((e: unknown) => {
        expect(e).toBeInstanceOf(FormatError);
      });
    }
  });
});
