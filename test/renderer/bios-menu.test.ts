import type { VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import type { MenuSettings } from '../../main/contract/index';
import MenuEditor from '../../renderer/src/components/MenuEditor.vue';
import { useEngineStore } from '../../renderer/src/stores/engine';
import { attachEngine } from '../../renderer/src/stores/sync';
import { FakeEngine, settle } from './fake-api';
import { menu, servingState, snapshot, source } from './fixtures';
import { mountOn } from './mount';
import { DESKTOP_WINDOW } from '../../renderer/src/remedies';

const ARCH = source('arch', { ownPxeMenu: true });
const UBUNTU = source('ubuntu', { osName: 'Ubuntu 24.04', family: 'casper', ownPxeMenu: false });

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
});

describe('engine store: the BIOS menu choice', () => {
  it('mirrors which sources ship their own menu and what BIOS PCs get, and sends the whole menu', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    // An engine from before the choice sends neither field: Bootdrop's menu, nothing to offer.
    const engine = new FakeEngine(snapshot({ sources: [source('old')], menu: menu({ timeoutSec: 7 }) }));
    attachEngine(engine.connection, pinia);
    await settle();
    const store = useEngineStore();
    expect(store.ownPxeMenuSources).toEqual([]);
    expect(store.biosMenu).toBe('bootdrop');

    engine.emit({ type: 'sources', sources: [UBUNTU, ARCH] });
    expect(store.ownPxeMenuSources.map((s) => s.id)).toEqual(['arch']);
    await store.setBiosMenu('iso');
    expect(engine.callsOf('setMenu')).toEqual([{ menu: menu({ timeoutSec: 7, biosMenu: 'iso' }) }]);
    expect(store.biosMenu).toBe('iso'); // the engine's answer
    engine.emit({ type: 'menu', menu: menu({ timeoutSec: 7, biosMenu: 'bootdrop' }) });
    expect(store.biosMenu).toBe('bootdrop');
  });
});

describe('MenuEditor: "BIOS PCs get"', () => {
  const mountWith = (sources = [ARCH], m: MenuSettings = menu({ biosMenu: 'bootdrop' }), state = servingState()) => {
    const engine = new FakeEngine(snapshot({ sources, menu: m, state }));
    return { engine, mounted: mountOn(MenuEditor, engine) };
  };

  it('is not offered when no ISO ships its own PXELINUX menu', async () => {
    const { mounted } = mountWith([UBUNTU, source('old')]);
    wrapper = await mounted;
    expect(wrapper.find('[data-testid="menu-entry"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="menu-bios"]').exists()).toBe(false);
  });

  it("offers Bootdrop's menu or the ISO's own, shows the engine's choice, and sends a change", async () => {
    const { engine, mounted } = mountWith();
    wrapper = await mounted;
    const group = wrapper.get('[data-testid="menu-bios"]');
    expect(group.text()).toContain('BIOS PCs get');
    expect(group.text()).toContain("Arch Linux's network boot menu");
    expect(wrapper.get<HTMLInputElement>('[data-testid="menu-bios-bootdrop"]').element.checked).toBe(true);
    await wrapper.get('[data-testid="menu-bios-iso"]').setValue(true);
    await settle();
    expect(engine.callsOf('setMenu')).toEqual([{ menu: menu({ biosMenu: 'iso' }) }]);
    expect(wrapper.get('[data-testid="menu-bios"]').attributes('data-bios-menu')).toBe('iso');
    expect(wrapper.get<HTMLInputElement>('[data-testid="menu-bios-iso"]').element.checked).toBe(true);
    expect(wrapper.find('[data-testid="menu-bios-note"]').exists()).toBe(false); // Arch is the only ISO
  });

  it('snaps back and shows why when the engine refuses', async () => {
    const { engine, mounted } = mountWith();
    engine.handlers.setMenu = () => {
      throw Object.assign(new Error('setMenu.menu.biosMenu: expected one of bootdrop, iso'), { code: 'EINVAL' });
    };
    wrapper = await mounted;
    await wrapper.get('[data-testid="menu-bios-iso"]').setValue(true);
    await settle();
    expect(wrapper.get<HTMLInputElement>('[data-testid="menu-bios-iso"]').element.checked).toBe(false);
    expect(wrapper.get<HTMLInputElement>('[data-testid="menu-bios-bootdrop"]').element.checked).toBe(true);
    expect(wrapper.get('[data-testid="menu-error"]').text()).toContain('setMenu.menu.biosMenu');
  });

  it('says which ISOs BIOS PCs lose, and warns when HTTP is not on port 80', async () => {
    const { mounted } = mountWith(
      [UBUNTU, ARCH],
      menu({ biosMenu: 'iso' }),
      servingState({ serving: true, httpUrl: 'http://192.168.1.5:8080/' }),
    );
    wrapper = await mounted;
    expect(wrapper.get('[data-testid="menu-bios-note"]').text()).toBe(
      "BIOS PCs see only Arch Linux's menu; Ubuntu 24.04 is offered to UEFI PCs only.",
    );
    expect(wrapper.get('[data-testid="menu-bios-port"]').text()).toMatch(
      /port 80, but HTTP is served on port 8080.*--http-port 80/,
    );
  });

  it('names no command-line flag in the desktop window (it has no port setting)', async () => {
    const engine = new FakeEngine(
      snapshot({
        sources: [ARCH],
        menu: menu({ biosMenu: 'iso' }),
        state: servingState({ serving: true, httpUrl: 'http://192.168.1.5:8080/' }),
      }),
    );
    wrapper = await mountOn(MenuEditor, engine, {}, { [DESKTOP_WINDOW]: true });
    const note = wrapper.get('[data-testid="menu-bios-port"]').text().replace(/\s+/g, ' ');
    expect(note).toBe(
      "The ISO's menu fetches its files from port 80, but HTTP is served on port 8080: BIOS PCs will not find " +
        "them. Choose Bootdrop's menu.",
    );
  });

  it('has no port warning on port 80 (the desktop app)', async () => {
    const { mounted } = mountWith(
      [ARCH],
      menu({ biosMenu: 'iso' }),
      servingState({ serving: true, httpUrl: 'http://192.168.1.5/' }),
    );
    wrapper = await mounted;
    expect(wrapper.find('[data-testid="menu-bios-port"]').exists()).toBe(false);
  });
});
