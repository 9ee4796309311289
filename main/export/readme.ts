/** README.md of an exported site: what is in the folder and the steps to serve it without Bootdrop. */
import { runDir, wwwDir, type ExportSite } from './site';

export function renderReadme(site: ExportSite, menuEntries: string[]): string {
  const www = wwwDir(site);
  const mode =
    site.mode === 'proxy'
      ? "proxyDHCP: the network's own DHCP server keeps handing out addresses; dnsmasq only adds the boot instructions"
      : `DHCP server: dnsmasq hands out ${site.ranges.map((r) => `${r.first}–${r.last}`).join(', ')} ` +
        '(no router, no DNS) — only where no other DHCP server runs';
  return [
    '# Network boot, exported from Bootdrop',
    '',
    `The same boot menu Bootdrop serves, for dnsmasq (DHCP + TFTP) and nginx (HTTP) on **${site.iface.name}** ` +
      `(${site.iface.address}/${site.iface.prefix}). Mode: ${mode}.`,
    '',
    '## Steps (as root)',
    '',
    '```sh',
    `sh ${site.dir}/prepare.sh                 # mount (or extract) the ISOs into ${www}/iso`,
    `nginx -c ${site.dir}/nginx.conf          # HTTP on ${site.iface.address}:${site.httpPort} (foreground)`,
    `dnsmasq -k -C ${site.dir}/dnsmasq.conf   # DHCP/proxyDHCP + TFTP on ${site.iface.name} (foreground)`,
    '```',
    '',
    `Stop both with Ctrl+C; \`sh ${site.dir}/prepare.sh --undo\` unmounts the ISOs again.`,
    'Debian/Ubuntu packages: `dnsmasq-base` (or `dnsmasq`), `nginx-light` (or any nginx), `xorriso` when the ISOs ' +
      'are extracted.',
    'Stop a system dnsmasq or DHCP server on the same interface first (ports 67, 4011, 69), and a system',
    `nginx listening on port ${site.httpPort} of ${site.iface.address}.`,
    '',
    '## How the ISOs get into the tree',
    '',
    '`prepare.sh` **loop-mounts** each ISO read-only at `www/iso/<id>` (`mount -o loop,ro`: no copy, needs',
    'root and loop devices). Where that fails (a container without loop devices, or `prepare.sh --extract`),',
    'it **extracts** the ISO with `xorriso -osirrox on -extract` (or `bsdtar -x`) into the same folder — a',
    'copy, so run it again after replacing an ISO. Each ISO is also linked whole at `www/iso/<id>.iso`',
    '(Ubuntu `url=`, Fedora `root=live:`, sanboot and memdisk entries download it). Folders are linked.',
    '',
    '## What is here',
    '',
    '| Path | What |',
    '|---|---|',
    '| `dnsmasq.conf` | DHCP (' + site.mode + ') and TFTP; PXE firmware gets iPXE, iPXE gets the menu |',
    '| `nginx.conf` | HTTP for the whole tree; pid, logs and temp files in `run/` |',
    '| `prepare.sh` | mounts/extracts the ISOs (see above) |',
    '| `www/boot.ipxe` | the iPXE menu (rendered by Bootdrop for this address) |',
    `| \`www/loaders/\` | ${site.loaders.join(', ')} (iPXE builds and memdisk, as Bootdrop bundles them) |`,
    ...site.sources.map(
      (s) =>
        `| \`www${s.treePath}\` | ${s.osName}: ${s.kind === 'iso' ? 'the mounted ISO' : 'a link to the folder'} ` +
        `\`${s.hostPath}\` |`,
    ),
    `| \`run/\` | pid files, logs (\`${runDir(site)}\`) |`,
    '',
    '## The menu',
    '',
    ...menuEntries.map((e) => `- ${e}`),
    '',
    'The files and folders must be readable by the users the servers drop to (nginx workers: `nobody`',
    'or `www-data`; dnsmasq: `dnsmasq` or `nobody`) — including the folders above the ISOs.',
    'Paths are absolute: moving an ISO means exporting again.',
    '',
  ].join('\n');
}
