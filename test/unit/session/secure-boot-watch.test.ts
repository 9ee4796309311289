import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecureBootWatch, SIGNED_CHAIN } from '../../../main/session/secure-boot-watch';

const MAC = '52:54:00:aa:bb:cc';

describe('SecureBootWatch: what a UEFI PC fetches says about Secure Boot', () => {
  let notices: Array<{ mac: string; text: string }>;
  let ownDhcp: boolean;
  let watch: SecureBootWatch;
  beforeEach(() => {
    vi.useFakeTimers();
    notices = [];
    ownDhcp = false;
    watch = new SecureBootWatch({ notice: (mac, _l, text) => notices.push({ mac, text }), ownDhcp: () => ownDhcp });
  });
  afterEach(() => {
    watch.clear();
    vi.useRealTimers();
  });

  it('iPXE fetched and run (menu script fetched): no refusal, no notice', () => {
    watch.sawFetch(MAC, '/loaders/ipxe.efi', 'done');
    watch.sawFetch(MAC, '/boot.ipxe', 'done');
    vi.advanceTimersByTime(60_000);
    expect(watch.refusedIpxe(MAC)).toBe(false);
    expect(watch.chainOf(MAC)).toBe('iPXE');
    expect(notices).toEqual([]);
  });

  it('iPXE fetched, never run: the next attempt gets the signed chain, and the user hears why (proxy)', () => {
    watch.sawFetch(MAC, '/loaders/ipxe.efi', 'done');
    expect(watch.refusedIpxe(MAC.toUpperCase())).toBe(true);
    vi.advanceTimersByTime(30_000);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toMatch(/Secure Boot probably refused it.*cable directly to this computer/);
    watch.sawFetch(MAC, '/loaders/shimx64.efi', 'done');
    expect(watch.refusedIpxe(MAC), 'after one signed try, iPXE again (Secure Boot may be off by then)').toBe(false);
    expect(watch.chainOf(MAC)).toBe(SIGNED_CHAIN);
  });

  it('iPXE downloaded by UEFI HTTP Boot, never run: the notice says HTTP Boot has no signed chain', () => {
    watch.sawFetch(MAC, '/loaders/snponly.efi', 'done', 'http');
    expect(watch.chainOf(MAC)).toBe('iPXE');
    expect(watch.refusedIpxe(MAC), "the PC's next PXE attempt gets the signed chain").toBe(true);
    vi.advanceTimersByTime(30_000);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toMatch(/by UEFI HTTP Boot .*no signed chain.*cable directly.*boot it by PXE/);
    ownDhcp = true;
    watch.sawFetch(MAC, '/loaders/snponly.efi', 'done', 'http');
    vi.advanceTimersByTime(30_000);
    expect(notices[1]!.text).not.toMatch(/cable/);
    watch.sawFetch(MAC, '/boot.ipxe', 'done', 'http');
    expect(watch.refusedIpxe(MAC), 'iPXE ran after all').toBe(false);
  });

  it('GRUB fetched but never asks for grub.cfg: beside a router, say cable or Secure Boot off', () => {
    watch.sawFetch(MAC, '/loaders/shimx64.efi', 'done');
    watch.sawFetch(MAC, '/loaders/grubx64.efi', 'done');
    vi.advanceTimersByTime(29_000);
    expect(notices).toEqual([]);
    vi.advanceTimersByTime(2_000);
    expect(notices[0]!.text).toMatch(/ignores Bootdrop's proxyDHCP reply.*turn Secure Boot off/);
  });

  it('GRUB that reads its menu: no notice; an entry refused under Secure Boot is reported', () => {
    ownDhcp = true;
    watch.sawFetch(MAC, '/loaders/shimx64.efi', 'done');
    watch.sawFetch(MAC, '/loaders/grubx64.efi', 'done');
    watch.sawFetch(MAC, '/grub/grub.cfg', 'done');
    vi.advanceTimersByTime(60_000);
    expect(notices).toEqual([]);
    watch.sawFetch(MAC, '/secure-boot/refused/live/live-system.txt', 'done');
    expect(notices[0]!.text).toMatch(/Secure Boot is on and refused "live:live-system"/);
  });

  describe('GRUB restarts the PC into iPXE (Secure Boot off, iPXE-only entry)', () => {
    let now: number;
    beforeEach(() => {
      now = 1_000_000;
      ownDhcp = true;
      watch = new SecureBootWatch({
        notice: (mac, _l, text) => notices.push({ mac, text }),
        ownDhcp: () => ownDhcp,
        label: (id) => (id === 'cd:sanboot' ? 'Whole CD' : null),
        now: () => now,
      });
      watch.sawFetch(MAC, '/loaders/shimx64.efi', 'done');
      watch.sawFetch(MAC, '/loaders/grubx64.efi', 'done');
      watch.sawFetch(MAC, '/grub/grub.cfg', 'done');
    });

    it("the note's fetch marks the PC; the firmware's iPXE and the menu's default use it once", () => {
      expect(watch.wantsIpxe(MAC)).toBe(false);
      watch.sawFetch(MAC, '/secure-boot/restart-ipxe/cd/sanboot.txt', 'active');
      expect(watch.wantsIpxe(MAC), 'only a finished fetch counts').toBe(false);
      watch.sawFetch(MAC, '/secure-boot/restart-ipxe/cd/sanboot.txt', 'done');
      expect(notices.map((n) => n.text)).toEqual([expect.stringMatching(/^restarting into iPXE for "Whole CD"/)]);
      expect(watch.wantsIpxe(MAC.toUpperCase())).toBe(true);
      expect(watch.takeIpxePick(MAC), 'no menu pick before iPXE was handed out').toBeNull();
      // the PC reboots; its firmware gets iPXE: the expected restart, not a refusal or GRUB chaining iPXE
      watch.sawFetch(MAC, '/loaders/snponly.efi', 'done');
      expect(watch.wantsIpxe(MAC), 'iPXE is handed out once').toBe(false);
      expect(watch.refusedIpxe(MAC)).toBe(true); // until iPXE fetches its menu, as for any iPXE
      expect(watch.chainOf(MAC)).toBe('iPXE (restarted from GRUB for "Whole CD")');
      watch.sawFetch(MAC, '/boot.ipxe', 'active');
      expect(watch.refusedIpxe(MAC)).toBe(false);
      expect(watch.takeIpxePick(MAC)).toEqual({ entryId: 'cd:sanboot', label: 'Whole CD' });
      expect(watch.takeIpxePick(MAC), 'used up').toBeNull();
      vi.advanceTimersByTime(60_000);
      expect(notices, 'no "never ran" notice').toHaveLength(1);
    });

    it('iPXE handed out after the restart but never run: the notice says so, not "Secure Boot refused it"', () => {
      watch.sawFetch(MAC, '/secure-boot/restart-ipxe/cd/sanboot.txt', 'done');
      watch.sawFetch(MAC, '/loaders/snponly.efi', 'done');
      vi.advanceTimersByTime(30_000);
      expect(notices.at(-1)!.text).toMatch(
        /^this PC restarted into iPXE for "Whole CD", but iPXE never fetched its menu/,
      );
      expect(notices.at(-1)!.text).not.toMatch(/Secure Boot probably refused/);
      expect(watch.refusedIpxe(MAC), 'its next attempt gets GRUB again, no loop').toBe(true);
      expect(watch.wantsIpxe(MAC)).toBe(false);
    });

    it('the mark expires after 5 minutes, and is dropped when the PC comes back to the signed chain', () => {
      watch.sawFetch(MAC, '/secure-boot/restart-ipxe/cd/sanboot.txt', 'done');
      now += 5 * 60_000 - 1;
      expect(watch.wantsIpxe(MAC)).toBe(true);
      now += 1;
      expect(watch.wantsIpxe(MAC)).toBe(false);
      watch.sawFetch(MAC, '/loaders/snponly.efi', 'done');
      expect(watch.chainOf(MAC)).not.toMatch(/restarted/);
      expect(watch.takeIpxePick(MAC)).toBeNull();

      watch.sawFetch(MAC, '/secure-boot/restart-ipxe/other/entry.txt', 'done');
      expect(notices.at(-1)!.text).toMatch(/^restarting into iPXE for "other:entry"/);
      watch.sawFetch(MAC, '/loaders/shimx64.efi', 'done');
      expect(watch.wantsIpxe(MAC)).toBe(false);
    });
  });
});
