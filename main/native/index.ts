export { findNativeFile, loadNative, nativeAllowed, nativeStatus } from './load';
export {
  loadTftpPump,
  PUMP_PHASE,
  PUMP_STATE,
  type PumpEnd,
  type PumpHandle,
  type PumpJob,
  type TftpPump,
} from './tftp-pump';
export {
  sendfileAvailable,
  sendfileJobsRunning,
  startSendfile,
  type SendfileJob,
  type SendfileOutcome,
  type SendfileResult,
  type SendfileSpan,
} from './sendfile';
export { openNdpSocket, type NdpSocket } from './ndp';
export { RA_HELPER, raHelperPath, startRaHelper, type RaHelper, type RaHelperEvents } from './ra-helper';
