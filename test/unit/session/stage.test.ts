import { describe, expect, it } from 'vitest';
import { roleOfFile, stageAfterDhcp, stageAfterTransfer } from '../../../main/session/stage';

describe('roleOfFile', () => {
  it.each([
    ['undionly.kpxe', 'loader'],
    ['/ipxe.efi', 'loader'],
    ['/arch/boot/syslinux/lpxelinux.0', 'loader'],
    ['/arch/boot/syslinux/ldlinux.c32', 'loader'],
    ['/boot.ipxe', 'menu'],
    ['/arch/boot/syslinux/pxelinux.cfg/01-52-54-00-12-34-56', 'menu'],
    ['/arch/boot/syslinux/archiso_pxe.cfg', 'menu'],
    ['/iso/ubuntu/casper/vmlinuz', 'kernel'],
    ['/iso/arch/arch/boot/x86_64/vmlinuz-linux', 'kernel'],
    ['/iso/ubuntu/casper/initrd', 'initrd'],
    ['/iso/arch/arch/boot/x86_64/initramfs-linux.img', 'initrd'],
    ['/iso/arch/arch/x86_64/airootfs.sfs', 'rootfs'],
    ['/iso/debian/live/filesystem.squashfs', 'rootfs'],
    ['/iso/ubuntu.iso', 'rootfs'],
    ['/iso/ubuntu/.disk/info', null],
  ] as const)('%s is %s', (file, role) => {
    expect(roleOfFile(file)).toBe(role);
  });

  it('prefers what the plan knows over the name', () => {
    const known = new Map([['/iso/x/boot/bzimage64.bin', 'kernel' as const]]);
    expect(roleOfFile('/ISO/x/boot/bzImage64.bin', known)).toBe('kernel');
    expect(roleOfFile('\\iso\\x\\boot\\bzImage64.bin', known)).toBe('kernel');
  });
});

describe('stage transitions', () => {
  it('moves forward only', () => {
    expect(stageAfterTransfer('dhcp', 'loader', 'active')).toBe('loader');
    expect(stageAfterTransfer('kernel', 'loader', 'done')).toBe('kernel'); // a c32 module after the kernel
    expect(stageAfterTransfer('initrd', 'rootfs', 'active')).toBe('rootfs');
    expect(stageAfterTransfer('rootfs', 'rootfs', 'done')).toBe('done');
    expect(stageAfterTransfer('initrd', 'rootfs', 'done', true)).toBe('rootfs'); // one HTTP range of it
  });

  it('an aborted loader probe is not a failure, a failed kernel is', () => {
    expect(stageAfterTransfer('dhcp', 'loader', 'aborted')).toBe('dhcp');
    expect(stageAfterTransfer('dhcp', 'loader', 'failed')).toBe('dhcp');
    expect(stageAfterTransfer('kernel', 'kernel', 'failed')).toBe('failed');
    expect(stageAfterTransfer('kernel', null, 'done')).toBe('kernel');
  });

  it('DHCP again restarts a finished or quiet client, not one mid-boot', () => {
    expect(stageAfterDhcp('done', 1000, 2000)).toBe('dhcp');
    expect(stageAfterDhcp('failed', 1000, 2000)).toBe('dhcp');
    expect(stageAfterDhcp('initrd', 1000, 2000)).toBe('initrd');
    expect(stageAfterDhcp('initrd', 1000, 100_000)).toBe('dhcp');
  });
});
