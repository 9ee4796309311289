/**
 * renderIpxeScript: the menu iPXE clients fetch from /boot.ipxe. One section per source, its entries,
 * "Boot from local disk" and "iPXE shell", a default that boots by itself after the timeout, and
 * per-firmware entries chosen with ${platform} (pcbios/efi).
 *
 * iPXE expands `${...}` in every command and splits on whitespace, treating `||`, `&&`, `;` and tokens
 * starting with `#` as control: everything user- or ISO-supplied goes through ipxeText/ipxeArgs first,
 * so a label or kernel argument can never inject a command.
 */
import type { BootEntry, MenuSettings, PcInfo, SourceSummary } from '../contract';
import { SERVER_TOKEN, splitCmdline } from './cmdline';
import { BOOT_FAILED_PREFIX } from '../http/boot-report';
import { describePc, fitOnPc, formatRam } from './fits';
import { applyMenu } from './menu';
import { SANBOOT_NOTICE } from './messages';
import { PC_FACTS_QUERY } from './pc-facts';
import {
  BOOT_SCRIPT_PATH,
  hostPort,
  httpUrl,
  loaderPath,
  rawIsoPath,
  sourceTreePath,
  type ServerAddress,
} from './paths';

const CONTROL_TOKENS = new Set(['||', '&&', ';']);
/** Look-alikes for control tokens in labels (the label stays readable, iPXE sees plain text). */
const LABEL_STANDINS: Record<string, string> = { '||': '|', '&&': '&', ';': ',' };

/** Typographic characters ISO titles use, in ASCII (iPXE's console shows bytes, not UTF-8). */
const ASCII_STANDINS: Record<string, string> = {
  '—': '-',
  '–': '-',
  '›': '>',
  '»': '>>',
  '«': '<<',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '…': '...',
  '≥': '>=',
  '·': '-',
};

/** Readable ASCII: accents stripped (é → e), punctuation mapped, anything else '?'. */
export function asciiText(s: string): string {
  return s
    .replace(/[—–›»«‘’“”…≥·]/g, (c) => ASCII_STANDINS[c]!)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\u0000-\u007f]/g, '?');
}

/** Neutralise iPXE syntax in free text (labels): no newlines, no `${` expansion, no control tokens. */
export function ipxeText(s: string, max = 72): string {
  const words = asciiText(s)
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\$\{/g, '$ {')
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => LABEL_STANDINS[w] ?? w.replace(/^#+/, ''))
    .filter((w) => w !== '');
  const text = words.join(' ');
  return text.length > max ? text.slice(0, max - 3) + '...' : text;
}

/**
 * Kernel arguments made safe for an iPXE command line: control tokens, comments and anything iPXE would
 * expand (`${`) are dropped, not rewritten (a half-rewritten argument would still reach the kernel).
 */
export function ipxeArgs(cmdline: string): string[] {
  return splitCmdline(cmdline.replace(/[\u0000-\u001f\u007f]/g, ' ')).filter(
    (t) => !CONTROL_TOKENS.has(t) && !t.startsWith('#') && !t.includes('${'),
  );
}

/** Replace the `<server>` placeholder with the serving address. */
export function fillServer(cmdline: string, server: ServerAddress): string {
  return cmdline.split(SERVER_TOKEN).join(hostPort(server));
}

function checkServer(server: ServerAddress): void {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(server.ip) || server.ip.split('.').some((o) => Number(o) > 255)) {
    throw new Error(`server address "${server.ip}" is not an IPv4 address`);
  }
  if (!Number.isInteger(server.httpPort) || server.httpPort < 1 || server.httpPort > 65535) {
    throw new Error(`HTTP port ${server.httpPort} is out of range 1-65535`);
  }
}

/** iPXE image names for the initrds: basenames, made unique and safe for `initrd=` matching. */
function initrdNames(paths: readonly string[]): string[] {
  const used = new Set<string>();
  return paths.map((p, i) => {
    let name = (p.split('/').pop() ?? 'initrd').replace(/[^A-Za-z0-9._-]/g, '_') || 'initrd';
    if (used.has(name.toLowerCase())) name = `${i}-${name}`;
    used.add(name.toLowerCase());
    return name;
  });
}

