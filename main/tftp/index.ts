export { TftpServer, type TftpServerOptions, type TftpFileEvent } from './server';
export * as tftpPacket from './packet';
export { negotiate, maxBlksizeFor, type Negotiated } from './options';
