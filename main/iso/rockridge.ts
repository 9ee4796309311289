/**
 * Rock Ridge (RRIP, IEEE P1282) on top of SUSP: POSIX names, modes, symlinks, times and the deep
 * directory relocation (CL/RE) that lets ISO 9660's 8-level limit hold deeper trees. Pure.
 */
import { decimalTime, recordingTime } from './ecma119';
import type { SuspEntry } from './susp';

export interface RockRidgeInfo {
  /** NM: the POSIX name (continued NM entries joined). */
  name?: string;
  /** PX: full st_mode (type bits included). */
  mode?: number;
  /** SL: symlink target as written ('/' separated; absolute when it starts with '/'). */
  symlink?: string;
  /** TF: modification time. */
  mtime?: Date;
  /** CL: this placeholder stands for a relocated directory whose records start at this block. */
  childLink?: number;
  /** RE: this directory was moved here (rr_moved) from its real place; hide it from this parent. */
  relocated: boolean;
}

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

const RRIP_IDS = ['RRIP_1991A', 'IEEE_P1282', 'IEEE_1282'];
const RR_SIGS = new Set(['PX', 'PN', 'SL', 'NM', 'CL', 'PL', 'RE', 'TF', 'SF', 'RR']);

/** Does the root's '.' entry set (its ER ids or its entries) show Rock Ridge is in use? */
export function hasRockRidge(rootEntries: SuspEntry[], extensionIds: string[]): boolean {
  return extensionIds.some((id) => RRIP_IDS.includes(id)) || rootEntries.some((e) => RR_SIGS.has(e.sig));
}

export function interpretRockRidge(entries: SuspEntry[]): RockRidgeInfo {
  const info: RockRidgeInfo = { relocated: false };
  let name: string | undefined;
  const link = new SymlinkBuilder();
  for (const e of entries) {
    const d = e.data;
    switch (e.sig) {
      case 'NM': {
        // Flags: CURRENT (2) / PARENT (4) name '.'/'..' and carry no text; CONTINUE (1) just means more NM follow.
        if (d.length < 1 || d[0]! & 0x06) break;
        name = (name ?? '') + d.toString('utf8', 1);
        break;
      }
      case 'PX':
        if (d.length >= 8) info.mode = d.readUInt32LE(0);
        break;
      case 'SL':
        if (d.length >= 1) link.add(d);
        break;
      case 'TF': {
        const t = modifyTime(d);
        if (t) info.mtime = t;
        break;
      }
      case 'CL':
        if (d.length >= 8) info.childLink = d.readUInt32LE(0);
        break;
      case 'RE':
        info.relocated = true;
        break;
    }
  }
  if (name !== undefined) info.name = name;
  const target = link.result();
  if (target !== undefined) info.symlink = target;
  return info;
}

/**
 * SL component records: flags CONTINUE (1, this component goes on in the next one), CURRENT (2, '.'),
 * PARENT (4, '..'), ROOT (8, the target is absolute). An SL entry's own CONTINUE flag only says another
 * SL follows, so components are simply accumulated across entries.
 */
class SymlinkBuilder {
  private parts: string[] = [];
  private absolute = false;
  private continuing = false;
  private seen = false;

  add(data: Buffer): void {
    this.seen = true;
    let pos = 1;
    while (pos + 2 <= data.length) {
      const flags = data[pos]!;
      const len = data[pos + 1]!;
      const content = data.subarray(pos + 2, Math.min(data.length, pos + 2 + len));
      pos += 2 + len;
      let piece: string;
      if (flags & 0x08) {
        // ROOT restarts the target at '/'.
        this.absolute = true;
        this.parts = [];
        this.continuing = false;
        continue;
      } else if (flags & 0x02) piece = '.';
      else if (flags & 0x04) piece = '..';
      else piece = content.toString('utf8');
      if (this.continuing && this.parts.length > 0) this.parts[this.parts.length - 1] += piece;
      else this.parts.push(piece);
      this.continuing = (flags & 0x01) !== 0;
    }
  }

  result(): string | undefined {
    if (!this.seen) return undefined;
    const body = this.parts.join('/');
    return this.absolute ? '/' + body : body;
  }
}

/** TF: times in order CREATION, MODIFY, ACCESS, ...; LONG_FORM (0x80) selects 17-byte instead of 7-byte stamps. */
function modifyTime(d: Buffer): Date | null {
  if (d.length < 1) return null;
  const flags = d[0]!;
  if (!(flags & 0x02)) return null;
  const size = flags & 0x80 ? 17 : 7;
  const off = 1 + (flags & 0x01 ? size : 0);
  return size === 17 ? decimalTime(d, off) : recordingTime(d, off);
}
