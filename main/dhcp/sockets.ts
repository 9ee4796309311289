/**
 * UDP sockets for the DHCP service, and how replies leave through the chosen interface.
 *
 * Node's dgram has no IP_PKTINFO and no SO_BINDTODEVICE, so it cannot tell which interface a
 * broadcast arrived on, nor pin a broadcast to one. Per OS:
 * - Linux ('bound'): receive broadcasts on 0.0.0.0:<port> (SO_REUSEADDR) and send through a second
 *   socket bound to the interface's own address and the same port. Linux routes a limited broadcast
 *   (255.255.255.255) out of the interface that owns the source address, so replies never leave
 *   through another interface.
 * - macOS / Windows ('wildcard'): macOS lets unprivileged processes bind ports below 1024 only on
 *   the wildcard address, and a limited broadcast from a wildcard socket leaves through the primary
 *   interface, not necessarily the chosen one. So one socket on 0.0.0.0 does everything and
 *   broadcasts go to the subnet-directed address (e.g. 192.168.1.255), which the routing table
 *   sends out of the interface on that subnet. Windows behaves the same way for our purposes.
 */
import * as dgram from 'node:dgram';
import { explainBindError } from '../net';

export type SocketStrategy = 'bound' | 'wildcard';

export function defaultStrategy(platform: NodeJS.Platform = process.platform): SocketStrategy {
  return platform === 'linux' ? 'bound' : 'wildcard';
}

/** Bind a UDP socket, turning EADDRINUSE/EACCES into a PortBindError that names the port and remedy. */
export function bindUdp(address: string, port: number, opts: { broadcast?: boolean } = {}): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const onError = (err: Error) => {
      sock.close();
      reject(explainBindError(err, port, address));
    };
    sock.once('error', onError);
    sock.bind(port, address, () => {
      sock.off('error', onError);
      if (opts.broadcast) sock.setBroadcast(true);
      resolve(sock);
    });
  });
}

export function closeUdp(sock: dgram.Socket | null): Promise<void> {
  if (!sock) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
