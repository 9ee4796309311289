/** Drives and volumes with their ISO files, for the Open dialog, listed off the event loop. */
export { listVolumes } from './volumes';
export { offeredMounts, type DiskRow } from './mounts';
