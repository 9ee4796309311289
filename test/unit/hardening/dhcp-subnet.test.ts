/**
 * Only the chosen interface: the Responder ignores senders outside the serving subnet, on both ports.
 * (Linux delivers a unicast to our address whichever interface it came in on; the answer would leave
 * through that other interface.) The namespace test hardening-interfaces.test.ts checks it on the wire.
 */
import { describe, expect, it } from 'vitest';
import { Responder } from '../../../main/dhcp/responder';
import { clientBytes, productPolicy } from '../../helpers/dhcp/packets';

const r = () => new Responder({ serverIp: '10.50.0.1', prefix: 24, policy: productPolicy });

describe('requests from other subnets', () => {
  it('a 4011 REQUEST from another subnet gets nothing; the same from our subnet gets its ACK', () => {
    const req = clientBytes('uefi', { type: 3, flags: 0 });
    expect(r().handle(req, { address: '10.60.0.7', port: 4011 }, 'pxe').replies).toEqual([]);
    expect(r().handle(req, { address: '10.50.0.7', port: 4011 }, 'pxe').replies).toHaveLength(1);
  });

  it('a port 67 packet unicast from another subnet, or naming one in ciaddr, gets nothing', () => {
    expect(r().handle(clientBytes('bios'), { address: '192.168.9.9', port: 68 }, 'dhcp').replies).toEqual([]);
    expect(
      r().handle(clientBytes('bios', { ciaddr: '192.168.9.9' }), { address: '0.0.0.0', port: 68 }, 'dhcp').replies,
    ).toEqual([]);
    expect(r().handle(clientBytes('bios'), { address: '0.0.0.0', port: 68 }, 'dhcp').replies).toHaveLength(1);
  });
});
