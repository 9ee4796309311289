import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MENU, renderIpxeScript } from '../../../main/boot';
import { grubQuote, refusedNotePath, renderGrubConfig, restartIntoIpxePath } from '../../../main/boot/grub-menu';
import { PxePolicy } from '../../../main/boot/pxe-policy';
import { SecureBootPolicy } from '../../../main/boot/secure-boot/policy';
import type { ClientArch, ClientFacts } from '../../../main/boot/policy';
import type { BootEntry, EntrySecureBoot, MenuSettings, SourceSummary } from '../../../main/contract';

const SIGNED: EntrySecureBoot = {
  bootable: true,
  chain: 'Debian shim → GRUB',
  reason: 'kernel signed by Debian',
  cpu: 'x64',
};
const UNSIGNED: EntrySecureBoot = {
  bootable: false,
  chain: null,
  reason: 'unsigned kernel: Secure Boot refuses it',
  cpu: 'x64',
};

function entry(id: string, over: Partial<BootEntry> = {}): BootEntry {
  return {
    id: `s1:${id}`,
    sourceId: 's1',
    label: id,
    kind: 'linux',
    kernel: '/live/vmlinuz',
    initrd: ['/live/initrd.img'],
    cmdline: 'boot=live fetch=http://<server>/iso/s1/live/filesystem.squashfs',
    enabled: true,
    isDefault: false,
    origin: 'iso-menu',
    firmware: ['bios', 'uefi'],
    secureBoot: SIGNED,
    ...over,
  };
}

function source(entries: BootEntry[], over: Partial<SourceSummary> = {}): SourceSummary {
  return {
    id: 's1',
    path: '/isos/live.iso',
    kind: 'iso',
    label: 'DEBIAN_LIVE',
    size: 1,
    family: 'live-boot',
    osName: 'Debian 12',
    fileSystems: [],
    entries,
    warnings: [],
    ...over,
  };
}

const SERVER = { ip: '192.168.1.10', httpPort: 8080 };
const menu = (over: Partial<MenuSettings> = {}): MenuSettings => ({ ...DEFAULT_MENU, ...over });

/** Labels of GRUB menuentries, in order (both branches of if/else included). */
const labels = (cfg: string) => [...cfg.matchAll(/^\s*menuentry '([^']*)'/gm)].map((m) => m[1]);

