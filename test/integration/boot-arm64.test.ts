import { afterAll, describe, expect, it } from 'vitest';
import { bootRig, Guest, randomMac, ServeProcess, type BootRig } from '../helpers/qemu';
import { markerOf } from '../helpers/testiso';
import { buildArm64Fixture } from '../helpers/testiso-arm64';

type TransferEv = { transfer: { file: string; outcome: string } };
type ClientEv = { client: { mac: string; arch: number | null; chain?: string | null } };

// An ARM64 UEFI PC (QEMU virt + AAVMF with Microsoft's keys, Secure Boot enforced) on a bare cable:
// DHCP architecture 11 → Debian's signed shimaa64 → grubnetaa64 → the Debian-signed arm64 kernel.
describe('ARM64 UEFI PC (AAVMF, Secure Boot), bare cable', () => {
  let rig: BootRig | undefined;
  afterAll(async () => rig?.cleanup());

  it('boots an arm64 Debian-live-like ISO through shimaa64 → GRUB to its marker', async () => {
    const fx = await buildArm64Fixture();
    rig = await bootRig('arm', '10.213.63', { router: false });
    rig.serve = ServeProcess.start(rig.server.ns, [
      fx.iso,
      '--interface',
      'eth0',
      '--mode',
      'dhcp',
      '--append',
      'console=ttyAMA0',
      '--timeout',
      '1',
    ]);
    await rig.serve.ready();
    const mac = randomMac();
    rig.guest = await Guest.start({
      firmware: 'uefi-arm64-secure-boot',
      tap: await rig.lan.addTap(),
      mac,
      memMiB: 1024,
    });
    await rig.guest.waitFor(markerOf(fx.token), 480_000);
    // Debian's kernel says so when the firmware booted it with Secure Boot on (lockdown patch).
    expect(rig.guest.serial).toMatch(/Secure boot enabled|locked down from EFI Secure Boot mode/);
    const files = rig.serve.events
      .filter((e) => e.type === 'transfer' && (e as unknown as TransferEv).transfer.outcome === 'done')
      .map((e) => (e as unknown as TransferEv).transfer.file);
    expect(files).toEqual(expect.arrayContaining(['/loaders/shimaa64.efi', '/loaders/grubaa64.efi', '/grub/grub.cfg']));
    const seen = rig.serve.events
      .filter((e) => e.type === 'client' && (e as unknown as ClientEv).client.mac === mac)
      .map((e) => (e as unknown as ClientEv).client);
    expect(seen.some((c) => c.arch === 11)).toBe(true);
    expect(seen.map((c) => c.chain)).toContain('Secure Boot chain: Debian shim → GRUB');
    expect(await rig.serve.stop()).toBe(0);
    rig.serve = null;
  });
});
