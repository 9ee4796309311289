import type { VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { MenuSettings } from '../../main/contract/index';
import ClientList from '../../renderer/src/components/ClientList.vue';
import MenuEditor from '../../renderer/src/components/MenuEditor.vue';
import NetworkPanel from '../../renderer/src/components/NetworkPanel.vue';
import ServeToggle from '../../renderer/src/components/ServeToggle.vue';
import { FakeEngine, settle } from './fake-api';
import { client, entry, iface, menu, servingState, snapshot, source, T0, transfer } from './fixtures';
import { mountOn } from './mount';
import { DESKTOP_WINDOW } from '../../renderer/src/remedies';

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
});

describe('ServeToggle', () => {
  it('shows the engine error with its remedy inline', async () => {
    const engine = new FakeEngine(
      snapshot({
        state: servingState({
          error: {
            code: 'EADDRINUSE',
            message: 'UDP port 67 on 192.168.1.5 is in use by another program',
            remedy: 'Stop dnsmasq, or choose "Beside a router".',
          },
        }),
      }),
    );
    wrapper = await mountOn(ServeToggle, engine);
    const error = wrapper.get('[data-testid="serve-error"]');
    expect(error.attributes('role')).toBe('alert');
    expect(error.get('[data-testid="problem-message"]').text()).toBe(
      'UDP port 67 on 192.168.1.5 is in use by another program',
    );
    expect(error.get('[data-testid="problem-remedy"]').text()).toBe('Stop dnsmasq, or choose "Beside a router".');
  });

  it('notes what firewalld blocks on the serving interface, with the command that opens it', async () => {
    const command = 'sudo firewall-cmd --zone=FedoraWorkstation --add-port=69/udp --add-port=80/tcp';
    const firewallBlocked = { iface: 'eth0', zone: 'FedoraWorkstation', ports: ['69/udp', '80/tcp'], command };
    const serving = servingState({ serving: true, interfaceName: 'eth0', address: '192.168.1.5', firewallBlocked });
    const engine = new FakeEngine(snapshot({ state: serving }));
    wrapper = await mountOn(ServeToggle, engine);
    const note = wrapper.get('[data-testid="firewall-note"]');
    expect(note.text().replace(/\s+/g, ' ')).toBe(
      'firewalld blocks 69/udp, 80/tcp on eth0 (zone FedoraWorkstation): PCs cannot reach ' +
        `Bootdrop. Open them for this session with: ${command}, then Check again`,
    );
    expect(note.get('.mono').text()).toBe(command);
    engine.emit({ type: 'state', state: { ...serving, firewallBlocked: null } });
    await settle();
    expect(wrapper.find('[data-testid="firewall-note"]').exists()).toBe(false);
  });

  it('asks firewalld again on "Check again": the note goes once the ports are open, or says what failed', async () => {
    const command = 'sudo firewall-cmd --add-port=69/udp';
    const firewallBlocked = { iface: 'eth0', zone: null, ports: ['69/udp'], command };
    const serving = servingState({ serving: true, interfaceName: 'eth0', address: '192.168.1.5', firewallBlocked });
    const engine = new FakeEngine(snapshot({ state: serving }));
    engine.handlers.recheckFirewall = () => {
      throw Object.assign(new Error('firewall-cmd did not answer'), { code: 'EFAIL', remedy: 'try again' });
    };
    wrapper = await mountOn(ServeToggle, engine);
    await wrapper.get('[data-testid="firewall-recheck"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="firewall-error"]').text()).toContain('firewall-cmd did not answer');
    expect(wrapper.find('[data-testid="firewall-note"]').exists()).toBe(true);
    engine.handlers.recheckFirewall = () => ({ ...serving, firewallBlocked: null });
    await wrapper.get('[data-testid="firewall-recheck"]').trigger('click');
    await settle();
    expect(engine.callsOf('recheckFirewall')).toHaveLength(2);
    expect(wrapper.find('[data-testid="firewall-note"]').exists()).toBe(false);
  });

  it('starts on the recommended interface, shows pending, then what is served', async () => {
    const engine = new FakeEngine();
    let finish: (() => void) | null = null;
    engine.handlers.start = () =>
      new Promise((resolve) => {
        finish = () =>
          resolve(
            servingState({
              serving: true,
              interfaceName: 'eth0',
              address: '192.168.1.5',
              httpUrl: 'http://192.168.1.5:8080/',
            }),
          );
      });
    wrapper = await mountOn(ServeToggle, engine);
    const toggle = wrapper.get('[data-testid="serve-toggle"]');
    expect(toggle.attributes('role')).toBe('switch');
    expect(toggle.attributes('aria-checked')).toBe('false');
    await toggle.trigger('click');
    await settle();
    // Pending: not shown as on until the engine says so.
    expect(toggle.attributes('aria-checked')).toBe('false');
    expect(toggle.attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="serve-status"]').text()).toBe('Starting…');
    finish!();
    await settle();
    expect(engine.calls.map((c) => c.name)).toEqual(['snapshot', 'setInterface', 'start']);
    expect(toggle.attributes('aria-checked')).toBe('true');
    expect(wrapper.get('[data-testid="serve-url"]').text()).toContain('http://192.168.1.5:8080/');
  });

  it('shows a failed start with its remedy, and stays off', async () => {
    const engine = new FakeEngine();
    engine.handlers.start = () => {
      throw Object.assign(new Error('No permission to use UDP port 67'), {
        code: 'EACCES',
        remedy: 'Run the setup step once: sudo bootdrop setup',
      });
    };
    wrapper = await mountOn(ServeToggle, engine);
    await wrapper.get('[data-testid="serve-toggle"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="serve-error"] [data-testid="problem-remedy"]').text()).toBe(
      'Run the setup step once: sudo bootdrop setup',
    );
    expect(wrapper.get('[data-testid="serve-toggle"]').attributes('aria-checked')).toBe('false');
  });

  it('offers the desktop fix for refused privileged ports', async () => {
    const engine = new FakeEngine(
      snapshot({
        state: servingState({
          error: {
            code: 'EACCES',
            message: 'No permission to use UDP port 67',
            // The engine's remedy is written for the CLI (main/net/port-error.ts).
            remedy:
              'allow unprivileged low ports: sudo sysctl -w net.ipv4.ip_unprivileged_port_start=67 (persist it with a file in /etc/sysctl.d/; 67 covers DHCP, TFTP and HTTP), or run "bootdrop serve" with root privileges',
          },
        }),
      }),
    );
    let fixes = 0;
    wrapper = await mountOn(ServeToggle, engine, {
      fixPrivilegedPorts: async () => ({ ok: true, message: `fixed ${++fixes}` }),
    });
    // The window speaks of its own button, not of a terminal command.
    const remedy = wrapper.get('[data-testid="serve-error"] [data-testid="problem-remedy"]').text();
    expect(remedy).toBe(
      'Press “Allow Bootdrop to use these ports” below: the system asks for your password once, then switch serving on again.',
    );
    expect(remedy).not.toMatch(/sudo|bootdrop serve|root/);
    expect(wrapper.get('[data-testid="fix-ports"]').text()).toBe('Allow Bootdrop to use these ports');
    await wrapper.get('[data-testid="fix-ports"]').trigger('click');
    await settle();
    expect(fixes).toBe(1);
    expect(wrapper.get('.fix-ports [role="status"]').text()).toBe('fixed 1 Switch serving on again.');
  });

  it('offers no fix in a browser or for other errors', async () => {
    const eacces = servingState({ error: { code: 'EACCES', message: 'm', remedy: 'r' } });
    wrapper = await mountOn(ServeToggle, new FakeEngine(snapshot({ state: eacces })));
    expect(wrapper.find('[data-testid="fix-ports"]').exists()).toBe(false);
    // The browser UI runs under `bootdrop serve --ui`: there the CLI's remedy is the right one.
    expect(wrapper.get('[data-testid="problem-remedy"]').text()).toBe('r');
    wrapper.unmount();
    const busy = servingState({ error: { code: 'EADDRINUSE', message: 'm', remedy: 'r' } });
    wrapper = await mountOn(ServeToggle, new FakeEngine(snapshot({ state: busy })), {
      fixPrivilegedPorts: async () => ({ ok: true, message: '' }),
    });
    expect(wrapper.find('[data-testid="fix-ports"]').exists()).toBe(false);
  });

  it('tells a busy port as a window action in the desktop app, and as a command in the browser UI', async () => {
    const busy = servingState({
      error: {
        code: 'EADDRINUSE',
        message: 'DHCP port 67 (UDP) on 0.0.0.0 is already in use, probably by dnsmasq',
        // The engine's remedy is written for the CLI (main/net/port-error.ts).
        remedy: "stop dnsmasq (find it with: sudo ss -lunp 'sport = :67'), or serve on another interface",
      },
    });
    wrapper = await mountOn(ServeToggle, new FakeEngine(snapshot({ state: busy })), {}, { [DESKTOP_WINDOW]: true });
    const remedy = wrapper.get('[data-testid="serve-error"] [data-testid="problem-remedy"]').text();
    expect(remedy).toMatch(/^Quit the program named above/);
    expect(remedy).not.toMatch(/sudo|ss -l/);
    wrapper.unmount();
    wrapper = await mountOn(ServeToggle, new FakeEngine(snapshot({ state: busy })));
    expect(wrapper.get('[data-testid="serve-error"] [data-testid="problem-remedy"]').text()).toBe(
      "stop dnsmasq (find it with: sudo ss -lunp 'sport = :67'), or serve on another interface",
    );
  });

  it('cannot be switched on without an ISO, and says so', async () => {
    wrapper = await mountOn(ServeToggle, new FakeEngine(snapshot({ sources: [] })));
    expect(wrapper.get('[data-testid="serve-toggle"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="serve-status"]').text()).toMatch(/Add an ISO first/);
  });
});

