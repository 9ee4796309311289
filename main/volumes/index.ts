/** Drives and volumes with their ISO files, for the Open dialog, listed off the event loop. */
export { listVolumes, type ListVolumesOptions } from './volumes';
export { offeredMounts, type DiskRow, type OfferedMount } from './mounts';
export { runNodeChild, ChildTimeoutError } from './child';
