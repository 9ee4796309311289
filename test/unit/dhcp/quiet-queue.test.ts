import { describe, expect, it } from 'vitest';
import { QuietQueue } from '../../../main/dhcp/quiet-queue';

const turn = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Note an arrival on every loop turn for `ms` (a burst that keeps the sockets busy). */
async function busyFor(q: QuietQueue, ms: number, during: () => void): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    q.noteArrival();
    during();
    await turn();
  }
}

describe('QuietQueue (DHCP logging/events after a burst)', () => {
  it('runs a lone item on the next loop turn, not synchronously, and items in order', async () => {
    const q = new QuietQueue();
    const ran: number[] = [];
    q.push(() => ran.push(1));
    q.push(() => ran.push(2));
    expect(ran).toEqual([]);
    await turn();
    expect(ran).toEqual([1, 2]);
    expect(q.length).toBe(0);
  });

  it('waits while datagrams keep arriving, then runs once they stop', async () => {
    const q = new QuietQueue({ stepMs: 40, maxDelayMs: 10_000 });
    let ran = 0;
    q.push(() => ran++);
    await busyFor(q, 150, () => expect(ran).toBe(0));
    await sleep(200); // quiet: at most one more step
    expect(ran).toBe(1);
  });

  it('does not wait past maxDelayMs or maxItems however busy the sockets are', async () => {
    const late = new QuietQueue({ stepMs: 5, maxDelayMs: 30 });
    let ran = 0;
    late.push(() => ran++);
    await busyFor(late, 400, () => undefined);
    expect(ran).toBe(1);

    const full = new QuietQueue({ stepMs: 5, maxDelayMs: 60_000, maxItems: 100 });
    let done = 0;
    full.push(() => done++);
    await busyFor(full, 60, () => undefined);
    expect(done).toBe(0);
    for (let i = 0; i < 99; i++) full.push(() => done++);
    await busyFor(full, 60, () => undefined);
    expect(done).toBe(100);
  });

  it('flush() runs everything at once and cancels the pending check', async () => {
    const q = new QuietQueue({ stepMs: 5 });
    const ran: string[] = [];
    q.push(() => ran.push('a'));
    q.noteArrival();
    q.push(() => ran.push('b'));
    q.flush();
    expect(ran).toEqual(['a', 'b']);
    await sleep(20);
    expect(ran).toEqual(['a', 'b']);
  });
});