function entryCommands(e: BootEntry, server: ServerAddress): string[] {
  const file = (p: string) => httpUrl(server, `${sourceTreePath(e.sourceId)}${p}`);
  const iso = httpUrl(server, rawIsoPath(e.sourceId));
  const args = ipxeArgs(fillServer(e.cmdline, server));
  switch (e.kind) {
    case 'linux': {
      const names = initrdNames(e.initrd);
      // The 2019 iPXE EFI build hands initrds to the kernel's EFI stub only when named by `initrd=`;
      // the BIOS path ignores the argument (as with SYSLINUX's APPEND initrd=).
      const kernelLine = ['kernel', file(e.kernel!), ...names.map((n) => `initrd=${n}`), ...args].join(' ');
      // A failed fetch or an image iPXE cannot run must reach bd-failed too: a failing command without
      // `||` ends the whole script, leaving the PC with no message and no menu.
      return [
        'imgfree',
        `${kernelLine} || goto bd-failed`,
        ...e.initrd.map((p, i) => `initrd --name ${names[i]} ${file(p)} || goto bd-failed`),
        'boot || goto bd-failed',
      ];
    }
    case 'chain':
      return ['imgfree', ['chain', file(e.kernel!), ...args].join(' ') + ' || goto bd-failed'];
    case 'sanboot':
      // iPXE prints nothing while it boots a SAN disk: say what is happening before it starts.
      return [`echo ${SANBOOT_NOTICE}`, `sanboot --no-describe ${iso} || goto bd-failed`];
    case 'memdisk':
      // memdisk emulates a drive from its initrd: an El Torito floppy/hard-disk image, else the whole ISO.
      return [
        'imgfree',
        `${`kernel ${httpUrl(server, loaderPath('memdisk'))} ${args.join(' ')}`.trim()} || goto bd-failed`,
        `initrd ${e.kernel ? file(e.kernel) : iso} || goto bd-failed`,
        'boot || goto bd-failed',
      ];
    case 'pxelinux':
      return ['imgfree', `chain tftp://${server.ip}${e.kernel!} || goto bd-failed`];
    case 'local':
      return ['goto bd-local'];
    case 'shell':
      return ['goto bd-shell'];
  }
}

const PLATFORM: Record<'bios' | 'uefi', string> = { bios: 'pcbios', uefi: 'efi' };

/**
 * The first lines of the generic menu: chain to this same menu with the PC's facts in the query string
 * (pc-facts.ts), so the server can answer with this PC's own menu. `bd-asked` stops a second round when
 * the server ignores the query (an exported menu on another web server) — then the generic menu below
 * runs; so does a failed fetch.
 */
function askForPcMenu(server: ServerAddress): string[] {
  return [
    'isset ${bd-asked} && goto bd-start || set bd-asked 1',
    `chain --autofree ${httpUrl(server, BOOT_SCRIPT_PATH)}?${PC_FACTS_QUERY} || goto bd-start`,
  ];
}

/**
 * The whole script. `plans` are planSource results (or summaries); `menu` the user's settings. `pc`:
 * null renders the generic menu; 'ask' the generic menu that first asks for the PC's own; the PC's facts
 * render that PC's menu, entries it cannot run marked and explained, and the default the first that fits.
 */
