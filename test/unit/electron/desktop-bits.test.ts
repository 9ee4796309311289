import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { once } from 'node:events';
import type { NotificationConstructorOptions } from 'electron';
import { KeepAwake } from '../../../electron/keep-awake';
import { MAX_LIVE_NOTIFICATIONS, Notifier } from '../../../electron/notifier';
import { openDialogOptions } from '../../../electron/open-dialog';
import { hasTrayHost, nameHasOwner, trayGuess, WATCHER } from '../../../electron/tray-host';

describe('tray host (is there a tray to hide into?)', () => {
  const never = async (): Promise<boolean | null> => {
    throw new Error('not asked');
  };

  it('Windows and macOS always have one; Linux asks the session bus for a StatusNotifierWatcher', async () => {
    expect(await hasTrayHost('win32', {}, never)).toBe(true);
    expect(await hasTrayHost('darwin', {}, never)).toBe(true);
    const bus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' };
    expect(await hasTrayHost('linux', { ...bus, XDG_CURRENT_DESKTOP: 'KDE' }, async () => false)).toBe(false);
    expect(await hasTrayHost('linux', { ...bus, XDG_CURRENT_DESKTOP: 'GNOME' }, async () => true)).toBe(true);
  });

  it('without a bus answer, guesses from the desktop: plain GNOME has no tray, Ubuntu and the rest do', async () => {
    const bus = { XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(await hasTrayHost('linux', { ...bus, XDG_CURRENT_DESKTOP: 'GNOME' }, async () => null)).toBe(false);
    expect(await hasTrayHost('linux', { XDG_CURRENT_DESKTOP: 'GNOME' }, never)).toBe(false); // no bus: not asked
    expect(trayGuess({ XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' })).toBe(true);
    expect(trayGuess({ XDG_CURRENT_DESKTOP: 'KDE' })).toBe(true);
    expect(trayGuess({ XDG_CURRENT_DESKTOP: 'X-Cinnamon' })).toBe(true);
    expect(trayGuess({})).toBe(true);
  });
});

// A private session bus (dbus-daemon), asked the way the shell asks a desktop's bus.
describe.skipIf(spawnSync('dbus-daemon', ['--version']).status !== 0)('tray host against a real D-Bus daemon', () => {
  it('reads the bus answer: the bus itself has an owner, the StatusNotifierWatcher here has none', async () => {
    const daemon = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const [chunk] = (await once(daemon.stdout, 'data')) as [Buffer];
      const env = { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: chunk.toString().trim() };
      expect(await nameHasOwner('org.freedesktop.DBus', env)).toBe(true);
      expect(await nameHasOwner(WATCHER, env)).toBe(false);
      // A bus that is gone: "cannot ask", so the shell falls back to its guess.
      expect(await nameHasOwner(WATCHER, { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' })).toBe(
        null,
      );
    } finally {
      daemon.kill();
    }
  });
});

describe('KeepAwake', () => {
  it('holds one blocker while serving and lets go when serving stops', () => {
    const calls: string[] = [];
    let next = 7;
    const keep = new KeepAwake({
      start: (type) => {
        calls.push(`start ${type}`);
        return next++;
      },
      stop: (id) => {
        calls.push(`stop ${id}`);
        return true;
      },
    });
    keep.follow(false);
    keep.follow(true);
    keep.follow(true);
    expect(keep.held).toBe(true);
    keep.follow(false);
    keep.follow(false);
    keep.follow(true);
    expect(calls).toEqual(['start prevent-app-suspension', 'stop 7', 'start prevent-app-suspension']);
  });
});

describe('Notifier', () => {
  class FakeNotification extends EventEmitter {
    static supported = true;
    static isSupported(): boolean {
      return FakeNotification.supported;
    }
    shown = false;
    constructor(readonly options: NotificationConstructorOptions) {
      super();
    }
    show(): void {
      this.shown = true;
    }
  }
  const made: FakeNotification[] = [];
  class Counting extends FakeNotification {
    constructor(options: NotificationConstructorOptions) {
      super(options);
      made.push(this);
    }
  }

  it('keeps notifications referenced until they close, so a late click still works; bounded', () => {
    let clicks = 0;
    const notifier = new Notifier({
      Notification: Counting as unknown as ConstructorParameters<typeof Notifier>[0]['Notification'],
      icon: '/app/icon.png',
      onClick: () => clicks++,
    });
    notifier.show({ title: 'a', body: 'b' });
    expect(made[0]).toMatchObject({ shown: true, options: { title: 'a', body: 'b', icon: '/app/icon.png' } });
    expect(notifier.liveCount).toBe(1);
    made[0]!.emit('click');
    expect(clicks).toBe(1);
    made[0]!.emit('close');
    expect(notifier.liveCount).toBe(0);
    for (let i = 0; i < MAX_LIVE_NOTIFICATIONS + 5; i++) notifier.show({ title: `n${i}`, body: '' });
    expect(notifier.liveCount).toBe(MAX_LIVE_NOTIFICATIONS);
    FakeNotification.supported = false;
    notifier.show({ title: 'unsupported', body: '' });
    expect(made.at(-1)!.options.title).toBe(`n${MAX_LIVE_NOTIFICATIONS + 4}`);
  });
});

describe('open dialog options', () => {
  it('ISOs: several files, ISO filter in both cases, and an escape hatch; folder: one directory', () => {
    expect(openDialogOptions('isos')).toMatchObject({
      properties: ['openFile', 'multiSelections'],
      filters: [
        { name: 'Disk images (ISO)', extensions: ['iso', 'ISO'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    expect(openDialogOptions('folder')).toMatchObject({ properties: ['openDirectory'] });
    expect(openDialogOptions('folder').filters).toBeUndefined();
  });
});