describe('client rows', () => {
  const mac = '52:54:00:12:34:56';
  function booting(): FakeEngine {
    return new FakeEngine(
      snapshot({
        state: servingState({ serving: true }),
        sources: [source('ubuntu', { entries: [entry('ubuntu', 'live', { label: 'Try Ubuntu' })] })],
        clients: [
          client(mac, {
            ip: '192.168.1.77',
            firmware: 'uefi',
            entryId: 'ubuntu:live',
            stage: 'kernel',
            transfers: [
              transfer('t1', {
                mac,
                protocol: 'http',
                file: '/casper/vmlinuz',
                bytes: 2_300_000_000,
                total: 6_114_656_256,
                rate: 95_000_000,
              }),
            ],
          }),
        ],
      }),
    );
  }

  it('renders who the PC is, its step, progress, bytes, rate and ETA', async () => {
    wrapper = await mountOn(ClientList, booting());
    const row = wrapper.get('[data-testid="client-row"]');
    expect(row.attributes('data-mac')).toBe(mac);
    expect(row.text()).toContain('192.168.1.77');
    expect(row.get('[data-testid="client-firmware"]').text()).toBe('UEFI');
    expect(row.get('[data-testid="client-entry"]').text()).toBe('Try Ubuntu');
    const steps = row.findAll('[data-testid="client-stage"] [data-step]');
    expect(steps.map((s) => s.classes().find((c) => ['done', 'current', 'todo', 'failed'].includes(c)))).toEqual([
      'done',
      'done',
      'done',
      'current',
      'todo',
      'todo',
    ]);
    expect(row.get('[data-step="kernel"]').attributes('aria-current')).toBe('step');
    const bar = row.get<HTMLProgressElement>('[data-testid="client-progress"]');
    expect(bar.element.value).toBeCloseTo(2_300_000_000 / 6_114_656_256, 5);
    expect(row.get('[data-testid="client-bytes"]').text()).toBe('2.3 GB of 6.1 GB');
    expect(row.get('[data-testid="client-rate"]').text()).toBe('95.0 MB/s');
    expect(row.get('[data-testid="client-eta"]').text()).toBe('41 s left');
    // No history yet (the snapshot is one moment): no sparkline until updates arrive.
    expect(row.find('[data-testid="client-sparkline"]').exists()).toBe(false);
  });

  it('draws a throughput sparkline beside the progress bar as updates arrive', async () => {
    const engine = booting();
    wrapper = await mountOn(ClientList, engine);
    for (const [bytes, rate] of [
      [2_400_000_000, 80_000_000],
      [2_500_000_000, 100_000_000],
      [2_540_000_000, 40_000_000],
    ] as const) {
      engine.emit({ type: 'transfer', transfer: transfer('t1', { mac, bytes, total: 6_114_656_256, rate }) });
    }
    await settle();
    const spark = wrapper.get('[data-testid="client-row"] .transfer-bar [data-testid="client-sparkline"]');
    expect(spark.get('polyline').attributes('points')).toBe('0,4 40,0 80,12');
    expect(spark.attributes('aria-label')).toBe('Download speed over the last 3 updates, peak 100 MB/s');
  });

  it('moves along with events, and shows where a failed boot stopped', async () => {
    const engine = booting();
    wrapper = await mountOn(ClientList, engine);
    engine.emit({
      type: 'transfer',
      transfer: transfer('t1', {
        mac,
        bytes: 6_114_656_256,
        total: 6_114_656_256,
        outcome: 'done',
        endedAt: T0 + 65_000,
      }),
    });
    engine.emit({
      type: 'client',
      client: client(mac, {
        stage: 'initrd',
        ip: '192.168.1.77',
        transfers: [
          transfer('t1', { mac, bytes: 6_114_656_256, total: 6_114_656_256, outcome: 'done', endedAt: T0 + 65_000 }),
          transfer('t2', { mac, file: '/casper/initrd', bytes: 100, total: null, rate: 10 }),
        ],
      }),
    });
    await settle();
    const row = wrapper.get('[data-testid="client-row"]');
    expect(row.get('[data-testid="client-stage"]').attributes('data-stage')).toBe('initrd');
    // Unknown size: an indeterminate bar and no ETA.
    expect(row.get('[data-testid="client-progress"]').attributes('value')).toBeUndefined();
    expect(row.find('[data-testid="client-eta"]').exists()).toBe(false);
    engine.emit({
      type: 'client',
      client: client(mac, {
        stage: 'failed',
        transfers: [
          transfer('t2', { mac, file: '/casper/initrd', outcome: 'failed', error: 'timed out waiting for ACK' }),
        ],
      }),
    });
    await settle();
    expect(row.get('[data-testid="client-outcome"]').text()).toBe('Failed');
    expect(row.get('[data-step="initrd"]').classes()).toContain('failed');
    expect(row.get('[data-step="kernel"]').classes()).toContain('done');
    expect(row.get('[data-testid="client-error"]').text()).toBe('/casper/initrd: timed out waiting for ACK');
  });

  it('shows the boot chain a PC is on and what the user should do about it (Secure Boot)', async () => {
    const notice =
      'GRUB (Secure Boot chain) never asked Bootdrop for its menu: connect this PC by cable directly to this computer, or turn Secure Boot off in its firmware settings';
    wrapper = await mountOn(
      ClientList,
      new FakeEngine(
        snapshot({
          state: servingState({ serving: true }),
          clients: [
            client(mac, { firmware: 'uefi', stage: 'loader', chain: 'Secure Boot chain: Debian shim → GRUB', notice }),
          ],
        }),
      ),
    );
    const row = wrapper.get('[data-testid="client-row"]');
    expect(row.get('[data-testid="client-chain"]').text()).toBe('Secure Boot chain: Debian shim → GRUB');
    expect(row.get('[data-testid="client-notice"]').text()).toBe(notice);
  });

  it("shows the PC's maker, model, RAM, firmware and network driver, and what its RAM is too small for", async () => {
    wrapper = await mountOn(
      ClientList,
      new FakeEngine(
        snapshot({
          state: servingState({ serving: true }),
          sources: [
            source('ubuntu', {
              entries: [
                entry('ubuntu', 'live', { label: 'Try Ubuntu', minRamMiB: 7 * 1024 }),
                entry('ubuntu', 'memtest', { label: 'Memory test' }),
              ],
            }),
          ],
          clients: [
            client(mac, {
              firmware: 'uefi',
              stage: 'menu',
              pc: {
                maker: 'LENOVO',
                model: 'ThinkPad T14',
                ramMiB: 4096,
                ramSource: 'smbios',
                platform: 'efi',
                arch: 'x86_64',
                nic: 'SNP',
              },
            }),
          ],
        }),
      ),
    );
    const row = wrapper.get('[data-testid="client-row"]');
    expect(row.get('[data-testid="client-pc-name"]').text()).toBe('LENOVO ThinkPad T14');
    expect(row.get('[data-testid="client-pc-ram"]').text()).toBe('≥ 4 GiB RAM');
    expect(row.get('[data-testid="client-pc-firmware"]').text()).toBe('UEFI x86_64');
    expect(row.get('[data-testid="client-pc-driver"]').text()).toBe('firmware network driver (SNP)');
    expect(row.get('[data-testid="client-too-big"]').text()).toBe('Too little RAM for: Try Ubuntu (needs ~7 GiB)');
  });

  it('shows nothing of the PC before its iPXE has said anything', async () => {
    wrapper = await mountOn(
      ClientList,
      new FakeEngine(
        snapshot({ state: servingState({ serving: true }), clients: [client(mac, { firmware: 'bios' })] }),
      ),
    );
    const row = wrapper.get('[data-testid="client-row"]');
    expect(row.find('[data-testid="client-pc"]').exists()).toBe(false);
    expect(row.find('[data-testid="client-too-big"]').exists()).toBe(false);
  });

  it('says what to do while no PC has shown up', async () => {
    wrapper = await mountOn(ClientList, new FakeEngine(snapshot({ state: servingState({ serving: true }) })));
    expect(wrapper.find('[data-testid="client-row"]').exists()).toBe(false);
    expect(wrapper.text()).toMatch(/pick network boot \(PXE\)/);
  });
});

