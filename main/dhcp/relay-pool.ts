/**
 * Address pools for subnets behind DHCP relay agents (`--pool 10.1.0.0/24:10.1.0.100-10.1.0.199`).
 * A relayed request (giaddr set) is matched to the pool whose subnet holds the relay's address; with no
 * such pool Bootdrop answers it as proxyDHCP only (boot file, no address). Parsing is pure.
 */
import { intToIp, ipToInt, networkOf, type Subnet } from '../net';

export interface RelayPoolSpec {
  /** The relayed subnet (address = its network address). */
  subnet: Subnet;
  start: string;
  end: string;
}

/** A pool bigger than this is a typo more often than a plan, and its lookups are linear. */
export const RELAY_POOL_MAX = 1024;

export class PoolSpecError extends Error {}

function ip(text: string, what: string, spec: string): number {
  try {
    return ipToInt(text);
  } catch {
    throw new PoolSpecError(`--pool ${spec}: ${what} "${text}" is not an IPv4 address`);
  }
}

/** `<network>/<prefix>:<first>-<last>`, e.g. `10.1.0.0/24:10.1.0.100-10.1.0.199`. */
export function parsePoolSpec(spec: string): RelayPoolSpec {
  const m = /^([^/]+)\/(\d{1,2}):([^-]+)-(.+)$/.exec(spec.trim());
  if (!m)
    throw new PoolSpecError(
      `--pool "${spec}" is not <network>/<prefix>:<first>-<last>; example: --pool 10.1.0.0/24:10.1.0.100-10.1.0.199`,
    );
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30)
    throw new PoolSpecError(`--pool ${spec}: prefix /${prefix} must be between /8 and /30 (a client subnet)`);
  const net = ip(m[1]!, 'network', spec);
  const subnet: Subnet = { address: networkOf({ address: intToIp(net), prefix }), prefix };
  const start = ip(m[3]!, 'first address', spec);
  const end = ip(m[4]!, 'last address', spec);
  const size = 2 ** (32 - prefix);
  const base = ipToInt(subnet.address);
  for (const [n, what] of [
    [start, 'first address'],
    [end, 'last address'],
  ] as const) {
    if (n < base || n >= base + size)
      throw new PoolSpecError(`--pool ${spec}: ${what} ${intToIp(n)} is not in ${subnet.address}/${prefix}`);
    if (n === base || n === base + size - 1)
      throw new PoolSpecError(
        `--pool ${spec}: ${what} ${intToIp(n)} is the network or broadcast address of ${subnet.address}/${prefix}`,
      );
  }
  if (end < start) throw new PoolSpecError(`--pool ${spec}: the last address comes before the first`);
  if (end - start + 1 > RELAY_POOL_MAX)
    throw new PoolSpecError(`--pool ${spec}: ${end - start + 1} addresses; at most ${RELAY_POOL_MAX} per pool`);
  return { subnet, start: intToIp(start), end: intToIp(end) };
}

/** Two pools for overlapping subnets would make a relay's subnet ambiguous. */
export function checkPoolsApart(pools: readonly RelayPoolSpec[]): void {
  for (let i = 0; i < pools.length; i++)
    for (let j = 0; j < i; j++) {
      const a = pools[i]!.subnet;
      const b = pools[j]!.subnet;
      const p = Math.min(a.prefix, b.prefix);
      if (networkOf({ address: a.address, prefix: p }) === networkOf({ address: b.address, prefix: p }))
        throw new PoolSpecError(
          `--pool ${a.address}/${a.prefix} overlaps --pool ${b.address}/${b.prefix}: give one pool per relayed subnet`,
        );
    }
}
