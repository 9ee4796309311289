import { describe, expect, it } from 'vitest';
import { BOOTREPLY, decode, encode } from '../../../main/dhcp/codec';
import { byteOption, clientMac, ipOption, messageType, optionText } from '../../../main/dhcp/options';
import { foreignServerIn, makeProbe } from '../../../main/dhcp/probe';

describe('auto mode probe', () => {
  it('is a broadcast DISCOVER from a locally administered MAC', () => {
    const probe = makeProbe(() => Buffer.from([1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd, 0]));
    const p = decode(probe.data);
    expect(probe.xid).toBe(0x01020304);
    expect(clientMac(p)).toBe('02:bd:aa:bb:cc:dd');
    expect(probe.mac).toBe('02:bd:aa:bb:cc:dd');
    expect(messageType(p)).toBe(1);
    expect(p.flags & 0x8000).toBe(0x8000);
    expect(optionText(p, 60)).toBe('bootdrop-probe'); // not PXEClient: proxies stay quiet
  });

  it('counts address offers from other servers only', () => {
    const offer = (server: string, yiaddr: string, type = 2) =>
      encode({
        ...decode(makeProbe().data),
        op: BOOTREPLY,
        yiaddr,
        options: [byteOption(53, type), ipOption(54, server)],
      });
    expect(foreignServerIn(offer('10.0.0.254', '10.0.0.100'), '10.0.0.254', '10.0.0.1')).toBe('10.0.0.254');
    expect(foreignServerIn(offer('10.0.0.254', '10.0.0.100', 5), '10.0.0.254', '10.0.0.1')).toBe('10.0.0.254');
    expect(foreignServerIn(offer('10.0.0.1', '10.0.0.100'), '10.0.0.1', '10.0.0.1')).toBeNull(); // our own
    expect(foreignServerIn(offer('10.0.0.9', '0.0.0.0'), '10.0.0.9', '10.0.0.1')).toBeNull(); // another proxyDHCP
    expect(foreignServerIn(offer('10.0.0.254', '10.0.0.100', 6), '10.0.0.254', '10.0.0.1')).toBeNull(); // NAK
    expect(foreignServerIn(makeProbe().data, '10.0.0.7', '10.0.0.1')).toBeNull(); // a request
    expect(foreignServerIn(Buffer.from('garbage'), '10.0.0.7', '10.0.0.1')).toBeNull();
  });
});
