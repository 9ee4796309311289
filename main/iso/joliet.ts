/**
 * Joliet: a supplementary volume descriptor whose escape sequences say "names are UCS-2 big-endian".
 * Pure codecs; the directory records themselves are ordinary ECMA-119 records.
 */

/** Joliet level (1–3) from an SVD's 32-byte escape sequence field, or 0 when it is not Joliet. */
export function jolietLevel(escapes: Buffer): 0 | 1 | 2 | 3 {
  // The three sequences are '%/@', '%/C' and '%/E' (ESC sequences of ISO 2022, UCS-2 levels 1–3).
  for (let i = 0; i + 3 <= escapes.length; i++) {
    if (escapes[i] !== 0x25 || escapes[i + 1] !== 0x2f) continue;
    const c = escapes[i + 2];
    if (c === 0x40) return 1;
    if (c === 0x43) return 2;
    if (c === 0x45) return 3;
  }
  return 0;
}

/**
 * A Joliet file identifier (UCS-2 BE; xorriso may write UTF-16 surrogate pairs) → name, dropping the
 * ';1' version. An odd trailing byte (seen in some broken writers) is ignored.
 */
export function jolietName(raw: Buffer): string {
  const even = raw.length & ~1;
  const swapped = Buffer.allocUnsafe(even);
  for (let i = 0; i < even; i += 2) {
    swapped[i] = raw[i + 1]!;
    swapped[i + 1] = raw[i]!;
  }
  let name = swapped.toString('utf16le');
  const semi = name.lastIndexOf(';');
  if (semi >= 0 && /^;\d+$/.test(name.slice(semi))) name = name.slice(0, semi);
  return name;
}

/** Decode a Joliet volume label (32 bytes UCS-2 BE, space/NUL padded). */
export function jolietText(raw: Buffer): string {
  return jolietName(raw).replace(/[\s\0]+$/, '');
}
