import type { CatalogEntry } from './eltorito';
import type { NameSource } from './ecma119-reader';

/** One El Torito boot image, as the boot catalog describes it. */
export interface ElToritoEntry extends CatalogEntry {
  /** 1-based position in the catalog (1 is the default entry). */
  index: number;
  /**
   * Virtual path that reads the boot image bytes through the source's stat/open/createReadStream,
   * e.g. '/[BOOT]/1-BIOS-NoEmul.img' (7-Zip's convention). Not listed by readdir('/').
   */
  imagePath: string;
  /**
   * Bytes readable at imagePath: the floppy size for floppy emulation, the FAT volume size when the
   * image is a FAT file system (EFI), else sectorCount × 512 (for isolinux that is just the part the
   * BIOS loads).
   */
  imageSize: number;
}

export type FileSystemName = 'ISO 9660' | 'Joliet' | 'Rock Ridge' | 'El Torito' | 'UDF';

/** What a boot source is, for `inspect`, the UI and boot planning. */
export interface SourceInfo {
  /** Volume label (ISO) or folder name. */
  label: string;
  /** Image size in bytes (0 for a folder). */
  size: number;
  fileSystems: FileSystemName[];
  elTorito: ElToritoEntry[];
}

export interface IsoInfo extends SourceInfo {
  /** Which names the tree shows: Rock Ridge, else Joliet, else plain ISO 9660. */
  names: NameSource;
  blockSize: number;
  systemId: string;
  volumeSetId: string;
  publisherId: string;
  preparerId: string;
  applicationId: string;
  created: Date | null;
  modified: Date | null;
  /** Non-fatal damage found on open (e.g. an unreadable boot catalog). */
  warnings: string[];
}
