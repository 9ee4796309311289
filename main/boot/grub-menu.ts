/**
 * renderGrubConfig: the boot menu for GRUB (the Secure Boot chain, shim → GRUB), rendered from the same
 * plan and menu settings as the iPXE script (ipxe-script.ts): same entries, labels, default, timeout
 * and kernel arguments. Kernels and initrds are read over TFTP from the served tree — Debian's signed
 * network GRUB (grubnetx64/grubnetaa64) has tftp but no http module — and the root images the kernel
 * fetches itself still come over HTTP (the `<server>` in the command lines).
 *
 * What Secure Boot refuses is never a silent failure: GRUB sets `lockdown=y` when Secure Boot is on
 * (grub-core/kern/lockdown.c, GRUB 2.06), so such entries print why and how to get past it; with
 * Secure Boot off they boot. iPXE-only entries (sanboot) restart the PC into iPXE: GRUB tells Bootdrop
 * (restartIntoIpxePath) and reboots, and the PC's next PXE boot gets iPXE from its firmware, whose menu
 * starts that entry (iPXE started by GRUB 2.06 finds no network, see bootCommands).
 *
 * GRUB quoting: everything user- or ISO-supplied goes in single quotes, where GRUB expands nothing; a
 * quote inside becomes '\'' (GRUB's sh-like rule), so a label or argument cannot start a command.
 */
import type { BootEntry, MenuSettings, SourceSummary } from '../contract';
import { SERVER_TOKEN, splitCmdline } from './cmdline';
import { asciiText, fillServer } from './ipxe-script';
import { applyMenu } from './menu';
import { NO_IPXE_FOR_THIS_CPU, restartNoteMissing, wrongCpuNote } from './messages';
import { hostPort, sourceTreePath, type ServerAddress } from './paths';

/** Where GRUB builds look for their config over the network; all get the same generated file. */
export const GRUB_CONFIG_PATHS = [
  // Debian/Ubuntu grubnet*: prefix /grub, then $prefix/grub.cfg (lab trace, issue 13)
  '/grub/grub.cfg',
  '/grub/x86_64-efi/grub.cfg',
  '/grub/arm64-efi/grub.cfg',
  // Fedora/RHEL/openSUSE network GRUBs: prefix is the directory of the boot file, or /EFI/BOOT
  '/loaders/grub.cfg',
  '/EFI/BOOT/grub.cfg',
  '/EFI/fedora/grub.cfg',
  '/boot/grub/grub.cfg',
  '/boot/grub2/grub.cfg',
  '/grub2/grub.cfg',
  '/grub.cfg',
] as const;

/**
 * Per refused entry, a note GRUB fetches and prints (`cat`) when Secure Boot is on and the user picks
 * it: the PC shows the reason, and the fetch tells Bootdrop which PC was refused what.
 */
export const REFUSED_NOTE_PREFIX = '/secure-boot/refused/';

export function refusedNotePath(entryId: string): string {
  return `${REFUSED_NOTE_PREFIX}${entryId.replace(/[^A-Za-z0-9._-]+/g, '/')}.txt`;
}

export function refusedNoteText(e: BootEntry): string {
  return `Secure Boot is on, and "${asciiText(e.label)}" cannot boot under it:\n${asciiText(
    e.secureBoot?.reason ?? 'Secure Boot cannot verify what this entry starts',
  )}\nTurn Secure Boot off in the firmware settings (last menu entry) to boot it.\n`;
}

/**
 * Per iPXE-only entry, a note GRUB fetches before it reboots the PC into iPXE (Secure Boot off): the
 * fetch tells Bootdrop which PC wants iPXE next and for what entry (session/secure-boot-watch.ts).
 */
export const RESTART_IPXE_PREFIX = '/secure-boot/restart-ipxe/';

export function restartIntoIpxePath(entryId: string): string {
  return `${RESTART_IPXE_PREFIX}${entryId.replace(/[^A-Za-z0-9._-]+/g, '/')}.txt`;
}

export function restartIntoIpxeText(e: BootEntry): string {
  return `Bootdrop starts iPXE on this PC's next network boot, with "${asciiText(e.label)}" as its default.\n`;
}

