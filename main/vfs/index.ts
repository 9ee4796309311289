export * from './types';
export * from './path';
export { FolderSource } from './folder';
export { MountedTree } from './mount';
