/**
 * The session's order of things, with its services faked by plain functions (pixiecore's booterFunc
 * pattern): each fake only records what it was asked to do, in one journal, so start-failure rollback,
 * restart order and link loss are checked without sockets. The real servers behind the same seam are
 * covered by test/integration/serve-session.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetInterface, ServingState } from '../../../main/contract';
import { firewallBlock, firewalldFinding, type FirewallCmd } from '../../../main/net';
import { Session, type EngineServices, type SourceMedium } from '../../../main/session';
import { MountedTree } from '../../../main/vfs';
import { ETH0 } from '../../helpers/fake-services';

/** A server that notes when it closes. */
const server = (journal: string[], name: string) => ({ close: async () => void journal.push(`close ${name}`) });

/** Every service as a small function writing to `journal`; `fail` names the step that throws. */
function fakeServices(
  journal: string[],
  o: { fail?: 'http' | 'layout' | 'tftp' | 'dhcp'; ifaces?: () => NetInterface[] } = {},
) {
  const step = (name: string) => {
    journal.push(`start ${name}`);
    if (o.fail === name) throw Object.assign(new Error(`${name} broke`), { code: 'EADDRINUSE' });
  };
  const services: EngineServices<string, SourceMedium> = {
    listInterfaces: () => (o.ifaces ?? (() => [ETH0]))(),
    openSource: async (hostPath) => ({
      vfs: new MountedTree(),
      kind: 'iso',
      label: hostPath,
      size: 1,
      fileSystems: [],
    }),
    planSource: async (id) => ({
      family: 'generic',
      osName: 'Test OS',
      entries: [],
      warnings: [],
      ownPxeMenu: false,
      plan: `plan of ${id}`,
    }),
    layout: async (_tree, sources) => {
      step('layout');
      journal.push(`layout got ${sources.map((s) => s.plan).join(', ')}`);
      return {
        policy: { decide: () => ({ kind: 'ignore', reason: 'test' }) },
        roles: new Map(),
        entryByKernel: new Map(),
        warnings: [],
      };
    },
    startHttp: async (s) => {
      step('http');
      journal.push(`http on ${s.address}`);
      return { port: 8080, ...server(journal, 'http') };
    },
    startTftp: async () => {
      step('tftp');
      return server(journal, 'tftp');
    },
    startDhcp: async (s) => {
      step('dhcp');
      journal.push(`dhcp on ${s.iface.name} ${s.iface.address}`);
      return { effectiveMode: 'proxy', macForIp: () => null, ...server(journal, 'dhcp') };
    },
  };
  return services;
}

let session: Session<string> | null = null;
afterEach(async () => {
  await session?.dispose();
  session = null;
  vi.useRealTimers();
});

async function serving(journal: string[], o: Parameters<typeof fakeServices>[1] = {}, linkCheckMs = 0) {
  session = new Session({ loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs }, fakeServices(journal, o));
  await session.addSource({ path: '/isos/test.iso' });
  return session;
}

