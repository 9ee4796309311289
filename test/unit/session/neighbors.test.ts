import { describe, expect, it } from 'vitest';
import { arpLookup } from '../../../main/session/neighbors';

const TABLE = `IP address       HW type     Flags       HW address            Mask     Device
10.0.0.119       0x1         0x2         52:54:00:AB:CD:EF     *        eth0
10.0.0.120       0x1         0x0         00:00:00:00:00:00     *        eth0
`;

describe('arpLookup', () => {
  it('finds complete entries only', () => {
    expect(arpLookup('10.0.0.119', () => TABLE)).toBe('52:54:00:ab:cd:ef');
    expect(arpLookup('10.0.0.120', () => TABLE)).toBeNull();
    expect(arpLookup('10.0.0.1', () => TABLE)).toBeNull();
    expect(
      arpLookup('10.0.0.1', () => {
        throw new Error('no table');
      }),
    ).toBeNull();
  });
});