describe('MenuEditor', () => {
  function withEntries(m: MenuSettings = menu()): FakeEngine {
    return new FakeEngine(
      snapshot({
        sources: [
          source('ubuntu', {
            osName: 'Ubuntu 24.04',
            entries: [
              entry('ubuntu', 'live', { label: 'Try Ubuntu', isDefault: true }),
              entry('ubuntu', 'safe', { label: 'Safe graphics' }),
            ],
          }),
        ],
        menu: m,
      }),
    );
  }

  it('says per entry whether a Secure Boot PC can boot it, and why', async () => {
    wrapper = await mountOn(
      MenuEditor,
      new FakeEngine(
        snapshot({
          sources: [
            source('debian', {
              entries: [
                entry('debian', 'live', {
                  label: 'Live',
                  secureBoot: {
                    bootable: true,
                    chain: 'Debian shim → GRUB',
                    reason: 'kernel signed by Debian Secure Boot Signer 2022 - linux (issued by Debian Secure Boot CA)',
                    cpu: 'x64',
                  },
                }),
                entry('debian', 'cd', {
                  label: 'Whole ISO',
                  kind: 'sanboot',
                  secureBoot: { bootable: false, chain: null, reason: 'iPXE is not signed', cpu: null },
                }),
              ],
            }),
          ],
        }),
      ),
    );
    const notes = wrapper.findAll('[data-testid="menu-secure-boot"]');
    expect(notes.map((n) => n.attributes('data-bootable'))).toEqual(['true', 'false']);
    expect(notes[0]!.text()).toMatch(/boot it \(Debian shim → GRUB\) — kernel signed by Debian Secure Boot Signer/);
    expect(notes[1]!.text()).toMatch(/cannot boot it — iPXE is not signed/);
  });

  it('lists entries per ISO in order with the default checked', async () => {
    wrapper = await mountOn(MenuEditor, withEntries());
    const rows = wrapper.findAll('[data-testid="menu-entry"]');
    expect(rows.map((r) => r.attributes('data-entry-id'))).toEqual(['ubuntu:live', 'ubuntu:safe']);
    expect(rows.map((r) => r.get<HTMLInputElement>('[data-testid="menu-default"]').element.checked)).toEqual([
      true,
      false,
    ]);
    expect(wrapper.get<HTMLInputElement>('[data-testid="menu-timeout"]').element.value).toBe('5');
  });

  it('sends renames, kernel arguments, enable switches and the default as setMenu overrides', async () => {
    const engine = withEntries(menu({ overrides: { 'ubuntu:live': { append: 'quiet' } } }));
    wrapper = await mountOn(MenuEditor, engine);
    const [live, safe] = wrapper.findAll('[data-testid="menu-entry"]');

    await safe!.get('[data-testid="menu-label"]').setValue('Ubuntu (nomodeset)');
    await settle();
    await safe!.get('[data-testid="menu-append"]').setValue('nomodeset');
    await settle();
    await live!.get('[data-testid="menu-enabled"]').trigger('click');
    await settle();
    await safe!.get('[data-testid="menu-default"]').setValue(true);
    await settle();
    await live!.get('[data-testid="menu-append"]').setValue('');
    await settle();
    await wrapper.get('[data-testid="menu-timeout"]').setValue('12');
    await settle();

    const sent = engine.callsOf('setMenu') as Array<{ menu: MenuSettings }>;
    expect(sent.map((s) => s.menu)).toEqual([
      menu({ overrides: { 'ubuntu:live': { append: 'quiet' }, 'ubuntu:safe': { label: 'Ubuntu (nomodeset)' } } }),
      menu({
        overrides: {
          'ubuntu:live': { append: 'quiet' },
          'ubuntu:safe': { label: 'Ubuntu (nomodeset)', append: 'nomodeset' },
        },
      }),
      menu({
        overrides: {
          'ubuntu:live': { append: 'quiet', enabled: false },
          'ubuntu:safe': { label: 'Ubuntu (nomodeset)', append: 'nomodeset' },
        },
      }),
      menu({
        defaultEntryId: 'ubuntu:safe',
        overrides: {
          'ubuntu:live': { append: 'quiet', enabled: false },
          'ubuntu:safe': { label: 'Ubuntu (nomodeset)', append: 'nomodeset' },
        },
      }),
      menu({
        defaultEntryId: 'ubuntu:safe',
        overrides: {
          'ubuntu:live': { enabled: false },
          'ubuntu:safe': { label: 'Ubuntu (nomodeset)', append: 'nomodeset' },
        },
      }),
      menu({
        defaultEntryId: 'ubuntu:safe',
        timeoutSec: 12,
        overrides: {
          'ubuntu:live': { enabled: false },
          'ubuntu:safe': { label: 'Ubuntu (nomodeset)', append: 'nomodeset' },
        },
      }),
    ]);
    expect(live!.get('[data-testid="menu-enabled"]').attributes('aria-checked')).toBe('false');
  });

  it('puts a refused change back to the engine value and shows why', async () => {
    const engine = withEntries();
    engine.handlers.setMenu = () => {
      throw Object.assign(
        new Error('setMenu.menu.overrides["ubuntu:live"].label: must not contain control characters'),
        { code: 'EINVAL' },
      );
    };
    wrapper = await mountOn(MenuEditor, engine);
    const [live, safe] = wrapper.findAll('[data-testid="menu-entry"]');
    const label = live!.get<HTMLInputElement>('[data-testid="menu-label"]');
    await label.setValue('bad');
    await settle();
    expect(label.element.value).toBe('Try Ubuntu');
    await safe!.get('[data-testid="menu-default"]').setValue(true);
    await settle();
    expect(live!.get<HTMLInputElement>('[data-testid="menu-default"]').element.checked).toBe(true);
    expect(safe!.get<HTMLInputElement>('[data-testid="menu-default"]').element.checked).toBe(false);
    expect(wrapper.get('[data-testid="menu-error"]').text()).toMatch(/control characters/);
  });
});