describe('renderGrubConfig: the iPXE menu, rendered for GRUB', () => {
  it('same entries, labels, default, timeout and kernel arguments as the iPXE script', () => {
    const s = source([entry('Live'), entry('Safe mode', { cmdline: 'boot=live nomodeset', isDefault: true })]);
    const m = menu({ timeoutSec: 7, append: 'console=ttyS0', overrides: { 's1:Live': { label: 'Live (renamed)' } } });
    const grub = renderGrubConfig([s], m, SERVER);
    const ipxe = renderIpxeScript([s], m, SERVER);
    expect(labels(grub).slice(0, 4)).toEqual([
      'Live (renamed)',
      'Live (renamed) (x86-64 only)',
      'Safe mode',
      'Safe mode (x86-64 only)',
    ]);
    expect(ipxe).toContain('item bd-e0 Live (renamed)');
    expect(grub).toContain('set timeout=7');
    expect(grub).toContain('if [ "$grub_cpu" = "x86_64" ]; then set default=bd-e1; fi');
    expect(grub).toContain(
      "linux '/iso/s1/live/vmlinuz' 'boot=live' 'fetch=http://192.168.1.10:8080/iso/s1/live/filesystem.squashfs' 'console=ttyS0'",
    );
    expect(grub).toContain("initrd '/iso/s1/live/initrd.img'");
    expect(grub).toContain("'boot=live' 'nomodeset' 'console=ttyS0'");
    expect(grub).not.toContain('<server>');
  });

  it('an entry Secure Boot refuses says why (note fetched from Bootdrop), and boots when Secure Boot is off', () => {
    const grub = renderGrubConfig([source([entry('Unsigned', { secureBoot: UNSIGNED })])], menu(), SERVER);
    expect(grub).toContain("menuentry 'Unsigned (needs Secure Boot off)' --id bd-e0 {");
    expect(grub).toContain(`if ! cat '${refusedNotePath('s1:Unsigned')}'; then`);
    expect(grub).toContain('unsigned kernel: Secure Boot refuses it');
    expect(grub).toMatch(/if \[ "\$lockdown" = "y" \]; then[\s\S]*sleep --interruptible 30[\s\S]*else\s+linux '/);
  });

  it('sanboot entries restart the PC into iPXE when Secure Boot is off; BIOS-only entries are left out', () => {
    const s = source([
      entry('Whole ISO', {
        kind: 'sanboot',
        secureBoot: { bootable: false, chain: null, reason: 'iPXE is not signed', cpu: null },
      }),
      entry('memdisk', { kind: 'memdisk', firmware: ['bios'] }),
    ]);
    const grub = renderGrubConfig([s], menu(), SERVER);
    // Secure Boot on: the refusal; off: tell Bootdrop (the note's fetch), say what happens, reboot.
    const note = restartIntoIpxePath('s1:Whole ISO');
    expect(note).toBe('/secure-boot/restart-ipxe/s1/Whole/ISO.txt');
    const off = grub.slice(grub.indexOf('else', grub.indexOf(refusedNotePath('s1:Whole ISO'))));
    expect(off).toMatch(
      new RegExp(
        `^else\\s+if cat '${note}'; then\\s+echo 'Restarting into iPXE to start "Whole ISO" \\(this PC'\\\\''s ` +
          `firmware starts it directly\\)\\.\\.\\.'\\s+sleep 3\\s+reboot\\s+fi\\s+echo '"Whole ISO" needs iPXE, ` +
          `and the server did not answer ${note} \\(not Bootdrop, or an older one\\)`,
      ),
    );
    // a failed fetch (not Bootdrop) ends back at the menu, never in a hang or a chainloaded iPXE
    expect(off.slice(0, off.indexOf('\n}'))).toMatch(/Back to the menu in 30 s\.'\s+sleep --interruptible 30\s+fi$/);
    expect(grub).not.toContain('chainloader');
    expect(labels(grub)).not.toContain('memdisk');
  });

  it('iPXE-only entries are offered to x86-64 GRUB only: ARM64 gets the reason, never the x86 iPXE', () => {
    const s = source([
      entry('Whole ISO', {
        kind: 'sanboot',
        isDefault: true,
        secureBoot: { bootable: false, chain: null, reason: 'iPXE is not signed', cpu: null },
      }),
      entry('ARM live', { secureBoot: { ...SIGNED, cpu: 'arm64' } }),
    ]);
    const grub = renderGrubConfig([s], menu(), SERVER);
    const sanboot = grub.indexOf("menuentry 'Whole ISO' --id bd-e0");
    const arm = grub.indexOf("menuentry 'Whole ISO (needs iPXE: x86-64 only)' --id bd-e0");
    expect(sanboot).toBeGreaterThan(0);
    expect(arm).toBeGreaterThan(sanboot);
    // The x86-64 branch restarts into iPXE; the other CPUs' branch only says why.
    expect(grub.lastIndexOf('if [ "$grub_cpu" = "x86_64" ]; then', sanboot)).toBeGreaterThan(0);
    const armBody = grub.slice(arm, grub.indexOf('\n}', arm));
    expect(armBody).toContain('Bootdrop has iPXE for x86-64 PCs only');
    expect(armBody).not.toContain('chainloader');
    expect(armBody).not.toContain('reboot');
    // The menu default (the virtual CD) is x86-64's; ARM64 PCs default to their own entry.
    expect(grub).toContain('if [ "$grub_cpu" = "x86_64" ]; then set default=bd-e0; fi');
    expect(grub).toContain('if [ "$grub_cpu" = "arm64" ]; then set default=bd-e1; fi');
  });

  it('quotes labels and arguments so nothing can inject a GRUB command', () => {
    expect(grubQuote("it's")).toBe("'it'\\''s'");
    const evil = entry("x'; reboot; echo '", { cmdline: "a='$(reboot)' b\nreboot" });
    const grub = renderGrubConfig([source([evil])], menu(), SERVER);
    expect(grub).not.toMatch(/^\s*reboot/m);
    expect(grub).toContain("'a='\\''$(reboot)'\\'''");
  });

  it("GRUB's own parser accepts the generated file (grub-script-check)", () => {
    if (!existsSync('/usr/bin/grub-script-check'))
      throw new Error('grub-script-check is missing: install "grub-common" (scripts/install-deps.sh)');
    const s = source([
      entry('Live', { isDefault: true }),
      entry("It's unsigned", { secureBoot: UNSIGNED }),
      entry('ARM', { secureBoot: { ...SIGNED, cpu: 'arm64' } }),
      entry('CD', { kind: 'sanboot', secureBoot: { bootable: false, chain: null, reason: 'no', cpu: null } }),
    ]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bd-grub-'));
    try {
      const f = path.join(dir, 'grub.cfg');
      writeFileSync(f, renderGrubConfig([s, source([], { id: 's2', label: 'EMPTY' })], menu(), SERVER));
      execFileSync('grub-script-check', [f]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function facts(arch: ClientArch, archCode: number, over: Partial<ClientFacts> = {}): ClientFacts {
  return {
    mac: '52:54:00:00:00:01',
    archCode,
    arch,
    vendorClass: `PXEClient:Arch:${String(archCode).padStart(5, '0')}`,
    userClass: null,
    isIpxe: false,
    uuid: null,
    ip: null,
    ...over,
  };
}

describe('SecureBootPolicy: which chain a PC gets, with no setting', () => {
  const refused = new Set<string>();
  const policy = new SecureBootPolicy(new PxePolicy({ httpPort: 80 }), { refusedIpxe: (m) => refused.has(m) });
  const ip = '10.0.0.2';

  it('x64 UEFI on a bare cable (own DHCP): the signed chain; beside a router: iPXE', () => {
    expect(policy.decide(facts('efi-x64', 7), ip, { ownDhcp: true })).toEqual({
      kind: 'tftp',
      file: '/loaders/shimx64.efi',
    });
    expect(policy.decide(facts('efi-x64', 9), ip, { ownDhcp: true })).toEqual({
      kind: 'tftp',
      file: '/loaders/shimx64.efi',
    });
    expect(policy.decide(facts('efi-x64', 7), ip, { ownDhcp: false })).toEqual({
      kind: 'tftp',
      file: '/loaders/snponly.efi',
    });
  });

  it('beside a router, a PC that refused iPXE gets the signed chain on its next attempt', () => {
    refused.add('52:54:00:00:00:01');
    expect(policy.decide(facts('efi-x64', 7), ip, { ownDhcp: false })).toEqual({
      kind: 'tftp',
      file: '/loaders/shimx64.efi',
    });
    refused.clear();
  });

  it('a PC whose GRUB asked to restart into iPXE gets snponly.efi on a bare cable; a refusal still wins', () => {
    const wants = new Set(['52:54:00:00:00:01']);
    const p = new SecureBootPolicy(new PxePolicy({ httpPort: 80 }), {
      refusedIpxe: (m) => refused.has(m),
      wantsIpxe: (m) => wants.has(m),
    });
    expect(p.decide(facts('efi-x64', 7), ip, { ownDhcp: true })).toEqual({
      kind: 'tftp',
      file: '/loaders/snponly.efi',
    });
    // another PC on the same cable still gets the signed chain
    expect(p.decide(facts('efi-x64', 7, { mac: '52:54:00:00:00:02' }), ip, { ownDhcp: true })).toEqual({
      kind: 'tftp',
      file: '/loaders/shimx64.efi',
    });
    refused.add('52:54:00:00:00:01');
    expect(p.decide(facts('efi-x64', 7), ip, { ownDhcp: true })).toEqual({
      kind: 'tftp',
      file: '/loaders/shimx64.efi',
    });
    refused.clear();
  });

  it('ARM64 UEFI gets the arm64 signed chain; iPXE, BIOS and HTTP Boot are unchanged', () => {
    expect(policy.decide(facts('efi-arm64', 11), ip)).toEqual({ kind: 'tftp', file: '/loaders/shimaa64.efi' });
    expect(policy.decide(facts('efi-x64', 7, { isIpxe: true, userClass: 'iPXE' }), ip, { ownDhcp: true })).toEqual({
      kind: 'http',
      url: 'http://10.0.0.2/boot.ipxe',
    });
    expect(policy.decide(facts('bios', 0), ip, { ownDhcp: true })).toEqual({
      kind: 'tftp',
      file: '/loaders/undionly.kpxe',
    });
    expect(
      policy.decide(facts('efi-x64-http', 16, { vendorClass: 'HTTPClient:Arch:00016' }), ip, { ownDhcp: true }),
    ).toEqual({ kind: 'http', url: 'http://10.0.0.2/loaders/snponly.efi' });
  });
});
