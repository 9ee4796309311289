/**
 * The session's services as small functions writing one journal ("open a.iso", "layout a,b", "close
 * http"...), for unit tests of what the session and the config reload ask of them. A path containing
 * "broken" cannot be opened.
 */
import * as path from 'node:path';
import type { NetInterface } from '../../main/contract';
import type { EngineServices, SourceMedium } from '../../main/session';
import { MountedTree } from '../../main/vfs';

export const ETH0: NetInterface = {
  name: 'eth0',
  address: '10.0.0.2',
  prefix: 24,
  netmask: '255.255.255.0',
  mac: '02:00:00:00:00:02',
  up: true,
  kind: 'wired',
  recommended: true,
};

export function fakeServices(journal: string[]): EngineServices<string, SourceMedium> {
  const server = (name: string) => ({ close: async () => void journal.push(`close ${name}`) });
  return {
    listInterfaces: () => [ETH0],
    openSource: async (hostPath) => {
      if (hostPath.includes('broken')) throw Object.assign(new Error('not an ISO image'), { code: 'EBADISO' });
      journal.push(`open ${path.basename(hostPath)}`);
      const vfs = new MountedTree();
      vfs.close = async () => void journal.push(`close ${path.basename(hostPath)}`);
      return { vfs, kind: 'iso', label: hostPath, size: 1, fileSystems: [] };
    },
    planSource: async (id) => ({
      family: 'generic',
      osName: 'Test OS',
      entries: [
        {
          id: `${id}:live`,
          sourceId: id,
          label: 'Live',
          kind: 'linux',
          kernel: '/k',
          initrd: [],
          cmdline: '',
          enabled: true,
          isDefault: true,
          origin: 'generic',
          firmware: ['bios', 'uefi'],
        },
      ],
      warnings: [],
      ownPxeMenu: false,
      plan: id,
    }),
    layout: async (_tree, sources) => {
      journal.push(`layout ${sources.map((s) => s.plan).join(',')}`);
      return {
        policy: { decide: () => ({ kind: 'ignore', reason: 'test' }) },
        roles: new Map(),
        entryByKernel: new Map(),
        warnings: [],
      };
    },
    startHttp: async () => {
      journal.push('start http');
      return { port: 8080, ...server('http') };
    },
    startTftp: async () => server('tftp'),
    startDhcp: async () => ({ effectiveMode: 'proxy', macForIp: () => null, ...server('dhcp') }),
  };
}
