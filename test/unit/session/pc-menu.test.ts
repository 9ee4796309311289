/**
 * The session's side of "fits this PC?" (issue 14), with the real engine (iso/boot/http/tftp) on
 * 127.0.0.1: DHCP is a stand-in that reports one PXE client at 127.0.0.1, so the menu request that
 * follows is that PC's. Real iPXE sending the query is test/integration/boot-fits.test.ts.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ClientState, LogEntry, NetInterface } from '../../../main/contract';
import type { DhcpSighting } from '../../../main/session/clients';
import { createEngineServices, defaultLoadersDir, Session, type EngineServices } from '../../../main/session';
import * as F from '../boot/fixtures';

afterAll(() => F.cleanupTrees());

const LO: NetInterface = {
  name: 'lo',
  address: '127.0.0.1',
  prefix: 8,
  netmask: '255.0.0.0',
  mac: '00:00:00:00:00:00',
  up: true,
  kind: 'wired',
  recommended: true,
};
const MAC = '52:54:00:00:00:42';
/** What QEMU's iPXE ROM sends with -m 256 (test/integration/boot-fits.test.ts records the same). */
const QUERY =
  'pc=1&memsize=&t19s=00000000&t19e=ffff0300&t17=0001&t17x=&platform=pcbios&arch=i386&chip=82540em' +
  '&maker=QEMU&model=Standard%20PC%20(i440FX%20+%20PIIX,%201996)';

describe("Session: a PC's own menu", () => {
  let session: Session | null = null;
  afterEach(async () => session?.dispose());

  it('answers the menu request with the facts with that PC menu, and the PC row gets them', async () => {
    const real = createEngineServices();
    let onClient: ((s: DhcpSighting) => void) | null = null;
    const services: EngineServices = {
      ...real,
      listInterfaces: () => [LO],
      startTftp: (o) => real.startTftp({ ...o, port: 0 }),
      async startDhcp(o) {
        onClient = o.onClient;
        return { effectiveMode: 'proxy', macForIp: () => null, close: async () => undefined };
      },
    };
    const s = new Session({ loadersDir: defaultLoadersDir(), httpPort: 0, mode: 'proxy', linkCheckMs: 0 }, services);
    session = s;
    const log: LogEntry[] = [];
    const clients: ClientState[] = [];
    s.onEvent((e) => {
      if (e.type === 'log') log.push(e.entry);
      if (e.type === 'client') clients.push(e.client);
    });
    const arch = await s.addSource({ path: await F.writeTree(F.ARCH_TREE) });
    expect(arch.entries[0]!.minRamMiB).toBeGreaterThan(256);
    await s.start();
    onClient!({ mac: MAC, ip: '127.0.0.1', firmware: 'bios', arch: 0 });
    const url = (await s.snapshot()).state.httpUrl!;
    const get = async (p: string) => (await fetch(new URL(p, url))).text();

    // the generic menu asks for the PC's own one first
    const generic = await get('/boot.ipxe');
    expect(generic).toContain(`chain --autofree ${url}boot.ipxe?pc=1&memsize=\${memsize}&`);
    expect(generic).not.toContain('[too little RAM]');

    const mine = await get(`/boot.ipxe?${QUERY}`);
    expect(mine).not.toContain('bd-asked');
    expect(mine).toContain('This PC: QEMU Standard PC (i440FX + PIIX, 1996), 256 MiB RAM, BIOS');
    expect(mine).toMatch(/item bd-e0 \[too little RAM\] .* \(needs ~1 GiB\)/);
    expect(mine).toContain('Arch Linux needs ~1 GiB, this PC reports 256 MiB');
    expect(mine).toMatch(/^set bd-default bd-e[1-9]/m);

    const row = clients.filter((c) => c.mac === MAC).at(-1)!;
    expect(row.pc).toEqual({
      maker: 'QEMU',
      model: 'Standard PC (i440FX + PIIX, 1996)',
      ramMiB: 256,
      ramSource: 'smbios',
      platform: 'pcbios',
      arch: 'i386',
      nic: '82540em',
    });
    expect((await s.snapshot()).clients.find((c) => c.mac === MAC)!.pc?.ramMiB).toBe(256);
    expect(log.find((l) => l.message.startsWith('this PC:'))).toMatchObject({
      level: 'info',
      scope: 'boot',
      client: MAC,
      message: 'this PC: QEMU Standard PC (i440FX + PIIX, 1996), 256 MiB RAM, BIOS; iPXE with its own 82540em driver',
    });

    // a garbled query still gets a menu (the generic facts-less one), never an error
    expect(await get('/boot.ipxe?pc=1&memsize=%ZZ&t19e=zz&maker=')).toContain('This PC: Unknown PC');
  });
});
