import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import DropZone from '../../renderer/src/components/DropZone.vue';
import { FakeEngine, settle } from './fake-api';
import { source } from './fixtures';
import { mountOn } from './mount';

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
});

function iso(name: string): File {
  return new File(['x'], name, { type: 'application/x-iso9660-image' });
}

describe('DropZone', () => {
  it('adds dropped files by path when the shell can tell the path (Electron)', async () => {
    const engine = new FakeEngine();
    engine.handlers.addSource = (req) => source('new', { path: req.path });
    const paths = new Map<File, string>();
    const a = iso('ubuntu.iso');
    const b = iso('arch.iso');
    paths.set(a, '/home/me/ubuntu.iso').set(b, '/home/me/arch.iso');
    wrapper = await mountOn(DropZone, engine, { pathForFile: (f: File) => paths.get(f) ?? '' });
    await wrapper.get('[data-testid="drop-zone"]').trigger('drop', { dataTransfer: { files: [a, b] } });
    await settle();
    expect(engine.callsOf('addSource')).toEqual([{ path: '/home/me/ubuntu.iso' }, { path: '/home/me/arch.iso' }]);
    expect(wrapper.find('[data-testid="picker"]').exists()).toBe(false);
  });

  it('opens the server-side picker with an explanation when a browser gives no path', async () => {
    const engine = new FakeEngine();
    engine.handlers.browse = (req) => ({
      path: req.path ?? '/home/me',
      parent: '/home',
      entries: [
        { name: 'isos', path: '/home/me/isos', kind: 'dir' },
        { name: 'ubuntu.iso', path: '/home/me/ubuntu.iso', kind: 'iso', size: 6_000_000_000 },
      ],
    });
    engine.handlers.addSource = (req) => source('ubuntu', { path: req.path });
    wrapper = await mountOn(DropZone, engine, {});
    await wrapper.get('[data-testid="drop-zone"]').trigger('drop', { dataTransfer: { files: [iso('ubuntu.iso')] } });
    await settle();
    expect(engine.callsOf('addSource')).toEqual([]);
    const picker = wrapper.get('[data-testid="picker"]');
    expect(picker.attributes('role')).toBe('dialog');
    expect(wrapper.get('[data-testid="picker-notice"]').text()).toMatch(/does not tell Bootdrop where “ubuntu.iso” is/);
    expect(engine.callsOf('browse')).toEqual([{}]);

    const entries = wrapper.findAll('[data-testid="picker-entry"]');
    expect(entries.map((e) => e.attributes('data-kind'))).toEqual(['dir', 'iso']);
    expect(entries[1]!.text()).toContain('6.0 GB');
    await entries[0]!.trigger('click');
    await settle();
    expect(engine.callsOf('browse')).toEqual([{}, { path: '/home/me/isos' }]);
    expect(wrapper.get<HTMLInputElement>('[data-testid="picker-path"]').element.value).toBe('/home/me/isos');

    await wrapper.findAll('[data-testid="picker-entry"]')[1]!.trigger('click');
    await settle();
    expect(engine.callsOf('addSource')).toEqual([{ path: '/home/me/ubuntu.iso' }]);
    expect(wrapper.find('[data-testid="picker"]').exists()).toBe(false);
  });

  it('lists the ISO files on plugged-in drives, and says which drive did not answer', async () => {
    const engine = new FakeEngine();
    engine.handlers.browse = (req) => ({ path: req.path ?? '/home/me', parent: '/home', entries: [] });
    engine.handlers.volumes = () => ({
      error: null,
      volumes: [
        {
          path: '/run/media/me/STICK',
          name: 'STICK',
          size: 32e9,
          free: 20e9,
          error: null,
          isos: [{ name: 'debian.iso', path: '/run/media/me/STICK/debian.iso', size: 700e6 }],
        },
        { path: '/mnt/nas', name: 'nas', size: null, free: null, isos: [], error: 'did not answer within 5.0 s' },
      ],
    });
    engine.handlers.addSource = (req) => source('debian', { path: req.path });
    wrapper = await mountOn(DropZone, engine, {});
    await wrapper.get('[data-testid="drop-zone"]').trigger('drop', { dataTransfer: { files: [iso('debian.iso')] } });
    await settle();
    const drives = wrapper.get('[data-testid="picker-drives"]');
    expect(drives.findAll('[data-testid="picker-drive"]').map((d) => d.text())).toEqual([
      expect.stringMatching(/^STICK.*20\.0 GB free.*debian\.iso.*700 MB/),
      expect.stringMatching(/^nas.*did not answer within 5\.0 s/),
    ]);
    await drives.get('[data-testid="picker-drive-iso"]').trigger('click');
    await settle();
    expect(engine.callsOf('addSource')).toEqual([{ path: '/run/media/me/STICK/debian.iso' }]);
  });

  it('shows the folder the user typed even when the first listing answers after it', async () => {
    const engine = new FakeEngine();
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let calls = 0;
    engine.handlers.browse = async (req) => {
      if (++calls === 1) await firstHeld; // the opening listing (last folder or default place) is slow
      const p = req.path ?? '/';
      return { path: p, parent: null, entries: [{ name: 'x.iso', path: `${p}/x.iso`, kind: 'iso' }] };
    };
    wrapper = await mountOn(DropZone, engine, { pathForFile: () => '/x.iso' });
    await wrapper.get('[data-testid="add-source"]').trigger('click');
    await settle();
    const input = wrapper.get<HTMLInputElement>('[data-testid="picker-path"]');
    await input.setValue('/srv/isos');
    await wrapper.get('form.picker-path').trigger('submit');
    await settle();
    releaseFirst();
    await settle();
    expect(engine.callsOf('browse').at(-1)).toEqual({ path: '/srv/isos' });
    expect(wrapper.get('[data-testid="picker-entry"]').attributes('data-path')).toBe('/srv/isos/x.iso');
    expect(input.element.value).toBe('/srv/isos');
  });

  it('keeps what the user is typing when a listing arrives meanwhile', async () => {
    const engine = new FakeEngine();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    engine.handlers.browse = async (req) => {
      await held;
      return { path: req.path ?? '/', parent: null, entries: [] };
    };
    wrapper = await mountOn(DropZone, engine, { pathForFile: () => '/x.iso' });
    await wrapper.get('[data-testid="add-source"]').trigger('click');
    await settle();
    const input = wrapper.get<HTMLInputElement>('[data-testid="picker-path"]');
    await input.setValue('/srv/is');
    release();
    await settle();
    expect(input.element.value).toBe('/srv/is');
  });

  it('opens the picker from the Open… button, and closes it with Escape', async () => {
    const engine = new FakeEngine();
    wrapper = await mountOn(DropZone, engine, { pathForFile: () => '/x.iso' });
    await wrapper.get('[data-testid="add-source"]').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="picker-notice"]').exists()).toBe(false);
    await wrapper.get('[data-testid="picker"]').trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[data-testid="picker"]').exists()).toBe(false);
  });

  it("desktop app: Open… is the system's dialog (several ISOs), Open folder… its folder dialog", async () => {
    const engine = new FakeEngine();
    engine.handlers.addSource = (req) => source(req.path.split('/').pop()!, { path: req.path });
    const asked: string[] = [];
    const answers: Record<string, string[]> = {
      isos: ['/home/me/arch.iso', '/home/me/ubuntu.iso'],
      folder: ['/srv/netboot'],
    };
    wrapper = await mountOn(DropZone, engine, {
      pathForFile: () => '',
      openDialog: async (req: { kind: string }) => {
        asked.push(req.kind);
        return { paths: answers[req.kind] ?? [] };
      },
    });
    await wrapper.get('[data-testid="add-source"]').trigger('click');
    await settle();
    await wrapper.get('[data-testid="add-folder"]').trigger('click');
    await settle();
    expect(asked).toEqual(['isos', 'folder']);
    expect(engine.callsOf('addSource')).toEqual([
      { path: '/home/me/arch.iso' },
      { path: '/home/me/ubuntu.iso' },
      { path: '/srv/netboot' },
    ]);
    expect(engine.callsOf('browse')).toEqual([]); // the in-page picker stayed shut
    expect(wrapper.find('[data-testid="picker"]').exists()).toBe(false);
    // Cancelled: nothing added, nothing opened.
    answers.isos = [];
    await wrapper.get('[data-testid="add-source"]').trigger('click');
    await settle();
    expect(engine.callsOf('addSource')).toHaveLength(3);
    expect(wrapper.find('[data-testid="picker"]').exists()).toBe(false);
  });

  it('falls back to the in-page picker when the system dialog fails; the browser has no folder button', async () => {
    const engine = new FakeEngine();
    wrapper = await mountOn(DropZone, engine, {
      openDialog: async () => {
        throw new Error('no dialog');
      },
    });
    await wrapper.get('[data-testid="add-source"]').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="picker"]').exists()).toBe(true);
    wrapper.unmount();
    wrapper = await mountOn(DropZone, new FakeEngine(), {});
    expect(wrapper.find('[data-testid="add-folder"]').exists()).toBe(false);
  });

  it('also takes drops outside the zone, so the page never navigates away to the file', async () => {
    const engine = new FakeEngine();
    engine.handlers.addSource = (req) => source('a', { path: req.path });
    wrapper = await mountOn(DropZone, engine, { pathForFile: () => '/home/me/a.iso' });
    const ev = new Event('drop', { cancelable: true, bubbles: true });
    Object.defineProperty(ev, 'dataTransfer', { value: { files: [iso('a.iso')] } });
    document.body.dispatchEvent(ev);
    await settle();
    expect(ev.defaultPrevented).toBe(true);
    expect(engine.callsOf('addSource')).toEqual([{ path: '/home/me/a.iso' }]);
  });
});
