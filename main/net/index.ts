/** Network plumbing shared by the servers: interface discovery, IPv4 arithmetic, bind errors, rate limits. */
export { listInterfaces, findInterface } from './interfaces';
export { ipToInt, intToIp, prefixToMask, maskToPrefix, networkOf, broadcastOf, inSubnet, type Subnet } from './ipv4';
export { firewalldFinding, firewallBlock, describeFirewallBlock, type FirewallCmd } from './firewall';
export { PortBindError, explainBindError, SERVICES } from './port-error';
export { RateLimiter } from './rate-limit';
export { admit, RecentlyAnswered, type SlotHolder, type SlotLimits } from './slots';
