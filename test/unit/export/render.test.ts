import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  contiguousRanges,
  renderDnsmasqConf,
  renderNginxConf,
  renderPrepareScript,
  shQuote,
} from '../../../main/export';
import type { ExportSite } from '../../../main/export';

const execFileP = promisify(execFile);

function site(mode: 'proxy' | 'dhcp', dir = '/srv/boot site'): ExportSite {
  return {
    dir,
    iface: { name: 'eth1', address: '10.9.0.2', prefix: 24, network: '10.9.0.0', netmask: '255.255.255.0' },
    mode,
    ranges: mode === 'dhcp' ? contiguousRanges(['10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.1']) : [],
    httpPort: 80,
    sources: [
      {
        id: 'ubuntu',
        hostPath: "/isos/it's ubuntu.iso",
        kind: 'iso',
        osName: 'Ubuntu',
        treePath: '/iso/ubuntu',
        rawIsoPath: '/iso/ubuntu.iso',
      },
      {
        id: 'tools',
        hostPath: '/srv/tools',
        kind: 'folder',
        osName: 'Tools',
        treePath: '/iso/tools',
        rawIsoPath: null,
      },
    ],
    loaders: ['undionly.kpxe', 'ipxe.efi', 'snponly.efi', 'memdisk'],
    bootFiles: { bios: '/loaders/undionly.kpxe', uefi: '/loaders/ipxe.efi', menuUrl: 'http://10.9.0.2/boot.ipxe' },
  };
}

describe('export renderings', () => {
  it('merges a pool into dnsmasq ranges, wrap-around included', () => {
    expect(contiguousRanges(['10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.1'])).toEqual([
      { first: '10.0.0.3', last: '10.0.0.5' },
      { first: '10.0.0.1', last: '10.0.0.1' },
    ]);
    expect(contiguousRanges([])).toEqual([]);
  });

  it('quotes shell words, quotes inside included', async () => {
    const { stdout } = await execFileP('sh', ['-c', `printf %s ${shQuote("a'b c$HOME")}`]);
    expect(stdout).toBe("a'b c$HOME");
  });

  it('proxy mode: proxyDHCP on the subnet, iPXE loaders for PXE ROMs, the menu URL for iPXE', () => {
    const conf = renderDnsmasqConf(site('proxy'));
    expect(conf).toContain('dhcp-range=10.9.0.0,proxy,255.255.255.0');
    expect(conf).toContain('pxe-service=tag:!ipxe,X86PC,"Bootdrop (BIOS)",loaders/undionly.kpxe');
    expect(conf).toContain('pxe-service=tag:!ipxe,BC_EFI,"Bootdrop (UEFI)",loaders/ipxe.efi');
    expect(conf).toContain('pxe-service=tag:ipxe,X86PC,"Bootdrop menu",http://10.9.0.2/boot.ipxe');
    expect(conf).toContain('tftp-root=/srv/boot site/www');
    expect(conf).not.toMatch(/dhcp-boot/);
  });

  it('dhcp mode: the pool as ranges, no router or DNS, boot files by architecture', () => {
    const conf = renderDnsmasqConf(site('dhcp'));
    expect(conf).toContain('dhcp-range=10.9.0.3,10.9.0.5,255.255.255.0,1h');
    expect(conf).toContain('dhcp-range=10.9.0.1,10.9.0.1,255.255.255.0,1h');
    expect(conf).toContain('dhcp-option=option:router\n');
    expect(conf).toContain('dhcp-boot=tag:!ipxe,tag:efi64,loaders/ipxe.efi,,10.9.0.2');
    expect(conf).toContain('dhcp-boot=tag:ipxe,http://10.9.0.2/boot.ipxe');
    expect(conf).not.toMatch(/proxy/);
  });

  it.each(['proxy', 'dhcp'] as const)('%s mode: dnsmasq itself accepts the file', async (mode) => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'bootdrop-export-unit-'));
    try {
      const file = path.join(dir, 'dnsmasq.conf');
      await fsp.writeFile(file, renderDnsmasqConf(site(mode, dir)));
      const { stderr } = await execFileP('dnsmasq', ['--test', '-C', file]);
      expect(stderr).toMatch(/syntax check OK/);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('nginx: a complete config with everything under the export folder', () => {
    const conf = renderNginxConf(site('proxy', '/srv/b'));
    expect(conf).toContain('listen 10.9.0.2:80;');
    expect(conf).toContain('root /srv/b/www;');
    expect(conf).toContain('pid /srv/b/run/nginx.pid;');
    expect(conf).not.toMatch(/include /);
  });

  it('prepare.sh: one line per source, paths quoted, and valid sh', async () => {
    const script = renderPrepareScript(site('proxy'));
    expect(script).toContain(`iso 'ubuntu' '/isos/it'\\''s ubuntu.iso'`);
    expect(script).toContain(`folder 'tools' '/srv/tools'`);
    await execFileP('sh', ['-n', '-c', script]);
  });
});
