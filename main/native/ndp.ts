/**
 * Typed face of the raw ICMPv6 helper (main/native/ndp/binding.c → dist/native/ndp.node), which sends
 * Bootdrop's router advertisements and hears router solicitations. Linux only, and it needs CAP_NET_RAW;
 * `openNdpSocket` throws a sentence saying which of these is missing (EPERM tagged: the caller then
 * tries the bootdrop-ra program, main/native/ra-helper.ts), and otherwise the caller goes without.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../errors';
import { loadNative } from './load';

interface NdpModule {
  open(ifname: string): number;
  send(fd: number, ifindex: number, bytes: Buffer): void;
  recv(fd: number): { from: string; bytes: Buffer } | null;
  close(fd: number): void;
}

/** A raw ICMPv6 socket bound to one interface, receiving only router solicitations. */
export interface NdpSocket {
  /** Send an ICMPv6 message (checksum left 0: the kernel fills it) to ff02::1 on the interface. */
  sendAllNodes(bytes: Buffer): void;
  /** One queued datagram, or null when none waits (never blocks). */
  receive(): { from: string; bytes: Buffer } | null;
  close(): void;
}

/** Opens the socket on `ifname`; throws why it cannot. */
export function openNdpSocket(ifname: string): NdpSocket {
  if (process.platform !== 'linux') throw new Error(`raw ICMPv6 is only built for Linux (this is ${process.platform})`);
  const mod = loadNative<NdpModule>('ndp');
  if (!mod) throw new Error('the ndp helper is not available (npm run build:native; not with BOOTDROP_NATIVE=0)');
  if (!/^[\w.:-]{1,15}$/.test(ifname)) throw new Error(`"${ifname}" is not an interface name`);
  let ifindex: number;
  try {
    ifindex = Number(readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8').trim());
  } catch (err) {
    throw new Error(`interface ${ifname} not found: ${errorMessage(err)}`);
  }
  let fd: number;
  try {
    fd = mod.open(ifname);
  } catch (err) {
    const msg = errorMessage(err);
    if (/errno 1\)/.test(msg)) {
      // Tagged: the caller then tries the bootdrop-ra helper, which has the capability itself.
      throw Object.assign(new Error(`${msg}: raw sockets need root or CAP_NET_RAW`), { code: 'EPERM' });
    }
    throw err;
  }
  let open = true;
  return {
    sendAllNodes: (bytes) => mod.send(fd, ifindex, bytes),
    receive: () => (open ? mod.recv(fd) : null),
    close: () => {
      if (open) mod.close(fd);
      open = false;
    },
  };
}
