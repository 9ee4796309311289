import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouterAdvertiser, type AdvertisementLink, type LinkWatch } from '../../../main/ndp';

// The link is a function argument (the real ones need CAP_NET_RAW; test/integration/ndp-ra.test.ts and
// ndp-ra-helper.test.ts run them against a peer in a network namespace). Here: when the advertiser
// sends, and that it stops.
function fakeLink(): AdvertisementLink & { sentBytes: number[]; queue: string[]; closed: boolean } {
  const s = {
    sentBytes: [] as number[],
    queue: [] as string[],
    closed: false,
    advertise: () => void s.sentBytes.push(134),
    solicitations: () => s.queue.splice(0),
    close: () => void (s.closed = true),
  };
  return s;
}

const RS = 'fe80::1';

describe('RouterAdvertiser', () => {
  afterEach(() => vi.useRealTimers());

  it('advertises at once, every period while awake, answers solicitations, and goes quiet after the window', () => {
    vi.useFakeTimers();
    const sock = fakeLink();
    const logs: string[] = [];
    const ra = new RouterAdvertiser({
      iface: { name: 'eth9', mac: '02:00:00:00:00:01' },
      log: (_l, m) => logs.push(m),
      open: (_iface, watch) => {
        watch.ready('a fake');
        return sock;
      },
      periodMs: 3000,
      windowMs: 10_000,
      pollMs: 200,
    });
    ra.enable();
    expect(sock.sentBytes).toHaveLength(1);
    expect(sock.sentBytes[0]).toBe(134);
    vi.advanceTimersByTime(3000);
    expect(sock.sentBytes).toHaveLength(2);
    vi.advanceTimersByTime(1000);
    sock.queue.push(RS, RS, RS);
    vi.advanceTimersByTime(200);
    expect(sock.sentBytes, 'three queued solicitations, one answer').toHaveLength(3);
    sock.queue.push(RS);
    vi.advanceTimersByTime(200);
    expect(sock.sentBytes, 'the next solicitation gets its own answer').toHaveLength(4);
    vi.advanceTimersByTime(20_000);
    const quiet = sock.sentBytes.length;
    vi.advanceTimersByTime(60_000);
    expect(sock.sentBytes, 'asleep after the window').toHaveLength(quiet);
    expect(vi.getTimerCount()).toBe(0);
    ra.wake();
    expect(sock.sentBytes).toHaveLength(quiet + 1);
    ra.disable();
    expect(sock.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(logs[0]).toMatch(/router advertisements on eth9 .*\(via a fake\)$/);
  });

  it('says why when the socket cannot be opened, and sends nothing', () => {
    const logs: string[] = [];
    const ra = new RouterAdvertiser({
      iface: { name: 'eth9', mac: '02:00:00:00:00:01' },
      log: (l, m) => logs.push(`${l} ${m}`),
      open: () => {
        throw new Error('ndp.open: raw ICMPv6 socket: Operation not permitted (errno 1)');
      },
    });
    ra.enable();
    ra.wake();
    expect(ra.unavailableReason).toMatch(/Operation not permitted/);
    expect(logs).toEqual([expect.stringMatching(/^warn IPv6 router advertisement unavailable .*iPXE waits ~15 s/)]);
    expect(ra.sent).toBe(0);
  });

  it('an interface without a usable MAC does not stop serving: the advertisement is just unavailable', () => {
    const logs: string[] = [];
    const ra = new RouterAdvertiser({
      iface: { name: 'tun0', mac: '' },
      log: (l, m) => logs.push(`${l} ${m}`),
      open: fakeLink,
    });
    ra.enable();
    expect(ra.unavailableReason).toMatch(/"" is not a MAC address/);
    expect(logs).toEqual([expect.stringMatching(/^warn IPv6 router advertisement unavailable/)]);
  });

  it('a helper that ends on its own: one warning with its reason, no more sends; a new own-DHCP mode tries again', () => {
    const logs: string[] = [];
    const links: Array<ReturnType<typeof fakeLink> & { watch: LinkWatch }> = [];
    const ra = new RouterAdvertiser({
      iface: { name: 'eth9', mac: '02:00:00:00:00:01' },
      log: (l, m) => logs.push(`${l} ${m}`),
      open: (_iface, watch) => {
        const link = Object.assign(fakeLink(), { watch });
        links.push(link);
        return link;
      },
    });
    ra.enable();
    expect(links[0]!.sentBytes, 'asked to send before the helper is ready').toHaveLength(1);
    links[0]!.watch.sendFailed('Cannot assign requested address');
    links[0]!.watch.sendFailed('Cannot assign requested address');
    links[0]!.watch.lost('bootdrop-ra: cannot open a raw ICMPv6 socket: Operation not permitted; sudo setcap …');
    expect(links[0]!.closed).toBe(true);
    expect(ra.unavailableReason).toMatch(/Operation not permitted/);
    ra.wake();
    expect(links[0]!.sentBytes).toHaveLength(1);
    expect(logs).toEqual([
      'warn IPv6 router advertisement on eth9 not sent: Cannot assign requested address',
      expect.stringMatching(/^warn IPv6 router advertisement unavailable \(bootdrop-ra: .*setcap .*iPXE waits ~15 s/),
    ]);
    ra.disable();
    ra.enable();
    expect(links).toHaveLength(2);
    links[0]!.watch.lost('late news from the first helper');
    expect(ra.unavailableReason, 'a closed link cannot take the new one down').toBeNull();
    ra.disable();
  });
});
