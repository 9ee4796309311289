import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderSource } from '../../../main/vfs';
import { readIsoChain } from '../../../main/boot/secure-boot/verdict';
import {
  chainsTo,
  commonName,
  grubModules,
  parsePe,
  readShimVendorCert,
  readSignature,
} from '../../../main/boot/secure-boot/authenticode';

const LOADERS = path.resolve(__dirname, '../../../assets/loaders');

function reader(file: string) {
  const b = readFileSync(file);
  return { read: async (p: number, l: number) => b.subarray(p, p + l), size: b.length };
}

function debianKernel(): string {
  const k = readdirSync('/boot')
    .filter((f) => f.startsWith('vmlinuz-'))
    .sort()
    .at(-1);
  if (!k) throw new Error('no /boot/vmlinuz-*: install "linux-image-amd64" (scripts/install-deps.sh)');
  return `/boot/${k}`;
}

// Real binaries: Debian's shim (Microsoft-signed, Debian CA inside), Debian's GRUB and kernel (signed
// by Debian's signer certificates), Debian's iPXE (unsigned).
describe('Authenticode reading on real Debian binaries', () => {
  it("finds Debian's Secure Boot CA in shim's .vendor_cert", async () => {
    for (const shim of ['shimx64.efi', 'shimaa64.efi']) {
      const r = reader(path.join(LOADERS, shim));
      const ca = await readShimVendorCert(r.read, r.size);
      expect(ca, shim).not.toBeNull();
      expect(commonName(ca!.subject)).toBe('Debian Secure Boot CA');
    }
  });

  it("a Debian kernel and Debian's GRUB chain to shim's CA; iPXE is a PE without a signature", async () => {
    const s = reader(path.join(LOADERS, 'shimx64.efi'));
    const ca = (await readShimVendorCert(s.read, s.size))!;
    for (const f of [debianKernel(), path.join(LOADERS, 'grubx64.efi'), path.join(LOADERS, 'grubaa64.efi')]) {
      const r = reader(f);
      const sig = await readSignature(r.read, r.size);
      expect(sig?.certificates.length, f).toBeGreaterThan(0);
      expect(chainsTo(sig!, ca), f).toBe(true);
    }
    const ipxe = reader(path.join(LOADERS, 'ipxe.efi'));
    expect(await readSignature(ipxe.read, ipxe.size)).toEqual({ certificates: [], machine: 0x8664 });
    // shim itself is signed by Microsoft, not by the CA it carries
    const shimSig = await readSignature(s.read, s.size);
    expect(shimSig!.certificates.some((c) => /Microsoft/.test(c.subject))).toBe(true);
    expect(chainsTo(shimSig!, ca)).toBe(false);
  });

  it('a kernel whose signature was removed (osslsigncode) reads as unsigned', async () => {
    if (!existsSync('/usr/bin/osslsigncode'))
      throw new Error('osslsigncode is missing: install "osslsigncode" (scripts/install-deps.sh)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bd-sig-'));
    try {
      const out = path.join(dir, 'vmlinuz');
      execFileSync('osslsigncode', ['remove-signature', '-in', debianKernel(), '-out', out], { stdio: 'ignore' });
      const r = reader(out);
      expect(await readSignature(r.read, r.size)).toEqual({ certificates: [], machine: 0x8664 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not a PE: null, never a throw', async () => {
    expect(parsePe(Buffer.from('not a pe at all'))).toBeNull();
    const junk = Buffer.alloc(4096, 0);
    junk.write('MZ', 0);
    junk.writeUInt32LE(4000, 0x3c);
    expect(parsePe(junk)).toBeNull();
    expect(await readSignature(async () => Buffer.from('\x7fELF....'), 8)).toBeNull();
  });
});

describe("GRUB's built-in modules: a network build or a CD one", () => {
  const SIGNED = '/usr/lib/grub/x86_64-efi-signed';
  it('grubnetx64 has efinet and tftp; the CD GRUB (gcdx64) has efinet but no tftp; neither has http', () => {
    const net = grubModules(readFileSync(path.join(LOADERS, 'grubx64.efi')))!;
    expect(net).toEqual(expect.arrayContaining(['efinet', 'tftp', 'linux', 'chain', 'echo', 'sleep', 'cat']));
    expect(net).not.toContain('http');
    const cd = grubModules(readFileSync(path.join(SIGNED, 'gcdx64.efi.signed')))!;
    expect(cd).toContain('efinet');
    expect(cd).not.toContain('tftp');
    expect(grubModules(readFileSync(path.join(LOADERS, 'grubaa64.efi')))).toEqual(expect.arrayContaining(['tftp']));
    expect(grubModules(readFileSync(path.join(LOADERS, 'ipxe.efi')))).toBeNull();
  });

  it("an ISO's own shim + GRUB: its CA, and whether that GRUB can boot from the network", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bd-isochain-'));
    try {
      execFileSync('mkdir', ['-p', path.join(dir, 'EFI/BOOT')]);
      execFileSync('cp', [path.join(LOADERS, 'shimx64.efi'), path.join(dir, 'EFI/BOOT/BOOTX64.EFI')]);
      execFileSync('cp', [path.join(SIGNED, 'gcdx64.efi.signed'), path.join(dir, 'EFI/BOOT/grubx64.efi')]);
      const cd = await FolderSource.open(dir);
      const chain = await readIsoChain(cd);
      await cd.close();
      expect(commonName(chain!.shimCa.subject)).toBe('Debian Secure Boot CA');
      expect(chain!.grubNetwork).toBe(false);
      execFileSync('cp', [path.join(LOADERS, 'grubx64.efi'), path.join(dir, 'EFI/BOOT/grubx64.efi')]);
      const net = await FolderSource.open(dir);
      expect((await readIsoChain(net))!.grubNetwork).toBe(true);
      await net.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
