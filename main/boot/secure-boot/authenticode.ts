/**
 * Authenticode, read (not verified) from PE images: who signed an EFI binary (a Linux kernel's EFI stub,
 * a GRUB, memtest), and which CA a shim trusts (its `.vendor_cert` section). Pure functions over bytes.
 *
 * PE/COFF: the security directory (data directory 4) gives a file offset + size of WIN_CERTIFICATE
 * records; type 2 holds a PKCS#7 SignedData whose certificates include the signer's. shim (rhboot,
 * shim.c `cert_table`) keeps its built-in vendor certificate in `.vendor_cert`: four little-endian
 * u32s (authorized size, deauthorized size, authorized offset, deauthorized offset) then the data.
 */
import { X509Certificate } from 'node:crypto';

export interface PeLayout {
  /** COFF machine: 0x8664 x64, 0xaa64 arm64, 0x14c ia32. */
  machine: number;
  /** File offset and size of the certificate table (0/0: not signed). */
  security: { offset: number; size: number };
  sections: Array<{ name: string; virtualSize: number; rawOffset: number; rawSize: number }>;
  /** File offset of the COFF string table, where section names longer than 8 bytes ("/37") live. */
  stringTable: number;
}

/** Parse the PE headers from the first bytes of a file (4 KiB is enough for every EFI image here). */
export function parsePe(head: Buffer): PeLayout | null {
  if (head.length < 0x40 || head.toString('latin1', 0, 2) !== 'MZ') return null;
  const pe = head.readUInt32LE(0x3c);
  if (pe + 24 > head.length || head.toString('latin1', pe, pe + 4) !== 'PE\0\0') return null;
  const sectionCount = head.readUInt16LE(pe + 6);
  const stringTable = head.readUInt32LE(pe + 12) + 18 * head.readUInt32LE(pe + 16);
  const optSize = head.readUInt16LE(pe + 20);
  const opt = pe + 24;
  if (opt + optSize > head.length || optSize < 2) return null;
  const magic = head.readUInt16LE(opt);
  // Data directories start at 96 (PE32) or 112 (PE32+); the security directory is entry 4.
  const dirs = magic === 0x20b ? opt + 112 : magic === 0x10b ? opt + 96 : -1;
  if (dirs < 0) return null;
  const dirCount = head.readUInt32LE(dirs - 4);
  const security =
    dirCount > 4 && dirs + 5 * 8 <= opt + optSize
      ? { offset: head.readUInt32LE(dirs + 32), size: head.readUInt32LE(dirs + 36) }
      : { offset: 0, size: 0 };
  const sections: PeLayout['sections'] = [];
  for (let i = 0, s = opt + optSize; i < sectionCount && s + 40 <= head.length; i++, s += 40) {
    sections.push({
      name: head.toString('latin1', s, s + 8).replace(/\0+$/, ''),
      virtualSize: head.readUInt32LE(s + 8),
      rawSize: head.readUInt32LE(s + 16),
      rawOffset: head.readUInt32LE(s + 20),
    });
  }
  return { machine: head.readUInt16LE(pe + 4), security, sections, stringTable };
}

// ---- a minimal DER reader: enough to walk PKCS#7 SignedData to its certificates -------------------

interface Der {
  tag: number;
  /** Whole element (header + content). */
  start: number;
  end: number;
  contentStart: number;
}

function derAt(buf: Buffer, pos: number, limit = buf.length): Der {
  if (pos + 2 > limit) throw new Error('truncated DER');
  const tag = buf[pos]!;
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > limit) throw new Error('truncated DER');
  return { tag, start: pos, end: p + len, contentStart: p };
}

