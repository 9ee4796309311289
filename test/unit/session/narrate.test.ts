import { describe, expect, it } from 'vitest';
import type { ClientState, ServingState, TransferProgress } from '../../../main/contract';
import { describeMode, formatBytes, Narrator } from '../../../main/session/narrate';

const MAC = '52:54:00:12:34:56';
const client = (stage: ClientState['stage'], firmware: ClientState['firmware'] = 'bios'): ClientState => ({
  mac: MAC,
  ip: '10.0.0.100',
  firmware,
  arch: 0,
  entryId: null,
  stage,
  transfers: [],
  firstSeen: 0,
  lastSeen: 0,
});
const transfer = (file: string, outcome: TransferProgress['outcome'], bytes = 8 * 1024 * 1024): TransferProgress => ({
  id: 't',
  protocol: 'http',
  clientIp: '10.0.0.100',
  mac: MAC,
  file,
  bytes,
  total: bytes,
  rate: 4 * 1024 * 1024,
  startedAt: 0,
  endedAt: 2000,
  outcome,
  error: outcome === 'failed' ? 'timeout' : null,
});

describe('Narrator', () => {
  it('prints one line per step with sizes and rates', () => {
    const n = new Narrator();
    expect(n.lines({ type: 'client', client: client('dhcp') })).toEqual([
      `${MAC}  DHCP: BIOS PXE at 10.0.0.100 (arch 0)`,
    ]);
    expect(n.lines({ type: 'client', client: client('dhcp') })).toEqual([]);
    expect(n.lines({ type: 'client', client: client('dhcp', 'ipxe') })).toEqual([
      `${MAC}  DHCP: iPXE at 10.0.0.100 (arch 0)`,
    ]);
    expect(n.lines({ type: 'transfer', transfer: transfer('/iso/u/casper/vmlinuz', 'active') })).toEqual([]);
    expect(n.lines({ type: 'transfer', transfer: transfer('/iso/u/casper/vmlinuz', 'done') })).toEqual([
      `${MAC}  kernel: /iso/u/casper/vmlinuz 8.0 MiB in 2.0 s (4.0 MiB/s, HTTP)`,
    ]);
    expect(n.lines({ type: 'transfer', transfer: transfer('/undionly.kpxe', 'aborted', 0) })).toEqual([]);
    expect(n.lines({ type: 'transfer', transfer: transfer('/iso/u.iso', 'failed', 1024) })).toEqual([
      `${MAC}  root file system: /iso/u.iso failed after 1.0 KiB: timeout (HTTP)`,
    ]);
    expect(n.lines({ type: 'client', client: client('done') })).toEqual([`${MAC}  booted (root file system loaded)`]);
  });

  it('announces a mode change after start, and warnings from the log', () => {
    const n = new Narrator();
    const s: ServingState = {
      serving: true,
      starting: false,
      interfaceName: 'eth0',
      address: '10.0.0.2',
      mode: 'auto',
      effectiveMode: null,
      httpUrl: 'x',
      error: null,
    };
    expect(n.lines({ type: 'state', state: s })).toEqual([]);
    expect(n.lines({ type: 'state', state: { ...s, effectiveMode: 'dhcp' } })).toEqual([
      `mode: ${describeMode({ ...s, effectiveMode: 'dhcp' })}`,
    ]);
    expect(n.lines({ type: 'log', entry: { time: 0, level: 'warn', scope: 'tftp', message: 'x' } })).toEqual([
      'warn: tftp: x',
    ]);
    expect(n.lines({ type: 'log', entry: { time: 0, level: 'info', scope: 'tftp', message: 'x' } })).toEqual([]);
  });

  it('formats sizes', () => {
    expect([formatBytes(0), formatBytes(1536), formatBytes(200 * 1024 * 1024), formatBytes(3 * 1024 ** 3)]).toEqual([
      '0 B',
      '1.5 KiB',
      '200 MiB',
      '3.0 GiB',
    ]);
  });
});
