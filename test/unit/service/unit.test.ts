import { describe, expect, it } from 'vitest';
import { checkUser, execWord, renderUnit, UNIT_MARKER, UnitError, type UnitOptions } from '../../../main/service';

const BASE: UnitOptions = {
  node: '/usr/bin/node',
  script: '/opt/bootdrop/bin/bootdrop.js',
  config: '/etc/bootdrop/bootdrop.json',
  user: null,
  serveArgs: [],
};

/** The unit's lines as key → values (a key may repeat). */
function directives(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

describe('renderUnit', () => {
  it('runs serve --config, reloads with SIGHUP, restarts on failure but not on a bad config', () => {
    const unit = renderUnit(BASE);
    expect(unit.startsWith(UNIT_MARKER + '\n[Unit]\n')).toBe(true);
    const d = directives(unit);
    expect(d.get('ExecStart')).toEqual([
      '/usr/bin/node /opt/bootdrop/bin/bootdrop.js serve --config /etc/bootdrop/bootdrop.json',
    ]);
    expect(d.get('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('RestartPreventExitStatus')).toEqual(['2']);
    expect(d.get('After')).toEqual(['network-online.target']);
    expect(d.get('WantedBy')).toEqual(['multi-user.target']);
    expect(d.get('ProtectSystem')).toEqual(['strict']);
    // Root already may bind low ports: no user, no capability lines.
    expect(d.has('User')).toBe(false);
    expect(d.has('AmbientCapabilities')).toBe(false);
  });

  it('gives a --user exactly the right to bind ports below 1024, and no raw sockets', () => {
    const d = directives(renderUnit({ ...BASE, user: 'bootdrop' }));
    expect(d.get('User')).toEqual(['bootdrop']);
    expect(d.get('AmbientCapabilities')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(d.get('CapabilityBoundingSet')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(d.get('NoNewPrivileges')).toEqual(['yes']);
  });

  it('passes serve options on, quoted as systemd reads them', () => {
    const d = directives(
      renderUnit({
        ...BASE,
        config: '/etc/boot drop/my $HOME 100%.json',
        serveArgs: ['--http-port', '8080', '--append', 'quiet "x"'],
      }),
    );
    expect(d.get('ExecStart')).toEqual([
      '/usr/bin/node /opt/bootdrop/bin/bootdrop.js serve --config "/etc/boot drop/my $$HOME 100%%.json" --http-port 8080 --append "quiet \\"x\\""',
    ]);
  });

  it('refuses relative paths, odd user names and control characters, saying what to do', () => {
    for (const bad of [
      { ...BASE, config: 'bootdrop.json' },
      { ...BASE, node: 'node' },
      { ...BASE, user: 'root; rm' },
      { ...BASE, serveArgs: ['--append', 'a\nb'] },
    ]) {
      expect(() => renderUnit(bad)).toThrow(UnitError);
      try {
        renderUnit(bad);
      } catch (err) {
        expect((err as UnitError).remedy.length).toBeGreaterThan(10);
      }
    }
  });
});

describe('execWord', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(execWord('/usr/bin/node')).toBe('/usr/bin/node');
    expect(execWord('--http-port=8080')).toBe('--http-port=8080');
    expect(execWord('')).toBe('""');
    expect(execWord(';')).toBe('";"');
    expect(execWord('a b')).toBe('"a b"');
    expect(execWord('back\\slash')).toBe('"back\\\\slash"');
    expect(execWord("it's")).toBe('"it\'s"');
    expect(execWord('%h')).toBe('%%h');
  });
});

describe('checkUser', () => {
  it('takes user names and uids', () => {
    expect(checkUser('bootdrop')).toBe('bootdrop');
    expect(checkUser('_pxe-1')).toBe('_pxe-1');
    expect(checkUser('1001')).toBe('1001');
    expect(() => checkUser('-x')).toThrow(/not a valid user name/);
    expect(() => checkUser('a b')).toThrow(UnitError);
  });
});
