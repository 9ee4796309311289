/**
 * Source ids: the file name made URL-safe (`ubuntu-24.04-desktop-amd64.iso` → `ubuntu-24-04-desktop-amd64`),
 * numbered when two sources share a name. The session and `bootdrop export` name sources the same way,
 * so served paths (`/iso/<id>/...`) match between Bootdrop and an exported site.
 */
import * as path from 'node:path';

export function sourceIdFor(hostPath: string, taken: (id: string) => boolean): string {
  const base =
    path
      .basename(hostPath)
      .replace(/\.iso$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'source';
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}