describe('Session lifecycle (services as functions)', () => {
  it('tells the user and the shell when a host firewall blocks the boot ports; stopping clears it', async () => {
    const journal: string[] = [];
    const services = fakeServices(journal);
    // The real check (main/net/firewall.ts) with a stand-in firewall-cmd: only the HTTP port is open.
    const asked: string[][] = [];
    const cmd: FirewallCmd = async (args) => {
      asked.push(args);
      if (args[0] === '--state') return { ok: true, stdout: 'running\n' };
      if (args[0] === '--get-zone-of-interface=eth0') return { ok: true, stdout: 'FedoraWorkstation\n' };
      return { ok: args.join(' ') === '--zone=FedoraWorkstation --query-port=80/tcp', stdout: '' };
    };
    services.firewallBlocked = async (iface) => {
      const f = await firewalldFinding(iface, cmd);
      return f && firewallBlock(f, iface);
    };
    session = new Session({ loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs: 0 }, services);
    await session.addSource({ path: '/isos/test.iso' });
    const logged = new Promise<string>((resolve) =>
      session!.onEvent((e) => {
        if (e.type === 'log' && e.entry.level === 'warn' && e.entry.scope === 'net') resolve(e.entry.message);
      }),
    );
    const blockedState = new Promise<ServingState>((resolve) =>
      session!.onEvent((e) => {
        if (e.type === 'state' && e.state.firewallBlocked) resolve(e.state);
      }),
    );
    expect((await session.start()).serving).toBe(true);
    const command =
      'sudo firewall-cmd --zone=FedoraWorkstation --add-port=67/udp --add-port=69/udp --add-port=4011/udp';
    expect(await logged).toBe(
      'firewalld is running and blocks 67/udp, 69/udp, 4011/udp on eth0 (zone FedoraWorkstation): ' +
        `PCs will not reach Bootdrop. Open them for this session with: ${command}`,
    );
    const state = await blockedState;
    expect(state.serving).toBe(true);
    expect(state.firewallBlocked).toEqual({
      iface: 'eth0',
      zone: 'FedoraWorkstation',
      ports: ['67/udp', '69/udp', '4011/udp'],
      command,
    });
    expect(asked).toContainEqual(['--zone=FedoraWorkstation', '--query-service=tftp']);
    expect((await session.snapshot()).state.firewallBlocked).toEqual(state.firewallBlocked);
    expect((await session.stop()).firewallBlocked).toBeNull();
  });

  it('leaves firewallBlocked unset when the firewall lets every boot port in', async () => {
    const journal: string[] = [];
    const services = fakeServices(journal);
    let answered!: () => void;
    const checked = new Promise<void>((resolve) => (answered = resolve));
    services.firewallBlocked = async (iface) => {
      const f = await firewalldFinding(iface, async (args) => ({
        ok: !args[0]!.startsWith('--get-zone'),
        stdout: args[0] === '--state' ? 'running' : '',
      }));
      answered();
      return f && firewallBlock(f, iface);
    };
    session = new Session({ loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs: 0 }, services);
    await session.addSource({ path: '/isos/test.iso' });
    const states: ServingState[] = [];
    session.onEvent((e) => {
      if (e.type === 'state') states.push(e.state);
    });
    expect((await session.start()).serving).toBe(true);
    await checked;
    await new Promise((r) => setImmediate(r));
    expect(states.some((s) => s.firewallBlocked)).toBe(false);
    expect((await session.snapshot()).state.firewallBlocked ?? null).toBeNull();
  });

  it('asks firewalld again on request: the finding clears once the ports are open, and returns when closed', async () => {
    const journal: string[] = [];
    const services = fakeServices(journal);
    let open = false;
    let asked = 0;
    // Answers as firewalld would before and after "firewall-cmd --add-port=…" (the helper's hold, or by hand).
    const cmd: FirewallCmd = async (args) => {
      if (args[0] === '--state') return { ok: true, stdout: 'running\n' };
      if (args[0]!.startsWith('--get-zone-of-interface')) return { ok: true, stdout: 'public\n' };
      return { ok: open && args[1]!.startsWith('--query-port='), stdout: '' };
    };
    services.firewallBlocked = async (iface) => {
      asked++;
      const f = await firewalldFinding(iface, cmd);
      return f && firewallBlock(f, iface);
    };
    session = new Session({ loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs: 0 }, services);
    await session.addSource({ path: '/isos/test.iso' });
    // Not serving: nothing to ask, the state as it is.
    expect((await session.recheckFirewall()).firewallBlocked ?? null).toBeNull();
    expect(asked).toBe(0);
    const logs: string[] = [];
    const blocked = new Promise<void>((resolve) =>
      session!.onEvent((e) => {
        if (e.type === 'log' && e.entry.scope === 'net') logs.push(`${e.entry.level}: ${e.entry.message}`);
        if (e.type === 'state' && e.state.firewallBlocked) resolve();
      }),
    );
    await session.start();
    await blocked;
    expect((await session.snapshot()).state.firewallBlocked?.ports).toEqual(['67/udp', '69/udp', '4011/udp', '80/tcp']);

    open = true;
    const opened = await session.recheckFirewall();
    expect(opened.serving).toBe(true);
    expect(opened.firewallBlocked).toBeNull();
    expect((await session.snapshot()).state.firewallBlocked).toBeNull();
    // The same answer again changes nothing and says nothing.
    await session.recheckFirewall();
    expect(logs).toEqual([
      expect.stringMatching(/^warn: firewalld is running and blocks 67\/udp, 69\/udp, 4011\/udp, 80\/tcp on eth0/),
      'info: firewalld now lets the boot ports in on eth0',
    ]);

    open = false; // the helper's hold ended: it closed them again
    expect((await session.recheckFirewall()).firewallBlocked?.command).toBe(
      'sudo firewall-cmd --zone=public --add-port=67/udp --add-port=69/udp --add-port=4011/udp --add-port=80/tcp',
    );
    expect(logs).toHaveLength(3);
    expect(asked).toBe(4);
  });

  it("a slow firewalld answer from before does not overwrite a later one's", async () => {
    const services = fakeServices([]);
    const BLOCK = { iface: 'eth0', zone: null, ports: ['69/udp'], command: 'sudo firewall-cmd --add-port=69/udp' };
    const answers: Array<(b: typeof BLOCK | null) => void> = [];
    services.firewallBlocked = () => new Promise((resolve) => answers.push(resolve));
    session = new Session({ loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs: 0 }, services);
    await session.addSource({ path: '/isos/test.iso' });
    await session.start();
    expect(answers).toHaveLength(1); // the question asked when serving began, still unanswered
    const recheck = session.recheckFirewall();
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    answers[1]!(null); // asked later: nothing is blocked any more
    expect((await recheck).firewallBlocked ?? null).toBeNull();
    answers[0]!(BLOCK); // the first answer, arriving late
    await new Promise((r) => setImmediate(r));
    expect((await session.snapshot()).state.firewallBlocked ?? null).toBeNull();
  });

  it("with nothing to serve, names `bootdrop serve` to the terminal and the window's Open… to the desktop app", async () => {
    const opts = { loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs: 0 } as const;
    session = new Session(opts, fakeServices([]));
    expect((await session.start()).error).toEqual({
      code: 'ENOSOURCE',
      message: 'nothing to serve: no ISO or folder added',
      remedy: 'add an ISO (drop it on the window, or pass it to "bootdrop serve")',
    });
    await session.dispose();
    session = new Session({ ...opts, audience: 'window' }, fakeServices([]));
    const logged: string[] = [];
    session.onEvent((e) => e.type === 'log' && logged.push(e.entry.message));
    expect((await session.start()).error?.remedy).toBe('add an ISO: drop it on the window, or press Open…');
    // The window shows the remedy in the error note; its log keeps the fact (no terminal command in it).
    expect(logged).toEqual(['nothing to serve: no ISO or folder added']);
  });

  it('never offers loopback as the connection to the PC, but still serves on it when named (tests, CLI)', async () => {
    const journal: string[] = [];
    const lo: NetInterface = {
      ...ETH0,
      name: 'lo',
      address: '127.0.0.1',
      prefix: 8,
      kind: 'loopback',
      recommended: false,
    };
    const s = await serving(journal, { ifaces: () => [lo, ETH0] });
    expect((await s.snapshot()).interfaces.map((i) => i.name)).toEqual(['eth0']);
    expect((await s.refreshInterfaces()).map((i) => i.name)).toEqual(['eth0']);
    await s.setInterface({ name: 'lo' });
    expect((await s.start()).address).toBe('127.0.0.1');
  });

  it('starts HTTP, then the layout (with the plan it was given back), TFTP, DHCP; stops DHCP first', async () => {
    const journal: string[] = [];
    const s = await serving(journal);
    expect((await s.start()).serving).toBe(true);
    expect(journal).toEqual([
      'start http',
      'http on 10.0.0.2',
      'start layout',
      expect.stringMatching(/^layout got plan of /),
      'start tftp',
      'start dhcp',
      'dhcp on eth0 10.0.0.2',
    ]);
    journal.length = 0;
    expect((await s.stop()).serving).toBe(false);
    expect(journal).toEqual(['close dhcp', 'close tftp', 'close http']);
  });

  it.each([
    ['http', []],
    ['layout', ['close http']],
    ['tftp', ['close http']],
    ['dhcp', ['close tftp', 'close http']],
  ] as const)('a failing %s step closes what had started, newest first, and reports it', async (fail, closed) => {
    const journal: string[] = [];
    const s = await serving(journal, { fail });
    const state = await s.start();
    expect(state.serving).toBe(false);
    expect(state.error?.message).toContain(`${fail} broke`);
    expect(state.error?.remedy).toBeTruthy();
    expect(journal.filter((l) => l.startsWith('close'))).toEqual(closed);
    // Nothing is left running: a later stop closes nothing more.
    journal.length = 0;
    await s.stop();
    expect(journal).toEqual([]);
  });

  it('a mode change while serving stops everything before starting again', async () => {
    const journal: string[] = [];
    const s = await serving(journal);
    await s.start();
    journal.length = 0;
    await s.setMode({ mode: 'auto' });
    const firstStart = journal.indexOf('start http');
    expect(journal.slice(0, firstStart)).toEqual(['close dhcp', 'close tftp', 'close http']);
    expect(journal.slice(firstStart).filter((l) => l.startsWith('start'))).toEqual([
      'start http',
      'start layout',
      'start tftp',
      'start dhcp',
    ]);
    expect((await s.snapshot()).state.serving).toBe(true);
  });

  it('stops when the link goes down and serves again, on the same interface, when it returns', async () => {
    vi.useFakeTimers();
    let link: NetInterface[] = [ETH0];
    const journal: string[] = [];
    const s = await serving(journal, { ifaces: () => link }, 1000);
    await s.start();
    journal.length = 0;
    link = [{ ...ETH0, up: false }];
    await vi.advanceTimersByTimeAsync(1000);
    expect(journal).toEqual(['close dhcp', 'close tftp', 'close http']);
    const down = (await s.snapshot()).state;
    expect(down.serving).toBe(false);
    expect(down.error?.code).toBe('ELINKDOWN');
    journal.length = 0;
    await vi.advanceTimersByTimeAsync(1000); // still down: nothing is tried
    expect(journal).toEqual([]);
    link = [{ ...ETH0, address: '10.0.0.7' }];
    await vi.advanceTimersByTimeAsync(1000);
    expect(journal).toContain('dhcp on eth0 10.0.0.7');
    expect((await s.snapshot()).state).toMatchObject({ serving: true, address: '10.0.0.7', error: null });
  });
});
