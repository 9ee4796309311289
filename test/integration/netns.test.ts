import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLan, type NetnsHost } from '../helpers/netns';

describe('test LAN harness', () => {
  let lan: TestLan;
  let a: NetnsHost;
  let b: NetnsHost;
  beforeAll(async () => {
    lan = await TestLan.create('harness');
    a = await lan.addHost('a', '10.213.7.1/24');
    b = await lan.addHost('b', '10.213.7.2/24');
  });
  afterAll(async () => lan?.destroy());

  it('joins hosts through the bridge', async () => {
    const r = await a.exec(['busybox', 'ping', '-c', '1', '-W', '2', b.address!], true);
    expect(r.code).toBe(0);
  });

  it('keeps the test hosts off the real network', async () => {
    const r = await a.exec(['ip', '-j', 'route'], true);
    expect(r.stdout).not.toContain('default');
  });
});
