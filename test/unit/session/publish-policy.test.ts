import { describe, expect, it } from 'vitest';
import { publishRefusal, systemFolderOf } from '../../../main/session/publish-policy';

describe('publish policy', () => {
  it('never publishes system folders or anything in them, folders or ISO files', () => {
    for (const p of [
      '/etc',
      '/usr',
      '/usr/share/doc',
      '/proc',
      '/proc/1',
      '/sys',
      '/dev',
      '/boot',
      '/var/lib',
      '/root',
    ]) {
      expect(publishRefusal(p, 'dir', ['isolinux']), p).toMatch(
        /is in the system folder \/\w+: Bootdrop never publishes system folders/,
      );
    }
    expect(publishRefusal('/etc/x.iso', 'file', [])).toMatch(/system folder \/etc/);
    expect(publishRefusal('/root/backup.iso', 'file', [])).toMatch(/system folder \/root/);
    expect(systemFolderOf('/etcetera')).toBeNull();
    expect(systemFolderOf('/usr')).toBe('/usr');
  });

  it('names the real place when the UI asked through a symlink', () => {
    expect(publishRefusal('/etc', 'dir', [], '/tmp/innocent')).toMatch(
      /^"\/tmp\/innocent" \(which is \/etc\) is in the system folder \/etc/,
    );
  });

  it('refuses the root, /home, /tmp, /mnt themselves and home folders', () => {
    for (const p of ['/', '/home', '/tmp', '/mnt', '/media'])
      expect(publishRefusal(p, 'dir', ['boot']), p).toMatch(/holds other folders/);
    expect(publishRefusal('/home/alice', 'dir', ['Downloads', 'boot'])).toMatch(/is a home folder/);
    expect(publishRefusal('/srv2/alice', 'dir', ['.ssh', 'boot'])).toMatch(
      /holds \.ssh, so it looks like a home folder/,
    );
  });

  it('publishes ISO files and folders that look like installation media, nothing else', () => {
    expect(publishRefusal('/home/alice/Downloads/arch.ISO', 'file', [])).toBeNull();
    expect(publishRefusal('/home/alice/notes.txt', 'file', [])).toMatch(/is not an \.iso file/);
    expect(publishRefusal('/mnt/usb', 'dir', ['Documents', 'photo.jpg'])).toMatch(
      /does not look like an installation medium/,
    );
    for (const top of [
      ['isolinux'],
      ['EFI', 'README'],
      ['casper'],
      ['LiveOS'],
      ['images'],
      ['memtest86+x64.bin'],
      ['vmlinuz', 'initrd.img'],
    ])
      expect(publishRefusal('/mnt/usb', 'dir', top), top.join()).toBeNull();
  });
});
