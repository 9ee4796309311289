/**
 * Boot sources: ISO images read in place (ISO 9660 levels 1–3, multi-extent files, Joliet, Rock
 * Ridge, El Torito) and plain folders, both as a Vfs.
 */
export { openIso, openSource, type OpenedSource } from './open';
export { IsoSource } from './source';
export { DAMAGED_ADVICE } from './image';
export type * from './types';
