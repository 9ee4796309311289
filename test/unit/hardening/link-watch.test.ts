/** The serving interface going away, moving or coming back, as the session's watch decides it. */
import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../../../main/contract';
import { linkChange } from '../../../main/session/link-watch';

const eth0: NetInterface = {
  name: 'eth0',
  address: '10.0.0.2',
  prefix: 24,
  netmask: '255.255.255.0',
  mac: '52:54:00:00:00:02',
  up: true,
  kind: 'wired',
  recommended: true,
};

describe('linkChange', () => {
  it('nothing to do while the interface is as it was', () => {
    expect(linkChange('eth0', eth0, [eth0])).toEqual({ kind: 'same' });
  });

  it('lost when it disappears, goes down or loses its address', () => {
    expect(linkChange('eth0', eth0, [])).toMatchObject({ kind: 'lost', why: 'interface eth0 disappeared' });
    expect(linkChange('eth0', eth0, [{ ...eth0, up: false }])).toMatchObject({ kind: 'lost', why: /went down/ });
    expect(linkChange('eth0', eth0, [{ ...eth0, address: '' }])).toMatchObject({
      kind: 'lost',
      why: /lost its address 10\.0\.0\.2/,
    });
  });

  it('moved when the address or prefix changes', () => {
    expect(linkChange('eth0', eth0, [{ ...eth0, address: '10.0.0.9' }])).toMatchObject({
      kind: 'moved',
      why: 'the address of eth0 changed from 10.0.0.2/24 to 10.0.0.9/24',
    });
  });

  it('back (while waiting) only once it is up with an address', () => {
    expect(linkChange('eth0', null, [])).toEqual({ kind: 'same' });
    expect(linkChange('eth0', null, [{ ...eth0, up: false }])).toEqual({ kind: 'same' });
    expect(linkChange('eth0', null, [eth0])).toMatchObject({ kind: 'back', now: eth0 });
  });
});
