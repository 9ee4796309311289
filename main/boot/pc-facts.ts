/**
 * What a PC's iPXE tells the server about the PC when it fetches its menu: the menu script first
 * chains to itself with these settings in the query string (PC_FACTS_QUERY), and the server builds
 * that PC's menu (fits.ts). Pure: the query template and its parser.
 *
 * RAM: ${memsize} exists only in iPXE builds with MEMMAP_SETTINGS (ipxe.org/buildcfg/memmap_settings);
 * Debian's 2019 build, which Bootdrop ships, leaves it empty on BIOS and EFI alike. So the script also
 * sends raw SMBIOS fields iPXE can read on any build (smbios/<type>.<offset>.<length>, first structure
 * of the type): type 19's first mapped address range and type 17's first memory device. Each is at most
 * the PC's RAM; the larger of the two is what it "reports".
 */
import type { PcInfo } from '../contract';

/** The query iPXE expands and sends (`uristring` percent-encodes spaces and the like; hexraw is hex). */
export const PC_FACTS_QUERY = [
  'pc=1',
  'memsize=${memsize}',
  't19s=${smbios/19.4.4:hexraw}',
  't19e=${smbios/19.8.4:hexraw}',
  't17=${smbios/17.12.2:hexraw}',
  't17x=${smbios/17.28.4:hexraw}',
  'platform=${platform}',
  'arch=${buildarch}',
  'chip=${net0/chip:uristring}',
  'maker=${smbios/manufacturer:uristring}',
  'model=${smbios/product:uristring}',
].join('&');

const KEYS = ['pc', 'memsize', 't19s', 't19e', 't17', 't17x', 'platform', 'arch', 'chip', 'maker', 'model'] as const;
type Key = (typeof KEYS)[number];

/**
 * Split on `&` only where a known key follows: iPXE's uristring leaves `&`, `=` and `+` in a value as
 * they are (a maker "A&B" arrives as `maker=A&B`), so generic form decoding would cut or mangle it.
 */
function fields(query: string): Map<Key, string> {
  const out = new Map<Key, string>();
  const boundary = new RegExp(`&(?=(?:${KEYS.join('|')})=)`);
  for (const part of query.split(boundary)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq) as Key;
    if (!KEYS.includes(key) || out.has(key)) continue;
    let value = part.slice(eq + 1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // a stray '%' in an SMBIOS string: keep it as sent
    }
    out.set(key, value);
  }
  return out;
}

/** Firmware placeholder strings that name no maker or model (AMI, Insyde and Award defaults). */
const PLACEHOLDERS = new RegExp(
  '^(to be filled by o\\.?e\\.?m\\.?|system manufacturer|system product name|default string|not specified|none|' +
    'o\\.?e\\.?m\\.?|x+|0+|n/a)$',
  'i',
);

function text(v: string | undefined, max = 64): string | null {
  if (v === undefined) return null;
  const t = v
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t === '' || PLACEHOLDERS.test(t)) return null;
  return t.length > max ? t.slice(0, max - 3) + '...' : t;
}

/** A little-endian unsigned integer from iPXE's hexraw (two hex digits per byte), or null. */
function hexLe(v: string | undefined, bytes: number): number | null {
  if (v === undefined || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v)) return null;
  let n = 0;
  for (let i = bytes - 1; i >= 0; i--) n = n * 256 + parseInt(v.slice(i * 2, i * 2 + 2), 16);
  return n;
}

/** MiB of RAM from the SMBIOS fields (SMBIOS 3.x, types 17 and 19), or null when none says. */
export function smbiosRamMiB(f: { t19s?: string; t19e?: string; t17?: string; t17x?: string }): number | null {
  const sizes: number[] = [];
  // Type 19: Starting/Ending Address in KiB, the ending one inclusive; 0xFFFFFFFF = in the extended fields.
  const start = hexLe(f.t19s, 4);
  const end = hexLe(f.t19e, 4);
  if (start !== null && end !== null && end !== 0xffffffff && end >= start) sizes.push((end - start + 1) / 1024);
  // Type 17: Size in MiB (bit 15 set: KiB); 0 = empty slot, 0xFFFF = unknown, 0x7FFF = Extended Size (MiB).
  const size = hexLe(f.t17, 2);
  if (size !== null && size !== 0 && size !== 0xffff) {
    if (size === 0x7fff) {
      const ext = hexLe(f.t17x, 4);
      if (ext !== null) sizes.push(ext & 0x7fffffff);
    } else if (size & 0x8000) sizes.push((size & 0x7fff) / 1024);
    else sizes.push(size);
  }
  const best = Math.max(0, ...sizes);
  return best > 0 ? Math.round(best) : null;
}

/**
 * The PC's facts from a menu request's query string, or null when the request is not one (no `pc=1`:
 * the first, generic fetch). Anything missing or malformed is null, never an error: a PC whose iPXE
 * lacks a setting still gets its menu.
 */
export function parsePcFacts(query: string): PcInfo | null {
  const f = fields(query.replace(/^\?/, ''));
  if (f.get('pc') !== '1') return null;
  const memsize = /^\d{1,9}$/.test(f.get('memsize') ?? '') ? Number(f.get('memsize')) : 0;
  const smbios = smbiosRamMiB({
    t19s: f.get('t19s'),
    t19e: f.get('t19e'),
    t17: f.get('t17'),
    t17x: f.get('t17x'),
  });
  const word = (k: Key) => (/^[A-Za-z0-9_-]{1,16}$/.test(f.get(k) ?? '') ? f.get(k)! : null);
  return {
    maker: text(f.get('maker')),
    model: text(f.get('model')),
    ramMiB: memsize > 0 ? memsize : smbios,
    ramSource: memsize > 0 ? 'memsize' : smbios !== null ? 'smbios' : null,
    platform: word('platform'),
    arch: word('arch'),
    nic: text(f.get('chip'), 32),
  };
}

/** iPXE runs on the firmware's own network driver (snponly.efi, or ipxe.efi that found no driver). */
function usesFirmwareDriver(pc: PcInfo): boolean {
  return pc.nic === 'SNP' || pc.nic === 'NII';
}

/** One line for logs and the PC's chain: "iPXE on the firmware's network driver (SNP)". */
export function describeIpxeDriver(pc: PcInfo): string | null {
  if (!pc.nic) return null;
  return usesFirmwareDriver(pc)
    ? `iPXE on the firmware's network driver (${pc.nic})`
    : `iPXE with its own ${pc.nic} driver`;
}
