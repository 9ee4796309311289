import { describe, expect, it } from 'vitest';
import { broadcastOf, inSubnet, intToIp, ipToInt, maskToPrefix, networkOf, prefixToMask } from '../../../main/net';

describe('IPv4 arithmetic', () => {
  it('converts and masks', () => {
    expect(intToIp(ipToInt('192.168.1.200'))).toBe('192.168.1.200');
    expect(prefixToMask(20)).toBe('255.255.240.0');
    expect(maskToPrefix('255.255.255.128')).toBe(25);
    expect(() => maskToPrefix('255.0.255.0')).toThrow(/contiguous/);
    expect(() => ipToInt('1.2.3.256')).toThrow(/not an IPv4/);
    const s = { address: '10.1.2.3', prefix: 22 };
    expect(networkOf(s)).toBe('10.1.0.0');
    expect(broadcastOf(s)).toBe('10.1.3.255');
    expect(inSubnet('10.1.3.9', s)).toBe(true);
    expect(inSubnet('10.1.4.9', s)).toBe(false);
  });
});
