/**
 * DHCP for network boot: proxyDHCP beside an existing server (UDP 67 + 4011), a small own DHCP
 * server for a bare cable, and auto mode that picks between them by watching the link.
 */
export { DhcpService } from './service';
export type { ClientEvent } from './responder';
export { parsePoolSpec, checkPoolsApart, PoolSpecError, type RelayPoolSpec } from './relay-pool';
export { decode, encode } from './codec';
