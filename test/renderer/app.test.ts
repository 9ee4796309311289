import type { VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../renderer/src/App.vue';
import LogPanel from '../../renderer/src/components/LogPanel.vue';
import { FakeEngine, settle } from './fake-api';
import { client, snapshot, T0 } from './fixtures';
import { mountOn } from './mount';

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  vi.restoreAllMocks();
});

describe('LogPanel', () => {
  it('filters by level and text as lines arrive', async () => {
    const engine = new FakeEngine();
    wrapper = await mountOn(LogPanel, engine);
    engine.emit({ type: 'log', entry: { time: T0, level: 'debug', scope: 'tftp', message: 'RRQ /pxelinux.0' } });
    engine.emit({
      type: 'log',
      entry: { time: T0, level: 'info', scope: 'dhcp', message: 'proxy offer', client: '52:54:00:00:00:01' },
    });
    engine.emit({ type: 'log', entry: { time: T0, level: 'error', scope: 'tftp', message: 'timeout on /initrd' } });
    await settle();
    const lines = (): string[] =>
      wrapper!.findAll('[data-testid="log-line"]').map((l) => l.find('.log-message').text());
    expect(lines()).toEqual(['proxy offer', 'timeout on /initrd']);
    await wrapper.get('[data-testid="log-level"]').setValue('debug');
    expect(lines()).toEqual(['RRQ /pxelinux.0', 'proxy offer', 'timeout on /initrd']);
    await wrapper.get('[data-testid="log-filter"]').setValue('52:54');
    expect(lines()).toEqual(['proxy offer']);
  });

  it('exports the engine log as a .txt download', async () => {
    const engine = new FakeEngine();
    engine.handlers.exportLog = () => 'line 1\nline 2\n';
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:test';
    });
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    wrapper = await mountOn(LogPanel, engine);
    await wrapper.get('[data-testid="log-export"]').trigger('click');
    await settle();
    expect(engine.callsOf('exportLog')).toHaveLength(1);
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toMatch(/^bootdrop-log-\d{4}-\d\d-\d\d-\d{6}\.txt$/);
    expect(await blobs[0]!.text()).toBe('line 1\nline 2\n');
  });
});

describe('App', () => {
  it('puts every step on one screen, with the test ids the end-to-end test drives', async () => {
    const engine = new FakeEngine(snapshot({ clients: [client('52:54:00:00:00:01')] }));
    wrapper = await mountOn(App, engine, { pathForFile: () => '' });
    for (const id of [
      'connection-status',
      'drop-zone',
      'add-source',
      'source-item',
      'source-remove',
      'interface-select',
      'interface-refresh',
      'mode-radio-auto',
      'mode-radio-proxy',
      'mode-radio-dhcp',
      'effective-mode',
      'menu-editor',
      'menu-entry',
      'serve-toggle',
      'serve-status',
      'client-list',
      'client-row',
      'client-stage',
      'log-panel',
      'log-level',
      'log-filter',
      'log-export',
    ]) {
      expect(wrapper.find(`[data-testid="${id}"]`).exists(), id).toBe(true);
    }
    expect(wrapper.get('[data-testid="connection-status"]').attributes('data-status')).toBe('open');
  });

  it('shows a lost connection and its remedy', async () => {
    const engine = new FakeEngine();
    wrapper = await mountOn(App, engine);
    engine.setInfo({
      status: 'reconnecting',
      problem: {
        code: 'EDISCONNECTED',
        message: 'Not connected to Bootdrop (connection closed).',
        remedy: 'Check that Bootdrop is still running.',
      },
      retryAt: Date.now() + 3000,
    });
    await settle();
    expect(wrapper.get('[data-testid="connection-status"]').text()).toMatch(/retrying in \d s/);
    expect(wrapper.get('[data-testid="connection-error"]').text()).toContain('Check that Bootdrop is still running.');
    expect(wrapper.get('[data-testid="serve-toggle"]').attributes('disabled')).toBeDefined();
  });
});
