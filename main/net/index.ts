/** Network plumbing shared by the servers: interface discovery, IPv4 arithmetic, bind errors, rate limits. */
export { listInterfaces, findInterface, type ListInterfacesOptions } from './interfaces';
export { ipToInt, intToIp, prefixToMask, maskToPrefix, networkOf, broadcastOf, inSubnet, type Subnet } from './ipv4';
export {
  firewalldFinding,
  firewallAdvice,
  firewallBlock,
  describeFirewallBlock,
  BOOT_PORTS,
  type FirewallCmd,
  type FirewallFinding,
} from './firewall';
export { PortBindError, explainBindError, SERVICES, type BoundService, type PortErrorCode } from './port-error';
export { RateLimiter, type RateLimitOptions } from './rate-limit';
export { admit, RecentlyAnswered, type Admission, type Newcomer, type SlotHolder, type SlotLimits } from './slots';
