/**
 * The fuzz campaigns of `npm run fuzz`, cut to a few thousand inputs each so they run in every
 * `npm test`. Same code, same invariants, fixed seeds (the long run uses others). SECURITY.md names
 * these tests.
 */
import { describe, expect, it } from 'vitest';
import { dhcpMutationCampaign, proxyPropertyCampaign } from '../../fuzz/lib/dhcp-campaign';
import { httpPureCampaign } from '../../fuzz/lib/http-campaign';
import { tftpCampaign } from '../../fuzz/lib/tftp-campaign';

// Fixed counts (about a second each on an idle machine), so the assertions below are deterministic.

describe('short fuzz runs (parsers never throw, never hang)', () => {
  it('DHCP: mutated client packets through the codec and the responder in every mode', () => {
    const s = dhcpMutationCampaign(0x5eed0001, 4000);
    expect(s.iterations).toBe(4000);
    expect(s.counts.decoded).toBeGreaterThan(0);
    expect(s.counts.rejected).toBeGreaterThan(0);
    expect(s.counts['proxy replies']).toBeGreaterThan(0); // the run did reach the answering paths
  });

  it('proxy mode never hands out an address and never answers non-PXE clients (generated packets)', () => {
    const s = proxyPropertyCampaign(0x5eed0002, 4000);
    expect(s.iterations).toBe(4000);
    expect(s.counts['proxy answered']).toBeGreaterThan(50);
    expect(s.counts['proxy silent']).toBeGreaterThan(50);
  });

  it('TFTP: mutated requests through the codec, option negotiation and path splitting', () => {
    const s = tftpCampaign(0x5eed0003, 20_000);
    expect(s.iterations).toBe(20_000);
    expect(s.counts.rrq).toBeGreaterThan(0);
    expect(s.counts['paths refused (EOUTSIDE)']).toBeGreaterThan(0);
  });

  it('HTTP: request targets and Range headers', () => {
    const s = httpPureCampaign(0x5eed0004, 10_000);
    expect(s.iterations).toBe(10_000);
    expect(s.counts['refused as traversal']).toBeGreaterThan(0);
    expect(s.counts['paths accepted']).toBeGreaterThan(0);
  });
});

describe('the invariant checks themselves can fail', () => {
  it('a proxy reply with an address is caught', async () => {
    const { proxyViolation } = await import('../../fuzz/lib/dhcp-campaign');
    const { Responder } = await import('../../../main/dhcp/responder');
    const { LeasePool } = await import('../../../main/dhcp/lease-pool');
    const { clientBytes, productPolicy } = await import('../../helpers/dhcp/packets');
    const pool = new LeasePool({ subnet: { address: '10.77.0.1', prefix: 24 }, size: 4 });
    const own = new Responder({ serverIp: '10.77.0.1', prefix: 24, policy: productPolicy, pool });
    own.mode = 'dhcp';
    const bios = clientBytes('bios');
    expect(proxyViolation(bios, own.handle(bios, { address: '0.0.0.0', port: 68 }, 'dhcp'))).toMatch(
      /handed out 10\.77\.0\./,
    );
    const plain = clientBytes('plain');
    expect(proxyViolation(plain, own.handle(plain, { address: '0.0.0.0', port: 68 }, 'dhcp'))).toMatch(/vendor class/);
  });
});
