import { afterAll, describe, expect, it } from 'vitest';
import { bootRig, Guest, randomMac, ServeProcess, type BootRig, bootServeArgs } from '../helpers/qemu';
import { buildFixture, markerOf, rootMarkerOf } from '../helpers/testiso';

// Two ISOs served at once; the default entry is the second ISO's (--default <source>), so the menu's
// timeout boots it and not the first.
describe('two ISOs at once, non-default entry chosen', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('boots the chosen second ISO', async () => {
    const first = await buildFixture('casper', 'm1');
    const second = await buildFixture('live', 'm2');
    rig = await bootRig('mul', '10.213.54', { router: true, ipv6Ra: true });
    rig.serve = ServeProcess.start(
      rig.server.ns,
      bootServeArgs([first.iso, second.iso], 'proxy', ['--default', second.iso]),
    );
    await rig.serve.ready();
    const sources = rig.serve.events.filter((e) => e.type === 'sources').at(-1)?.sources as Array<{
      path: string;
      entries: Array<{ isDefault: boolean }>;
    }>;
    expect(sources.map((s) => s.entries.some((e) => e.isDefault))).toEqual([false, true]);

    rig.guest = await Guest.start({ firmware: 'bios', tap: await rig.lan.addTap(), mac: randomMac(), memMiB: 1536 });
    await rig.guest.waitFor(markerOf(second.token), 240_000);
    const root = await rig.guest.waitFor(rootMarkerOf(second.token), 120_000);
    expect(root[1], "the second ISO's filesystem.squashfs as fetched by the guest").toBe(second.rootSha256);
    expect(rig.guest.serial).not.toMatch(markerOf(first.token));
    expect(await rig.serve.stop()).toBe(0);
  });
});
