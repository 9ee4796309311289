import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BootPolicy, ClientFacts } from '../../../main/boot';
import type { LogEntry, NetInterface, SourceSummary } from '../../../main/contract';
import {
  createEngineServices,
  defaultLoadersDir,
  Session,
  type Audience,
  type EngineServices,
} from '../../../main/session';
import { biosMenuInEffect } from '../../../main/session/bios-menu';
import * as F from '../boot/fixtures';

afterAll(() => F.cleanupTrees());

function summary(id: string, ownPxeMenu: boolean | undefined, osName = id): SourceSummary {
  return {
    id,
    path: `/isos/${id}.iso`,
    kind: 'iso',
    label: id,
    size: 1,
    family: 'generic',
    osName,
    fileSystems: [],
    entries: [],
    warnings: [],
    ...(ownPxeMenu === undefined ? {} : { ownPxeMenu }),
  };
}

describe('biosMenuInEffect', () => {
  it("serves Bootdrop's menu unless the ISO's own is chosen", () => {
    expect(biosMenuInEffect('bootdrop', [summary('arch', true)])).toEqual({ classicSourceId: null, warnings: [] });
    expect(biosMenuInEffect(undefined, [summary('arch', true)])).toEqual({ classicSourceId: null, warnings: [] });
  });

  it('serves the first ISO that has its own menu, and says who else loses BIOS PCs', () => {
    expect(biosMenuInEffect('iso', [summary('arch', true)])).toEqual({ classicSourceId: 'arch', warnings: [] });
    const r = biosMenuInEffect('iso', [
      summary('ubuntu', false, 'Ubuntu'),
      summary('arch', true, 'Arch Linux'),
      summary('arch2', true, 'Arch Linux'),
    ]);
    expect(r.classicSourceId).toBe('arch');
    expect(r.warnings).toEqual([
      expect.stringContaining('the first ISO that has one; arch2 too'),
      expect.stringMatching(
        /BIOS PCs see only Arch Linux's own menu; Ubuntu, Arch Linux are offered to UEFI PCs only — choose Bootdrop's menu/,
      ),
    ]);
  });

  it("falls back to Bootdrop's menu with a warning and a remedy when no ISO has one", () => {
    const r = biosMenuInEffect('iso', [summary('ubuntu', false), summary('old', undefined)]);
    expect(r.classicSourceId).toBeNull();
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^BIOS PCs get Bootdrop's menu: .*none of the sources ships one .* — add an ISO that does \(Arch Linux/,
      ),
    ]);
  });
});

