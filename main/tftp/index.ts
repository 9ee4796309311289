export { TftpServer, type TftpServerOptions } from './server';
export * as tftpPacket from './packet';
