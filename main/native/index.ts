export { loadNative, nativeAllowed, nativeStatus } from './load';
