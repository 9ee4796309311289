/**
 * Which chain can boot each entry on a PC with Secure Boot on. Bootdrop's signed chain is Debian's:
 * shim (Microsoft-signed) → GRUB (Debian-signed) → kernel, and that shim accepts a kernel whose
 * Authenticode signature chains to the CA in its `.vendor_cert` (Debian Secure Boot CA), or to a
 * certificate in the PC's db (Microsoft's UEFI CA, which every Secure Boot PC carries). Anything else —
 * an unsigned kernel, another vendor's kernel, iPXE's sanboot — is refused by shim; the entry says why.
 */
import { promises as fsp } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import * as nodePath from 'node:path';
import type { BootEntry, EntrySecureBoot } from '../../contract';
import type { Vfs } from '../../vfs';
import { errorMessage } from '../../errors';
import { isoOwnChainReason } from '../messages';
import {
  chainsTo,
  commonName,
  grubModules,
  readShimVendorCert,
  readSignature,
  type ReadAt,
  type SignerInfo,
} from './authenticode';

const DEBIAN_CHAIN = 'Debian shim → GRUB';

/** The CA a shim trusts, read once per file. */
const caCache = new Map<string, Promise<X509Certificate | null>>();

function shimCa(shimPath: string): Promise<X509Certificate | null> {
  let p = caCache.get(shimPath);
  if (!p) {
    p = (async () => {
      const fh = await fsp.open(shimPath, 'r').catch(() => null);
      if (!fh) return null;
      try {
        const size = (await fh.stat()).size;
        return await readShimVendorCert(hostReader(fh), size);
      } finally {
        await fh.close();
      }
    })();
    caCache.set(shimPath, p);
  }
  return p;
}

function hostReader(fh: fsp.FileHandle): ReadAt {
  return async (position, length) => {
    const b = Buffer.alloc(length);
    const { bytesRead } = await fh.read(b, 0, length, position);
    return b.subarray(0, bytesRead);
  };
}

