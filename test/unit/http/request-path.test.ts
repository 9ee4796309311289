import { describe, expect, it } from 'vitest';
import { contentTypeFor } from '../../../main/http/content-type';
import { decodeRequestPath } from '../../../main/http/request-path';

describe('HTTP request path decoding', () => {
  it.each([
    ['/boot.ipxe', '/boot.ipxe', false],
    ['/iso/abc/casper/vmlinuz?x=1#frag', '/iso/abc/casper/vmlinuz', false],
    ['/a%20b/c%2Bd', '/a b/c+d', false],
    ['//double//slash', '/double/slash', false],
    ['/./a/./b', '/a/b', false],
    ['/dir/', '/dir', true],
    ['/', '/', true],
    ['/caf%C3%A9', '/café', false],
    ['/a%2fb', '/a/b', false],
    ['/a\\b', '/a/b', false],
    ['http://10.0.0.1/boot.ipxe', '/boot.ipxe', false],
    ['HTTP://host:80', '/', true],
  ])('%s → %s', (target, path, dir) => {
    expect(decodeRequestPath(target)).toEqual({ ok: true, path, dir });
  });

  it.each([
    ['/../etc/passwd', true],
    ['/a/../../etc/passwd', true],
    ['/a/../b', true],
    ['/%2e%2e/etc/passwd', true],
    ['/%2E%2E%2Fetc%2Fpasswd', true],
    ['/..%2f..%2fetc/passwd', true],
    ['/..%5c..%5cetc%5cpasswd', true],
    ['/..\\..\\etc\\passwd', true],
    ['/.%2e/x', true],
    ['/%c0%ae%c0%ae/etc/passwd', true], // overlong UTF-8 '.'
    ['/%c0%af', true], // overlong '/'
    ['/%e0%80%ae', true],
    ['/file%00.txt', true],
    ['/a%0d%0aX: y', true],
    ['/%ff', true], // not UTF-8
    ['/%', false],
    ['/%2', false],
    ['/%zz', false],
    ['/%%32%65', false],
    ['*', false],
    ['relative/path', false],
    ['/\u0100', false],
  ])('refuses %s (traversal: %s)', (target, traversal) => {
    const r = decodeRequestPath(target);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.traversal).toBe(traversal);
      expect(r.reason).not.toBe('');
    }
  });
});

describe('Content-Type table', () => {
  it.each([
    ['/boot.ipxe', 'text/plain; charset=utf-8'],
    ['/pxelinux.cfg/default', 'application/octet-stream'],
    ['/isolinux/isolinux.CFG', 'text/plain; charset=utf-8'],
    ['/casper/filesystem.squashfs', 'application/octet-stream'],
    ['/casper/vmlinuz', 'application/octet-stream'],
    ['/ubuntu.iso', 'application/x-iso9660-image'],
    ['/EFI/BOOT/BOOTX64.EFI', 'application/efi'],
    ['/.hidden', 'application/octet-stream'],
  ])('%s → %s', (path, type) => {
    expect(contentTypeFor(path)).toBe(type);
  });
});
