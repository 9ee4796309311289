/**
 * The session tells HTTP and TFTP which addresses belong to PCs its DHCP side just answered (they may
 * use the servers' reserved slots, see main/net/slots.ts). Services are plain functions here; the
 * servers' use of the answer is covered by test/integration/hardening-slots.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Session,
  type DhcpStart,
  type EngineServices,
  type ServerStart,
  type SourceMedium,
} from '../../../main/session';
import { MountedTree } from '../../../main/vfs';
import { ETH0 } from '../../helpers/fake-services';

let session: Session<string> | null = null;
afterEach(async () => {
  await session?.dispose();
  session = null;
});

describe('reserved slots for PCs our DHCP answered', () => {
  it('an address is reserved once its MAC (or itself) got a boot answer, not for a non-PXE client; hosts count by MAC', async () => {
    const seen: { http?: ServerStart; tftp?: ServerStart; dhcp?: DhcpStart } = {};
    // What the DHCP side learned in proxy mode: which MAC took which address from the router.
    const learned = new Map([
      ['10.0.0.50', '52:54:00:00:00:50'],
      ['10.0.0.60', '52:54:00:00:00:60'],
    ]);
    const services: EngineServices<string, SourceMedium> = {
      listInterfaces: () => [ETH0],
      openSource: async (hostPath) => ({
        vfs: new MountedTree(),
        kind: 'iso',
        label: hostPath,
        size: 1,
        fileSystems: [],
      }),
      planSource: async (id) => ({
        family: 'generic',
        osName: 'Test OS',
        entries: [],
        warnings: [],
        ownPxeMenu: false,
        plan: id,
      }),
      layout: async () => ({
        policy: { decide: () => ({ kind: 'ignore', reason: 'test' }) },
        roles: new Map(),
        entryByKernel: new Map(),
        warnings: [],
      }),
      startHttp: async (s) => {
        seen.http = s;
        return { port: 8080, close: async () => undefined };
      },
      startTftp: async (s) => {
        seen.tftp = s;
        return { close: async () => undefined };
      },
      startDhcp: async (s) => {
        seen.dhcp = s;
        return { effectiveMode: 'proxy', macForIp: (ip) => learned.get(ip) ?? null, close: async () => undefined };
      },
    };
    session = new Session({ loadersDir: '/nowhere', httpPort: 0, mode: 'proxy', linkCheckMs: 0 }, services);
    await session.addSource({ path: '/isos/test.iso' });
    expect((await session.start()).serving).toBe(true);
    const httpReserved = seen.http!.reserved!;
    const tftpReserved = seen.tftp!.reserved!;
    expect(httpReserved('10.0.0.50')).toBe(false);

    seen.dhcp!.onClient({ mac: '52:54:00:00:00:50', ip: null, firmware: 'bios', arch: 0 }); // a PXE DISCOVER
    seen.dhcp!.onClient({ mac: '52:54:00:00:00:70', ip: '10.0.0.70', firmware: 'uefi', arch: 7 }); // 4011, own IP
    seen.dhcp!.onClient({ mac: '52:54:00:00:00:60', ip: null, firmware: 'unknown', arch: null }); // an OS's DHCP
    expect(httpReserved('10.0.0.50')).toBe(true); // by MAC, through what DHCP learned
    expect(tftpReserved('10.0.0.50')).toBe(true);
    expect(tftpReserved('10.0.0.70')).toBe(true); // by address
    expect(httpReserved('10.0.0.60')).toBe(false); // answered, but not booting
    expect(httpReserved('10.0.0.99')).toBe(false);
    // Per-source limits count a host by its MAC where DHCP learned it, else by its address.
    expect(seen.http!.sourceOf!('10.0.0.50')).toBe('52:54:00:00:00:50');
    expect(seen.tftp!.sourceOf!('10.0.0.99')).toBe('10.0.0.99');
  });
});
