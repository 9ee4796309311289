/**
 * The config reload on a Session whose services are small functions (test/helpers/fake-services.ts):
 * which changes restart the servers (interface, mode) and which do not (ISOs, menu), and that a bad file
 * changes nothing. The real CLI, sockets and SIGHUP: test/integration/serve-config.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BootdropSettings } from '../../../main/config';
import type { LogEntry } from '../../../main/contract';
import {
  ConfiguredServe,
  describeMenuChange,
  desiredConfig,
  type CommandLineOverrides,
} from '../../../main/cli/serve-config';
import { DEFAULT_MENU } from '../../../main/boot';
import { Session } from '../../../main/session';
import { fakeServices } from '../../helpers/fake-services';

const NO_FLAGS: CommandLineOverrides = {
  paths: [],
  interfaceName: null,
  mode: null,
  append: null,
  timeoutSec: null,
  defaultEntry: null,
  classic: false,
};

const FILE: BootdropSettings = { version: 1, sources: ['/isos/a.iso'], interfaceName: null, mode: 'proxy', menu: null };

describe('desiredConfig', () => {
  it('takes the file, with each option given on the command line on top', () => {
    expect(desiredConfig(FILE, NO_FLAGS)).toEqual({
      sources: ['/isos/a.iso'],
      interfaceName: null,
      mode: 'proxy',
      menu: { ...DEFAULT_MENU, biosMenu: 'bootdrop' },
      relayPools: [],
    });
    const d = desiredConfig(
      { ...FILE, interfaceName: 'eth1', menu: { ...DEFAULT_MENU, timeoutSec: 9, append: 'quiet' } },
      { ...NO_FLAGS, paths: ['/isos/b.iso', '/isos/a.iso'], mode: 'dhcp', append: 'console=ttyS0', classic: true },
    );
    expect(d.sources).toEqual(['/isos/a.iso', '/isos/b.iso']);
    expect(d.interfaceName).toBe('eth1');
    expect(d.mode).toBe('dhcp');
    expect(d.menu).toMatchObject({ timeoutSec: 9, append: 'console=ttyS0', biosMenu: 'iso' });
  });
});

describe('describeMenuChange', () => {
  it('says what changed, and nothing when nothing did', () => {
    const m = { ...DEFAULT_MENU, overrides: {} };
    expect(describeMenuChange(m, { ...m })).toEqual([]);
    expect(
      describeMenuChange(m, {
        ...m,
        timeoutSec: 0,
        defaultEntryId: 'a:live',
        append: 'quiet',
        biosMenu: 'iso',
        overrides: { 'a:live': { enabled: false } },
      }),
    ).toEqual([
      'timeout 5 → 0 s',
      'default entry none → a:live',
      'kernel arguments "" → "quiet"',
      'BIOS menu bootdrop → iso',
      'entry edits changed for a:live',
    ]);
  });
});

describe('ConfiguredServe.reload', () => {
  let dir: string;
  let file: string;
  let session: Session<string>;
  let journal: string[];
  let log: LogEntry[];
  let served: ConfiguredServe;
  const write = (s: unknown) => writeFileSync(file, typeof s === 'string' ? s : JSON.stringify(s));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootdrop-reload-'));
    file = join(dir, 'bootdrop.json');
    write(FILE);
    journal = [];
    log = [];
    const desired = await ConfiguredServe.read(file, NO_FLAGS);
    session = new Session(
      { loadersDir: '/nowhere', httpPort: 0, mode: desired.mode, linkCheckMs: 0 },
      fakeServices(journal),
    );
    session.onEvent((e) => e.type === 'log' && log.push(e.entry));
    served = new ConfiguredServe(session as unknown as Session, file, NO_FLAGS, (w) => w);
    await served.start(desired);
    await session.start();
    journal.length = 0;
  });
  afterEach(async () => {
    await session.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const configLines = () => log.filter((e) => e.scope === 'config').map((e) => `${e.level}: ${e.message}`);

  it('adds an ISO and edits the menu without restarting the servers', async () => {
    write({ ...FILE, sources: ['/isos/a.iso', '/isos/b.iso'], menu: { ...DEFAULT_MENU, timeoutSec: 2 } });
    const r = await served.reload();
    expect(r).toEqual({ ok: true, changes: ['added Test OS (b.iso)', 'menu: timeout 5 → 2 s'] });
    expect(journal.filter((l) => l.startsWith('close') || l.startsWith('start'))).toEqual([]);
    expect((await session.snapshot()).menu.timeoutSec).toBe(2);
    expect(configLines().at(-1)).toBe(`info: reloaded ${file}: added Test OS (b.iso); menu: timeout 5 → 2 s`);
  });

  it('restarts the servers once for a mode and interface change', async () => {
    write({ ...FILE, mode: 'dhcp', interfaceName: 'eth0' });
    const r = await served.reload();
    expect(r.changes).toEqual(['mode proxy → dhcp', 'interface recommended → eth0', 'servers restarted']);
    expect(journal.filter((l) => l === 'start http')).toHaveLength(1);
    expect((await session.snapshot()).state).toMatchObject({ serving: true, mode: 'dhcp' });
  });

  it('keeps everything when the file is broken or names an ISO that cannot be opened', async () => {
    write('{"version": 1, "sources": [');
    expect(await served.reload()).toEqual({ ok: false, changes: [] });
    write({ ...FILE, sources: ['/isos/a.iso', '/isos/broken.iso'], mode: 'dhcp' });
    expect(await served.reload()).toEqual({ ok: false, changes: [] });
    const [syntax, broken] = configLines().slice(-2);
    expect(syntax).toMatch(
      /^error: reload failed: .*bootdrop\.json: not valid JSON \(line 1, column 28, the end of the file/,
    );
    expect(syntax).toContain('still serving the previous configuration; what to do: fix the JSON');
    expect(broken).toContain(
      'cannot serve /isos/broken.iso: not an ISO image — still serving the previous configuration',
    );
    expect(session.effectiveSources().map((s) => s.id)).toEqual(['a']);
    expect((await session.snapshot()).state).toMatchObject({ serving: true, mode: 'proxy' });
    expect(journal.filter((l) => l.startsWith('close'))).toEqual([]);
  });

  it('starts serving once a reload brings the first ISO', async () => {
    write({ ...FILE, sources: [] });
    expect((await served.reload()).changes).toEqual(['removed Test OS (a.iso)']);
    await session.stop();
    write(FILE);
    expect((await served.reload()).changes).toEqual(['added Test OS (a.iso)', 'started serving']);
    expect((await session.snapshot()).state.serving).toBe(true);
  });
});
