/**
 * System Use Sharing Protocol (IEEE P1281): the tagged entries stored after a directory record's name,
 * which Rock Ridge builds on. Pure: continuation areas (CE) are returned for the reader to fetch.
 */

export interface SuspEntry {
  /** Two-letter signature: 'SP', 'CE', 'ER', 'NM', 'PX', ... */
  sig: string;
  version: number;
  data: Buffer;
}

/** Where the entries continue (CE): logical block, byte offset in it, length. */
export interface ContinuationArea {
  block: number;
  offset: number;
  length: number;
}

/**
 * Entries of one system use area (or continuation area). Stops at ST, at padding (a length below 4, as
 * some writers zero-fill the tail) and at an entry that would run past the area, keeping what it has.
 */
export function parseSuspArea(area: Buffer): { entries: SuspEntry[]; next: ContinuationArea | null } {
  const entries: SuspEntry[] = [];
  let next: ContinuationArea | null = null;
  let pos = 0;
  while (pos + 4 <= area.length) {
    const len = area[pos + 2]!;
    if (len < 4 || pos + len > area.length) break;
    const sig = area.toString('latin1', pos, pos + 2);
    const data = area.subarray(pos + 4, pos + len);
    if (sig === 'ST') break;
    if (sig === 'CE' && data.length >= 24) {
      next = { block: data.readUInt32LE(0), offset: data.readUInt32LE(8), length: data.readUInt32LE(16) };
    } else {
      entries.push({ sig, version: area[pos + 3]!, data });
    }
    pos += len;
  }
  return { entries, next };
}

/** The SP entry that opens the root '.' record's area: SUSP is in use, and how many bytes to skip in others. */
export function suspIndicator(entries: SuspEntry[]): { skip: number } | null {
  const sp = entries.find((e) => e.sig === 'SP');
  if (!sp || sp.data.length < 3 || sp.data[0] !== 0xbe || sp.data[1] !== 0xef) return null;
  return { skip: sp.data[2]! };
}

/** Extension identifiers announced by ER entries (e.g. 'RRIP_1991A', 'IEEE_P1282', 'IEEE_1282'). */
export function extensionIds(entries: SuspEntry[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (e.sig !== 'ER' || e.data.length < 4) continue;
    const idLen = e.data[0]!;
    out.push(e.data.toString('latin1', 4, Math.min(e.data.length, 4 + idLen)));
  }
  return out;
}
