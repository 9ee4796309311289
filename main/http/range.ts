/**
 * `Range` request header parser (RFC 9110 §14). Pure. Only single byte ranges are served as 206;
 * a multi-range request is answered with the whole file (200) — RFC 9110 lets a server ignore Range,
 * and no boot client sends multi-ranges (iPXE, GRUB, casper/dracut fetchers ask for one range or none).
 */

export type RangeResult =
  /** No usable Range header (absent, other unit, bad syntax, multi-range): send the whole file. */
  | { kind: 'full' }
  /** One satisfiable range; `end` inclusive, already clamped to the file. */
  | { kind: 'partial'; start: number; end: number }
  /** Well-formed but no byte of it lies inside the file: 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

function num(s: string): number | null {
  if (s.length > 15) return null; // stays within Number.MAX_SAFE_INTEGER
  return Number(s);
}

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'full' };
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'full' };
  const specs = header
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length === 0) return { kind: 'full' };
  if (specs.length > 1) return { kind: 'full' };
  const m = SPEC.exec(specs[0]!);
  if (!m) return { kind: 'full' };
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return { kind: 'full' };
  if (a === '') {
    // Suffix range: the last n bytes.
    const n = num(b);
    if (n === null) return { kind: 'full' };
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = num(a);
  const last = b === '' ? Infinity : num(b);
  if (start === null || last === null) return { kind: 'full' };
  if (last < start) return { kind: 'full' }; // invalid spec: ignore the header
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}