function children(buf: Buffer, d: Der): Der[] {
  const out: Der[] = [];
  for (let p = d.contentStart; p < d.end;) {
    const c = derAt(buf, p, d.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** The DER certificates of a PKCS#7 SignedData (ContentInfo → [0] SignedData → [0] certificates). */
function pkcs7Certificates(der: Buffer): Buffer[] {
  const contentInfo = derAt(der, 0);
  const explicit = children(der, contentInfo).find((c) => c.tag === 0xa0);
  if (!explicit) return [];
  const signedData = children(der, explicit)[0];
  if (!signedData || signedData.tag !== 0x30) return [];
  const certs = children(der, signedData).find((c) => c.tag === 0xa0);
  return certs ? children(der, certs).map((c) => der.subarray(c.start, c.end)) : [];
}

/** PKCS#7 blobs in a WIN_CERTIFICATE table (type 0x0002, 8-byte aligned records). */
function winCertificates(table: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p + 8 <= table.length;) {
    const len = table.readUInt32LE(p);
    const type = table.readUInt16LE(p + 6);
    if (len < 8 || p + len > table.length) break;
    if (type === 0x0002) out.push(table.subarray(p + 8, p + len));
    p += (len + 7) & ~7;
  }
  return out;
}

export interface SignerInfo {
  /** Certificates carried in the signature (signer and any intermediates). */
  certificates: X509Certificate[];
  /** COFF machine of the image. */
  machine?: number;
}

/** Read `length` bytes at `position` of the file being examined. */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

const MAX_TABLE = 256 * 1024;

/**
 * The Authenticode certificates of a PE file, or null when it is not a PE image (a plain bzImage, a
 * memtest .bin) — `{ certificates: [] }` when it is a PE without a signature.
 */
export async function readSignature(read: ReadAt, size: number): Promise<SignerInfo | null> {
  const layout = parsePe(await read(0, Math.min(size, 4096)));
  if (!layout) return null;
  const { offset, size: len } = layout.security;
  const machine = layout.machine;
  if (len === 0 || offset === 0 || offset + len > size || len > MAX_TABLE) return { certificates: [], machine };
  const certificates: X509Certificate[] = [];
  for (const p7 of winCertificates(await read(offset, len))) {
    try {
      for (const c of pkcs7Certificates(p7)) certificates.push(new X509Certificate(c));
    } catch {
      // a damaged signature is no signature: shim refuses it too
    }
  }
  return { certificates, machine };
}

/** shim's built-in vendor certificate (the CA whose signatures it accepts), or null. */
export async function readShimVendorCert(read: ReadAt, size: number): Promise<X509Certificate | null> {
  const layout = parsePe(await read(0, Math.min(size, 4096)));
  if (!layout) return null;
  // shim is linked with long section names: ".vendor_cert" is stored as "/<offset in the string table>".
  const nameOf = async (name: string): Promise<string> => {
    const m = /^\/(\d+)$/.exec(name);
    if (!m) return name;
    const at = layout.stringTable + Number(m[1]);
    if (at >= size) return name;
    const raw = await read(at, Math.min(64, size - at));
    return raw.toString('latin1', 0, raw.indexOf(0) >= 0 ? raw.indexOf(0) : raw.length);
  };
  let sec: PeLayout['sections'][number] | undefined;
  for (const s of layout.sections) if ((await nameOf(s.name)) === '.vendor_cert') sec = s;
  if (!sec || sec.rawOffset + 16 > size) return null;
  const data = await read(sec.rawOffset, Math.min(sec.rawSize, 64 * 1024));
  const authSize = data.readUInt32LE(0);
  const authOffset = data.readUInt32LE(8);
  if (authSize === 0 || authOffset + authSize > data.length) return null;
  try {
    return new X509Certificate(data.subarray(authOffset, authOffset + authSize));
  } catch {
    return null; // an EFI signature list (VENDOR_DB_FILE builds): not what Debian ships
  }
}

/** Common name of a distinguished name as Node prints it ("CN=Debian Secure Boot CA\n..."). */
export function commonName(dn: string): string {
  return /(?:^|\n)CN=([^\n]+)/.exec(dn)?.[1] ?? dn.replace(/\n/g, ', ');
}

/**
 * Does a signature chain up to `ca`? True when one of its certificates is `ca` itself or was issued and
 * signed by it (checked with ca's public key). The image digest is not recomputed here: shim does that
 * on the PC; this answers "which vendor's chain can boot it".
 */
export function chainsTo(sig: SignerInfo, ca: X509Certificate): boolean {
  return sig.certificates.some(
    (c) => c.fingerprint256 === ca.fingerprint256 || (c.checkIssued(ca) && c.verify(ca.publicKey)),
  );
}

const GRUB_MODULE_MAGIC = 0x676d696d; // "mimg", include/grub/kernel.h grub_module_info
const OBJ_TYPE_ELF = 0;

/**
 * Names of the modules built into a GRUB EFI image (its `mods` section: grub_module_info64, then
 * {type, size} headers; each ELF module names itself in a `.modname` section). Null when `image`
 * (the whole file) is not a GRUB image. Tells a network build (tftp, efinet, http) from a CD one.
 */
export function grubModules(image: Buffer): string[] | null {
  const layout = parsePe(image.subarray(0, 4096));
  const sec = layout?.sections.find((s) => s.name === 'mods');
  if (!sec || sec.rawOffset + 24 > image.length) return null;
  const m = image.subarray(sec.rawOffset, sec.rawOffset + sec.rawSize);
  if (m.readUInt32LE(0) !== GRUB_MODULE_MAGIC) return null;
  const start = Number(m.readBigUInt64LE(8));
  const size = Math.min(Number(m.readBigUInt64LE(16)), m.length);
  const out: string[] = [];
  for (let p = start; p + 8 <= size;) {
    const type = m.readUInt32LE(p);
    const len = m.readUInt32LE(p + 4);
    if (len < 8 || p + len > m.length) break;
    if (type === OBJ_TYPE_ELF) {
      const name = elfModName(m.subarray(p + 8, p + len));
      if (name) out.push(name);
    }
    p += len;
  }
  return out;
}

function elfModName(e: Buffer): string | null {
  if (e.length < 64 || e.readUInt32BE(0) !== 0x7f454c46 || e[4] !== 2) return null; // ELF64 only
  const shoff = Number(e.readBigUInt64LE(0x28));
  const shnum = e.readUInt16LE(0x3c);
  const shstrndx = e.readUInt16LE(0x3e);
  const sh = (k: number) => {
    const o = shoff + 64 * k;
    if (o + 64 > e.length) return null;
    return { name: e.readUInt32LE(o), offset: Number(e.readBigUInt64LE(o + 0x18)) };
  };
  const strtab = sh(shstrndx);
  if (!strtab) return null;
  const cstr = (at: number) => {
    const end = e.indexOf(0, at);
    return at < e.length && end > at ? e.toString('latin1', at, end) : '';
  };
  for (let k = 0; k < shnum; k++) {
    const s = sh(k);
    if (s && cstr(strtab.offset + s.name) === '.modname') return cstr(s.offset) || null;
  }
  return null;
}