describe('NetworkPanel', () => {
  const interfaces = [
    iface('wlan0', { kind: 'wireless', address: '10.0.0.3' }),
    iface('enp3s0', { recommended: true }),
    iface('docker0', { kind: 'virtual', address: '172.17.0.1', prefix: 16 }),
  ];

  it('preselects the recommended interface and sends a different choice', async () => {
    const engine = new FakeEngine(snapshot({ interfaces }));
    wrapper = await mountOn(NetworkPanel, engine);
    const select = wrapper.get<HTMLSelectElement>('[data-testid="interface-select"]');
    expect(select.element.value).toBe('enp3s0');
    expect(select.findAll('option').map((o) => o.text())).toContain(
      'enp3s0 — 192.168.1.5/24, wired, link up (recommended)',
    );
    await select.setValue('wlan0');
    await settle();
    expect(engine.callsOf('setInterface')).toEqual([{ name: 'wlan0' }]);
  });

  it('shows the engine choice over the recommendation, and snaps back when a choice is refused', async () => {
    const engine = new FakeEngine(snapshot({ interfaces, state: servingState({ interfaceName: 'docker0' }) }));
    engine.handlers.setInterface = () => {
      throw Object.assign(new Error('no network interface called "wlan0"'), { code: 'EINVAL' });
    };
    wrapper = await mountOn(NetworkPanel, engine);
    const select = wrapper.get<HTMLSelectElement>('[data-testid="interface-select"]');
    expect(select.element.value).toBe('docker0');
    await select.setValue('wlan0');
    await settle();
    expect(select.element.value).toBe('docker0');
    expect(wrapper.text()).toContain('no network interface called "wlan0"');
  });

  it('shows the requested and the effective mode, and sends mode changes', async () => {
    const engine = new FakeEngine(
      snapshot({ interfaces, state: servingState({ mode: 'auto', effectiveMode: 'proxy', serving: true }) }),
    );
    wrapper = await mountOn(NetworkPanel, engine);
    expect(wrapper.get<HTMLInputElement>('[data-testid="mode-radio-auto"]').element.checked).toBe(true);
    expect(wrapper.get('[data-testid="effective-mode"]').text()).toBe('In effect: Beside a router (proxy DHCP)');
    await wrapper.get('[data-testid="mode-radio-dhcp"]').setValue(true);
    await settle();
    expect(engine.callsOf('setMode')).toEqual([{ mode: 'dhcp' }]);
    // Not confirmed by the engine yet (no state event): the radios show the engine's mode.
    expect(wrapper.get<HTMLInputElement>('[data-testid="mode-radio-auto"]').element.checked).toBe(true);
    engine.emit({ type: 'state', state: servingState({ mode: 'dhcp', effectiveMode: 'dhcp', serving: true }) });
    await settle();
    expect(wrapper.get<HTMLInputElement>('[data-testid="mode-radio-dhcp"]').element.checked).toBe(true);
    expect(wrapper.get('[data-testid="effective-mode"]').text()).toBe('In effect: Direct cable (own DHCP)');
  });

  it('says what a fixed mode puts in effect, before serving and while a mode change restarts', async () => {
    const engine = new FakeEngine(
      snapshot({ interfaces, state: servingState({ mode: 'proxy', effectiveMode: null }) }),
    );
    wrapper = await mountOn(NetworkPanel, engine);
    expect(wrapper.get('[data-testid="effective-mode"]').text()).toBe('In effect: Beside a router (proxy DHCP)');
    // setMode reports the new choice before the restart replaces the old effective mode.
    engine.emit({ type: 'state', state: servingState({ mode: 'proxy', effectiveMode: 'dhcp', serving: true }) });
    await settle();
    expect(wrapper.get('[data-testid="effective-mode"]').text()).toBe('In effect: Beside a router (proxy DHCP)');
    engine.emit({ type: 'state', state: servingState({ mode: 'auto', effectiveMode: null, serving: false }) });
    await settle();
    expect(wrapper.get('[data-testid="effective-mode"]').text()).toBe('In effect: Decided when serving starts');
    // Auto mode says why it chose what it did (the engine's sentence).
    const why = 'no other DHCP server answered 3 probes in 10 s, but 9 other machines are on eth0: staying proxyDHCP';
    engine.emit({
      type: 'state',
      state: servingState({ mode: 'auto', effectiveMode: 'proxy', serving: true, modeReason: why }),
    });
    await settle();
    expect(wrapper.get('[data-testid="mode-reason"]').text()).toBe(why);
  });
});