export function renderIpxeScript(
  plans: ReadonlyArray<{ summary: SourceSummary } | SourceSummary>,
  menu: MenuSettings,
  server: ServerAddress,
  pc: PcInfo | 'ask' | null = null,
): string {
  checkServer(server);
  const facts = pc === 'ask' ? null : pc;
  const sources = applyMenu(plans, menu);
  const L: string[] = [
    '#!ipxe',
    `# Generated by Bootdrop for http://${hostPort(server)}${BOOT_SCRIPT_PATH}: one section per ISO.`,
    ...(pc === 'ask' ? askForPcMenu(server) : []),
    '',
    ':bd-start',
    'menu Bootdrop network boot',
  ];
  if (facts) L.push(`item --gap -- ${ipxeText(`This PC: ${describePc(facts)}`, 76)}`);
  const items = new Map<BootEntry, string>();
  const unfit = new Map<BootEntry, string>();
  let skip = 0;
  for (const s of sources) {
    const enabled = s.entries.filter((e) => e.enabled);
    L.push(`item --gap -- ${ipxeText(`${s.osName} — ${s.label}`)}`);
    if (enabled.length === 0) L.push('item --gap --   (nothing to boot from this source)');
    for (const e of enabled) {
      const item = `bd-e${items.size}`;
      items.set(e, item);
      const fit = fitOnPc(e, s.family === 'generic' ? e.label : s.osName, facts);
      if (fit.reason) unfit.set(e, fit.reason);
      // marked in the label (what a glance catches) and explained on the line under it
      const label = fit.reason ? `[too little RAM] ${e.label} (needs ~${formatRam(e.minRamMiB!)})` : e.label;
      const lines = [`item ${item} ${ipxeText(label) || item}`];
      if (fit.reason) lines.push(`item --gap --     ${ipxeText(fit.reason)}`);
      if (e.firmware.length === 1) {
        // shown only to the firmware that can run it (memtest .bin vs .efi, memdisk is BIOS-only)
        const skipLabel = `bd-skip-${skip++}`;
        L.push(`iseq \${platform} ${PLATFORM[e.firmware[0]!]} || goto ${skipLabel}`, ...lines, `:${skipLabel}`);
      } else L.push(...lines);
    }
  }
  L.push('item --gap --', 'item bd-local Boot from local disk', 'item bd-shell iPXE shell');

  const all = [...items.keys()];
  const pick = (fw: 'bios' | 'uefi') => {
    const ok = (e: BootEntry) => e.firmware.includes(fw);
    const fits = (e: BootEntry) => ok(e) && !unfit.has(e);
    // the user's default when this PC can run it, else the first entry that fits, else as before
    const e =
      all.find((x) => x.isDefault && fits(x)) ??
      all.find(fits) ??
      all.find((x) => x.isDefault && ok(x)) ??
      all.find(ok);
    return e ? items.get(e)! : 'bd-local';
  };
  const timeout = menu.timeoutSec > 0 ? `--timeout ${Math.round(menu.timeoutSec * 1000)} ` : '';
  L.push(
    `set bd-default ${pick('bios')}`,
    'iseq ${platform} efi || goto bd-choose',
    `set bd-default ${pick('uefi')}`,
    ':bd-choose',
    `choose ${timeout}--default \${bd-default} bd-target || goto bd-shell`,
    'goto ${bd-target}',
    '',
  );
  for (const [e, item] of items) {
    // bd-entry names the entry in the failure report (ids are `<source>:<slug>`, URL- and iPXE-safe)
    const warn = unfit.get(e);
    L.push(`:${item}`, `set bd-entry ${e.id}`);
    // chosen by hand although it does not fit: say so, and let the user go back rather than wait for a crash
    if (warn)
      L.push(
        `echo ${ipxeText(`${warn}: it will most likely fail to start.`, 120)}`,
        'prompt --key b --timeout 15000 Press b for the menu, or wait to try anyway && goto bd-start ||',
      );
    L.push(`echo Booting ${ipxeText(e.label)}`, ...entryCommands(e, server), '');
  }
  L.push(
    ':bd-failed',
    'echo Boot failed. Press a key to return to the menu.',
    // tell the server too, so its log says which PC could not start which entry (main/http/boot-report.ts)
    `imgfetch --name bd-report ${httpUrl(server, BOOT_FAILED_PREFIX)}\${bd-entry} || goto bd-failed-wait`,
    'imgfree bd-report',
    ':bd-failed-wait',
    'prompt',
    'goto bd-start',
    '',
    ':bd-local',
    // UEFI: leave iPXE so the firmware tries its next boot option; BIOS: boot the first hard disk.
    'iseq ${platform} efi || goto bd-local-bios',
    'exit',
    ':bd-local-bios',
    'sanboot --no-describe --drive 0x80 || goto bd-failed',
    '',
    ':bd-shell',
    'echo Type "exit" to return to the menu.',
    'shell',
    'goto bd-start',
    '',
  );
  return L.join('\n');
}
