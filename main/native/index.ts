export { loadNative, nativeAllowed, nativeStatus } from './load';
export { loadTftpPump, PUMP_PHASE, PUMP_STATE, type PumpEnd, type PumpHandle, type TftpPump } from './tftp-pump';
export {
  sendfileAvailable,
  sendfileJobsRunning,
  startSendfile,
  type SendfileJob,
  type SendfileResult,
} from './sendfile';
export { openNdpSocket, type NdpSocket } from './ndp';
export { raHelperPath, startRaHelper, type RaHelper, type RaHelperEvents } from './ra-helper';
