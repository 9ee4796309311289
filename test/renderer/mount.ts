import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import type { Component } from 'vue';
import { attachEngine } from '../../renderer/src/stores/sync';
import { FakeEngine, settle } from './fake-api';

/**
 * Mount `component` on a fresh Pinia fed by `engine` (snapshot applied), attached to the document;
 * `provide` stands in for what App.vue provides (e.g. DESKTOP_WINDOW).
 */
export async function mountOn(
  component: Component,
  engine: FakeEngine,
  props: Record<string, unknown> = {},
  provide: Record<string | symbol, unknown> = {},
): Promise<VueWrapper> {
  const pinia = createPinia();
  attachEngine(engine.connection, pinia);
  await settle();
  const wrapper = mount(component, { props, global: { plugins: [pinia], provide }, attachTo: document.body });
  await settle();
  return wrapper;
}