/** GRUB's name for the CPU ($grub_cpu) per entry cpu. */
const GRUB_CPU: Record<'x64' | 'arm64' | 'ia32', string> = { x64: 'x86_64', arm64: 'arm64', ia32: 'i386' };
const CPU_NAME: Record<'x64' | 'arm64' | 'ia32', string> = { x64: 'x86-64', arm64: 'ARM64', ia32: '32-bit x86' };

/** A single-quoted GRUB word: nothing inside is expanded; control characters become spaces. */
export function grubQuote(s: string): string {
  return `'${s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/'/g, `'\\''`)}'`;
}

/** Menu text: ASCII (GRUB's EFI text console shows no em dashes), one line, bounded. */
function grubLabel(s: string, max = 76): string {
  const t = asciiText(s).replace(/\s+/g, ' ').trim();
  return grubQuote(t.length > max ? t.slice(0, max - 3) + '...' : t);
}

function grubArgs(cmdline: string, server: ServerAddress): string[] {
  return splitCmdline(fillServer(cmdline, server).replace(/[\u0000-\u001f\u007f]/g, ' ')).map(grubQuote);
}

function bootCommands(e: BootEntry, server: ServerAddress): string[] {
  const file = (p: string) => grubQuote(`${sourceTreePath(e.sourceId)}${p}`);
  switch (e.kind) {
    case 'linux':
      return [
        ['linux', file(e.kernel!), ...grubArgs(e.cmdline, server)].join(' '),
        ...(e.initrd.length > 0 ? [['initrd', ...e.initrd.map(file)].join(' ')] : []),
      ];
    case 'chain':
      return [`chainloader ${file(e.kernel!)}`];
    default:
      return restartIntoIpxe(e);
  }
}

/**
 * sanboot and the like: only iPXE runs them, and iPXE started by GRUB finds no network (issue 14, OVMF,
 * Debian GRUB 2.06: ipxe.efi hangs at "iPXE initialising devices...", snponly.efi prints "No more network
 * devices"; GRUB's efinet likely keeps the NIC's SNP open). So GRUB tells Bootdrop, which hands this PC
 * iPXE on its next PXE boot (SecureBootPolicy wantsIpxe), and reboots; iPXE's menu then starts the entry.
 * No Bootdrop behind this GRUB (the fetch fails): say why and go back to the menu, never hang.
 */
function restartIntoIpxe(e: BootEntry): string[] {
  const label = asciiText(e.label);
  return [
    `if cat ${grubQuote(restartIntoIpxePath(e.id))}; then`,
    `  echo ${grubQuote(`Restarting into iPXE to start "${label}" (this PC's firmware starts it directly)...`)}`,
    '  sleep 3',
    '  reboot',
    'fi',
    `echo ${grubQuote(restartNoteMissing(label, restartIntoIpxePath(e.id)))}`,
    `echo ${grubQuote('Boot this PC beside a router (proxy mode) instead: its firmware then starts iPXE directly.')}`,
    `echo ${grubQuote('Back to the menu in 30 s.')}`,
    'sleep --interruptible 30',
  ];
}

function refusal(e: BootEntry): string[] {
  // The note comes from Bootdrop (so it sees the refusal); the echo below still says why if it cannot.
  return [
    `if ! cat ${grubQuote(refusedNotePath(e.id))}; then`,
    `  echo ${grubQuote(refusedNoteText(e).replace(/\n/g, ' '))}`,
    'fi',
    `echo ${grubQuote('Back to the menu in 30 s.')}`,
    'sleep --interruptible 30',
  ];
}

/** Entries only iPXE can run (bootCommands' default case), e.g. sanboot. */
export function needsIpxe(e: BootEntry): boolean {
  return e.kind !== 'linux' && e.kind !== 'chain';
}

/**
 * The CPU an entry runs on: its signed files' CPU, or x86-64 for iPXE-only entries. Bootdrop bundles
 * iPXE for x86-64 only, so an ARM64 GRUB must never restart into it.
 */
function entryCpu(e: BootEntry): 'x64' | 'arm64' | 'ia32' | null {
  return e.secureBoot?.cpu ?? (needsIpxe(e) ? 'x64' : null);
}

function wrongCpu(cpu: 'x64' | 'arm64' | 'ia32'): string[] {
  return [`echo ${grubQuote(wrongCpuNote(CPU_NAME[cpu]))}`, 'sleep --interruptible 30'];
}

/** The whole grub.cfg. `plans` are planSource results (or summaries); `menu` the user's settings. */
export function renderGrubConfig(
  plans: ReadonlyArray<{ summary: SourceSummary } | SourceSummary>,
  menu: MenuSettings,
  server: ServerAddress,
): string {
  const sources = applyMenu(plans, menu);
  const L: string[] = [
    `# Generated by Bootdrop for GRUB (Secure Boot chain): the same menu as http://${hostPort(server)}/boot.ipxe.`,
    `# Kernels and initrds over TFTP from ${server.ip}; root images over HTTP.`,
    menu.timeoutSec > 0 ? `set timeout=${Math.round(menu.timeoutSec)}` : 'set timeout=-1',
    'set timeout_style=menu',
    'set default=bd-local',
  ];
  const items: Array<{ e: BootEntry; id: string }> = [];
  const body: string[] = [];
  const multi = sources.length > 1;
  for (const s of sources) {
    const enabled = s.entries.filter((e) => e.enabled && e.firmware.includes('uefi'));
    if (multi || enabled.length === 0) {
      const nothing = enabled.length === 0 ? ' (nothing to boot on UEFI)' : '';
      body.push(`menuentry ${grubLabel(`--- ${s.osName} - ${s.label}${nothing} ---`)} { true }`);
    }
    for (const e of enabled) {
      const id = `bd-e${items.length}`;
      items.push({ e, id });
      const sb = e.secureBoot;
      const cmds = bootCommands(e, server);
      const lines = [`echo ${grubQuote(`Booting ${asciiText(e.label)}`)}`];
      if (sb?.bootable) lines.push(...cmds);
      else
        lines.push(
          'if [ "$lockdown" = "y" ]; then',
          ...refusal(e).map((l) => `  ${l}`),
          'else',
          ...cmds.map((l) => `  ${l}`),
          'fi',
        );
      const entry = (label: string, inner: string[]) => [
        `menuentry ${grubLabel(label)} --id ${id} {`,
        ...inner.map((l) => `  ${l}`),
        '}',
      ];
      const cpu = entryCpu(e);
      const own = entry(e.label, lines);
      const refused = sb && !sb.bootable ? entry(`${e.label} (needs Secure Boot off)`, lines) : own;
      // Shown as "(needs Secure Boot off)" while Secure Boot is on; an ISO for another CPU says so.
      const shown = refused === own ? own : ['if [ "$lockdown" = "y" ]; then', ...refused, 'else', ...own, 'fi'];
      if (cpu && cpu !== 'ia32')
        body.push(
          `if [ "$grub_cpu" = "${GRUB_CPU[cpu]}" ]; then`,
          ...shown,
          'else',
          ...(needsIpxe(e)
            ? entry(`${e.label} (needs iPXE: x86-64 only)`, [
                `echo ${grubQuote(NO_IPXE_FOR_THIS_CPU)}`,
                'sleep --interruptible 30',
              ])
            : entry(`${e.label} (${CPU_NAME[cpu]} only)`, wrongCpu(cpu))),
          'fi',
        );
      else body.push(...shown);
    }
  }
  // Default per CPU: the menu's default when this CPU can run it, else its first entry for this CPU.
  for (const cpu of ['x64', 'arm64'] as const) {
    const fits = (x: { e: BootEntry }) => !entryCpu(x.e) || entryCpu(x.e) === cpu;
    const pick = items.find((x) => x.e.isDefault && fits(x)) ?? items.find(fits);
    if (pick) L.push(`if [ "$grub_cpu" = "${GRUB_CPU[cpu]}" ]; then set default=${pick.id}; fi`);
  }
  L.push(
    '',
    ...body,
    "menuentry 'Boot from local disk' --id bd-local {",
    '  exit',
    '}',
    "menuentry 'UEFI firmware settings (Secure Boot on/off)' --id bd-fwsetup {",
    '  fwsetup',
    '}',
    '',
  );
  return L.join('\n').split(SERVER_TOKEN).join(hostPort(server));
}
