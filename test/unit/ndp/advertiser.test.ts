import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouterAdvertiser } from '../../../main/ndp';
import type { NdpSocket } from '../../../main/native';

// The socket is a function argument (the real one needs CAP_NET_RAW; test/integration/ndp-ra.test.ts
// runs it against a peer in a network namespace). Here: when the advertiser sends, and that it stops.
function fakeSocket(): NdpSocket & { sentBytes: Buffer[]; queue: Buffer[]; closed: boolean } {
  const s = {
    sentBytes: [] as Buffer[],
    queue: [] as Buffer[],
    closed: false,
    sendAllNodes: (b: Buffer) => void s.sentBytes.push(b),
    receive: () => {
      const b = s.queue.shift();
      return b ? { from: 'fe80::1', bytes: b } : null;
    },
    close: () => void (s.closed = true),
  };
  return s;
}

const RS = Buffer.from([133, 0, 0, 0, 0, 0, 0, 0]);

describe('RouterAdvertiser', () => {
  afterEach(() => vi.useRealTimers());

  it('advertises at once, every period while awake, answers solicitations, and goes quiet after the window', () => {
    vi.useFakeTimers();
    const sock = fakeSocket();
    const logs: string[] = [];
    const ra = new RouterAdvertiser({
      iface: { name: 'eth9', mac: '02:00:00:00:00:01' },
      log: (_l, m) => logs.push(m),
      open: () => sock,
      periodMs: 3000,
      windowMs: 10_000,
      pollMs: 200,
    });
    ra.enable();
    expect(sock.sentBytes).toHaveLength(1);
    expect(sock.sentBytes[0]![0]).toBe(134);
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
    expect(logs[0]).toMatch(/router advertisements on eth9/);
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
      open: fakeSocket,
    });
    ra.enable();
    expect(ra.unavailableReason).toMatch(/"" is not a MAC address/);
    expect(logs).toEqual([expect.stringMatching(/^warn IPv6 router advertisement unavailable/)]);
  });
});
