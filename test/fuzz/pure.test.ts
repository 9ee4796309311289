/**
 * Long pure fuzz campaigns: 1,000,000 mutated DHCP packets, 300,000 generated packets for the proxy
 * property, 1,000,000 mutated TFTP requests and 500,000 HTTP targets/ranges (× FUZZ_SCALE).
 */
import { describe, expect, it } from 'vitest';
import { dhcpMutationCampaign, proxyPropertyCampaign } from './lib/dhcp-campaign';
import { httpPureCampaign } from './lib/http-campaign';
import { scaled, seedFrom } from './lib/mutate';
import { tftpCampaign } from './lib/tftp-campaign';
import { record } from './record';

describe('pure parsers, long runs', () => {
  it('DHCP codec + responder (proxy, auto fallback, own DHCP) on mutated client packets', () => {
    const n = scaled(1_000_000);
    const s = dhcpMutationCampaign(seedFrom(0xd0c0_0001), n);
    record(s);
    expect(s.iterations).toBe(n);
  });

  it('proxy mode never hands out an address nor answers non-PXE clients (generated packets)', () => {
    const n = scaled(300_000);
    const s = proxyPropertyCampaign(seedFrom(0xd0c0_0002), n);
    record(s);
    expect(s.iterations).toBe(n);
  });

  it('TFTP codec, option negotiation and path splitting on mutated requests', () => {
    const n = scaled(1_000_000);
    const s = tftpCampaign(seedFrom(0xd0c0_0003), n);
    record(s);
    expect(s.iterations).toBe(n);
  });

  it('HTTP request targets and Range headers', () => {
    const n = scaled(500_000);
    const s = httpPureCampaign(seedFrom(0xd0c0_0004), n);
    record(s);
    expect(s.iterations).toBe(n);
  });
});