const CPU: Record<number, EntrySecureBoot['cpu']> = { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32' };

/** The leaf of a signature's certificates: the one that issued none of the others. */
function signerOf(sig: SignerInfo): X509Certificate | undefined {
  return (
    sig.certificates.find((c) => !sig.certificates.some((o) => o !== c && o.checkIssued(c))) ?? sig.certificates[0]
  );
}

/** The verdict for one signed/unsigned EFI image (kernel or .efi program) and Debian's shim CA. */
function verdictFor(sig: SignerInfo | null, ca: X509Certificate | null, what: string): EntrySecureBoot {
  if (!sig)
    return {
      bootable: false,
      chain: null,
      reason: `the ${what} is not an EFI image (no EFI stub): Secure Boot cannot start it`,
      cpu: null,
    };
  const cpu = CPU[sig.machine ?? 0] ?? null;
  const signer = signerOf(sig);
  if (!signer)
    return {
      bootable: false,
      chain: null,
      reason: `unsigned ${what}: Secure Boot refuses it (bad shim signature)`,
      cpu,
    };
  const by = `${what} signed by ${commonName(signer.subject)} (issued by ${commonName(signer.issuer)})`;
  if (ca && chainsTo(sig, ca)) return { bootable: true, chain: DEBIAN_CHAIN, reason: by, cpu };
  // shim also accepts what the firmware's db accepts: Microsoft's third-party UEFI CA is in every db.
  if (sig.certificates.some((c) => /Microsoft Corporation UEFI CA/.test(commonName(c.issuer))))
    return { bootable: true, chain: DEBIAN_CHAIN, reason: `${by}, trusted by the PC's own db`, cpu };
  return {
    bootable: false,
    chain: null,
    reason: `${by}: Debian's shim does not trust it — it needs its vendor's own shim and GRUB, or Secure Boot off`,
    cpu,
  };
}

function vfsReader(vfs: Vfs, path: string): Promise<{ read: ReadAt; size: number; close(): Promise<void> }> {
  return vfs.open(path).then((f) => ({
    size: f.size,
    read: async (position: number, length: number) => {
      const len = Math.max(0, Math.min(length, f.size - position));
      const b = Buffer.alloc(len);
      const n = len > 0 ? await f.read(b, 0, len, position) : 0;
      return b.subarray(0, n);
    },
    close: () => f.close(),
  }));
}

const NEEDS_IPXE: Partial<Record<BootEntry['kind'], string>> = {
  sanboot: 'boots the whole ISO as a virtual CD through iPXE (sanboot); iPXE is not signed, so Secure Boot refuses it',
  memdisk: 'memdisk runs on BIOS PCs only',
  pxelinux: "the ISO's PXELINUX runs on BIOS PCs only",
};

/** The ISO's own signed chain (EFI/BOOT/BOOTX64.EFI = shim, grubx64.efi next to it), as far as read. */
export interface IsoChain {
  /** CA in the ISO's shim (`.vendor_cert`), e.g. "Canonical Ltd. Master Certificate Authority". */
  shimCa: X509Certificate;
  /** The ISO's GRUB has the tftp and efinet modules built in (a network-capable build). */
  grubNetwork: boolean;
}

const ISO_SHIM = '/EFI/BOOT/BOOTX64.EFI';
const ISO_GRUB = '/EFI/BOOT/grubx64.efi';
const MAX_GRUB = 16 * 1024 * 1024;

/**
 * The ISO's own shim + GRUB, or null. Whether that GRUB can boot from the network is read from its
 * built-in modules (efinet + tftp or http): Debian's CD GRUB (gcdx64) has efinet but no tftp (issue
 * 13 lab), its grubnetx64 has both.
 */
export async function readIsoChain(vfs: Vfs): Promise<IsoChain | null> {
  try {
    const shim = await vfsReader(vfs, ISO_SHIM);
    let ca: X509Certificate | null;
    try {
      ca = await readShimVendorCert(shim.read, shim.size);
    } finally {
      await shim.close();
    }
    if (!ca) return null;
    let grubNetwork = false;
    const grub = await vfsReader(vfs, ISO_GRUB).catch(() => null);
    if (grub) {
      try {
        const mods = grubModules(await grub.read(0, Math.min(grub.size, MAX_GRUB))) ?? [];
        grubNetwork = mods.includes('efinet') && (mods.includes('tftp') || mods.includes('http'));
      } finally {
        await grub.close();
      }
    }
    return { shimCa: ca, grubNetwork };
  } catch {
    return null;
  }
}

async function signatureOf(vfs: Vfs, file: string): Promise<SignerInfo | null> {
  const r = await vfsReader(vfs, file);
  try {
    return await readSignature(r.read, r.size);
  } finally {
    await r.close();
  }
}

/**
 * Add `secureBoot` to every UEFI-capable entry of `entries` (kernels read from `vfs`). Never throws:
 * a kernel that cannot be read gets a verdict saying so. A kernel Debian's shim does not trust but the
 * ISO's own shim does is said so (Bootdrop does not serve the ISO's own chain yet).
 */
export async function addSecureBootVerdicts(vfs: Vfs, entries: BootEntry[], shimPath: string): Promise<void> {
  const ca = await shimCa(shimPath);
  let isoChain: IsoChain | null | undefined;
  const cache = new Map<string, EntrySecureBoot>();
  for (const e of entries) {
    if (e.kind === 'local' || e.kind === 'shell') continue;
    const ipxeOnly = NEEDS_IPXE[e.kind];
    if (ipxeOnly || !e.kernel) {
      e.secureBoot = { bootable: false, chain: null, reason: ipxeOnly ?? 'nothing to verify', cpu: null };
      continue;
    }
    const what = e.kind === 'chain' ? 'EFI program' : 'kernel';
    let v = cache.get(e.kernel);
    if (!v) {
      try {
        v = verdictFor(await signatureOf(vfs, e.kernel), ca, what);
      } catch (err) {
        v = { bootable: false, chain: null, reason: `cannot read ${e.kernel}: ${errorMessage(err)}`, cpu: null };
      }
      if (!ca) v = { ...v, reason: `${v.reason} (shim's CA unknown: ${nodePath.basename(shimPath)} missing)` };
      else if (!v.bootable && v.reason.includes('does not trust it')) {
        isoChain ??= await readIsoChain(vfs);
        const sig = isoChain ? await signatureOf(vfs, e.kernel).catch(() => null) : null;
        if (isoChain && sig && chainsTo(sig, isoChain.shimCa))
          v = {
            ...v,
            reason: isoOwnChainReason(
              v.reason.replace(/: Debian's shim does not trust it.*$/, ''),
              commonName(isoChain.shimCa.subject),
              isoChain.grubNetwork,
            ),
          };
      }
      cache.set(e.kernel, v);
    }
    e.secureBoot = v;
  }
}
