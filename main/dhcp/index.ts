/**
 * DHCP for network boot: proxyDHCP beside an existing server (UDP 67 + 4011), a small own DHCP
 * server for a bare cable, and auto mode that picks between them by watching the link.
 */
export { DhcpService, type DhcpServiceOptions, type DhcpServiceEvents } from './service';
export type { ClientEvent, Exchange } from './responder';
export { parsePoolSpec, checkPoolsApart, PoolSpecError, type RelayPoolSpec } from './relay-pool';
export { archFromCode, bootClientKind, clientFacts } from './facts';
export { decode, encode, DhcpDecodeError, DhcpEncodeError, type DhcpPacket, type DhcpOption } from './codec';