// The session with the real engine (iso/boot/http/tftp) on 127.0.0.1; only the DHCP service is
// replaced by a recorder of the policy it is handed, since real DHCP may only run in a test namespace
// (test/integration/serve-session.test.ts does that, with a real PXE client).
describe('Session: which menu BIOS PCs get', () => {
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
  const BIOS: ClientFacts = {
    mac: '52:54:00:00:00:01',
    archCode: 0,
    arch: 'bios',
    vendorClass: 'PXEClient:Arch:00000:UNDI:002001',
    userClass: null,
    isIpxe: false,
    uuid: null,
    ip: null,
  };
  const UEFI: ClientFacts = { ...BIOS, archCode: 7, arch: 'efi-x64', vendorClass: 'PXEClient:Arch:00007:UNDI:003016' };
  let session: Session | null = null;
  afterEach(async () => session?.dispose());

  async function serve(biosMenu?: 'bootdrop' | 'iso', audience?: Audience) {
    const real = createEngineServices();
    let policy: BootPolicy | null = null;
    const services: EngineServices = {
      ...real,
      listInterfaces: () => [LO],
      startTftp: (o) => real.startTftp({ ...o, port: 0 }),
      async startDhcp(o) {
        policy = o.policy;
        return { effectiveMode: 'proxy', macForIp: () => null, close: async () => undefined };
      },
    };
    const s = new Session(
      {
        loadersDir: defaultLoadersDir(),
        httpPort: 0,
        mode: 'proxy',
        linkCheckMs: 0,
        ...(biosMenu ? { biosMenu } : {}),
        ...(audience ? { audience } : {}),
      },
      services,
    );
    session = s;
    const log: LogEntry[] = [];
    s.onEvent((e) => e.type === 'log' && log.push(e.entry));
    const arch = await s.addSource({ path: await F.writeTree(F.ARCH_TREE) });
    const decide = (f: ClientFacts) => policy!.decide(f, LO.address);
    const get = async (p: string) => {
      const url = (await s.snapshot()).state.httpUrl!;
      const r = await fetch(new URL(p, url));
      return { status: r.status, text: await r.text() };
    };
    return { s, arch, log, decide, get };
  }

  it('reports which sources ship their own menu, and the choice, in every snapshot', async () => {
    const { s, arch } = await serve();
    expect(arch.ownPxeMenu).toBe(true);
    const ubuntu = await s.addSource({ path: await F.writeTree(F.UBUNTU_TREE) });
    expect(ubuntu.ownPxeMenu).toBe(false);
    const snap = await s.snapshot();
    expect(snap.sources.map((x) => x.ownPxeMenu)).toEqual([true, false]);
    expect(snap.menu.biosMenu).toBe('bootdrop');
    // A menu edit that leaves the choice out (an older client) keeps it.
    await s.setMenu({ menu: { ...snap.menu, biosMenu: 'iso' } });
    const { biosMenu: _omitted, ...older } = snap.menu;
    expect((await s.setMenu({ menu: { ...older, timeoutSec: 9 } })).biosMenu).toBe('iso');
  });

  it("switches BIOS PCs between the ISO's PXELINUX and Bootdrop's menu while serving, without a restart", async () => {
    const { s, decide, get, log } = await serve('iso');
    expect((await s.start()).serving).toBe(true);
    expect(decide(BIOS)).toEqual({ kind: 'tftp', file: '/boot/syslinux/lpxelinux.0' });
    expect(decide(UEFI)).toEqual({ kind: 'tftp', file: '/loaders/snponly.efi' }); // UEFI keeps Bootdrop's menu
    // The classic layout: the ISO root at the tree root, plus the synthesized PXELINUX config.
    expect(await get('/boot/syslinux/pxelinux.cfg/default')).toMatchObject({
      status: 200,
      text: expect.stringContaining('INCLUDE archiso_pxe.cfg'),
    });
    expect(log.map((l) => l.message)).toContain(
      "BIOS PCs get Arch Linux's own PXELINUX menu (" +
        (await s.snapshot()).sources[0]!.id +
        "); UEFI PCs get Bootdrop's menu",
    );
    const httpUrl = (await s.snapshot()).state.httpUrl;

    const menu = (await s.snapshot()).menu;
    await s.setMenu({ menu: { ...menu, biosMenu: 'bootdrop' } });
    expect(decide(BIOS)).toEqual({ kind: 'tftp', file: '/loaders/undionly.kpxe' });
    expect((await get('/boot/syslinux/pxelinux.cfg/default')).status).toBe(404);
    expect(log.map((l) => l.message)).toContain("BIOS and UEFI PCs get Bootdrop's menu (from their next boot)");

    await s.setMenu({ menu: { ...menu, biosMenu: 'iso' } });
    expect(decide(BIOS)).toEqual({ kind: 'tftp', file: '/boot/syslinux/lpxelinux.0' });
    const state = (await s.snapshot()).state;
    expect(state).toMatchObject({ serving: true, error: null, httpUrl }); // restaged, never restarted
  });

  it("speaks of the window's choice, not --classic or --http-port, in the desktop app's session", async () => {
    const flag = /(?:^|\s)--[a-z]|bootdrop serve/;
    const notice =
      'ships its own PXELINUX menu: BIOS PCs can be given it instead of Bootdrop\'s (the "BIOS PCs get" choice';
    const cli = await serve('iso');
    expect(cli.log.map((l) => l.message)).toContainEqual(expect.stringContaining(`${notice}, or --classic)`));
    await session!.dispose();

    const { s, log } = await serve('iso', 'window');
    await s.start();
    const said = log.map((l) => l.message);
    expect(said).toContainEqual(expect.stringMatching(new RegExp(`${notice.replace(/[()"]/g, '.')}\\)$`)));
    // HTTP is not on port 80 here (the desktop app's is): the remedy left in the window is the menu choice.
    expect(said).toContainEqual(
      expect.stringMatching(
        / on port 80, but HTTP runs on port \d+: BIOS PCs will not find the ISO's files — choose Bootdrop's menu for BIOS PCs$/,
      ),
    );
    expect(said.filter((m) => flag.test(m))).toEqual([]);
  });

  it("keeps serving with Bootdrop's menu and a warning when the ISO with its own menu goes", async () => {
    const { s, arch, decide, log } = await serve('iso');
    const ubuntu = await s.addSource({ path: await F.writeTree(F.UBUNTU_TREE) });
    await s.start();
    expect(log.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^BIOS PCs see only Arch Linux's own menu; Ubuntu [^;]* is offered to UEFI PCs only — choose Bootdrop's menu to offer every ISO to BIOS PCs too$/,
        ),
        // HTTP is not on port 80 here: the ISO's menu (http://${pxeserver}/) would miss it.
        expect.stringMatching(
          /^the ISO's own PXELINUX menu fetches http:\/\/<server>\/ on port 80, but HTTP runs on port \d+: .* serve with --http-port 80, or choose Bootdrop's menu for BIOS PCs$/,
        ),
      ]),
    );
    await s.removeSource({ id: arch.id });
    expect(decide(BIOS)).toEqual({ kind: 'tftp', file: '/loaders/undionly.kpxe' });
    expect(log.filter((l) => l.level === 'warn').at(-1)?.message).toMatch(
      /^BIOS PCs get Bootdrop's menu: the ISO's own PXELINUX menu was chosen, but none of the sources ships one/,
    );
    const snap = await s.snapshot();
    expect(snap.state).toMatchObject({ serving: true, error: null });
    expect(snap.menu.biosMenu).toBe('iso'); // the choice stays for when the ISO comes back
    expect(snap.sources.map((x) => x.id)).toEqual([ubuntu.id]);

    // Starting afresh with only Ubuntu: serving starts all the same.
    await s.stop();
    expect(await s.start()).toMatchObject({ serving: true, error: null });
  });
});
