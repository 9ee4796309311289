/**
 * The engine as the screen sees it: connection, serving state, sources, interfaces, menu.
 *
 * A mirror, never a forecast: values change only from the snapshot, engine events, or the engine's
 * own answer to a request. While a request is in flight the UI shows it as pending (`busy`), and a
 * failed request leaves a `Problem` to show next to the control that sent it.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import {
  CONTRACT_VERSION,
  type BiosMenu,
  type BootdropApi,
  type BrowseResult,
  type EngineEvent,
  type EngineSnapshot,
  type MenuSettings,
  type NetInterface,
  type ServeMode,
  type ServingState,
  type SourceSummary,
  type VolumeList,
} from '../../../main/contract/index';
import { toProblem, type ConnectionInfo, type Problem } from '../api/index';
import { preselectedInterface } from '../format';

/** Things the user can be waiting for; each shows its own spinner and its own error. */
export type Operation =
  | 'snapshot'
  | 'addSource'
  | 'removeSource'
  | 'interface'
  | 'mode'
  | 'menu'
  | 'serve'
  | 'firewall'
  | 'browse'
  | 'volumes'
  | 'exportLog'
  | 'refreshInterfaces';

export const useEngineStore = defineStore('engine', () => {
  let api: BootdropApi | null = null;

  const connection = ref<ConnectionInfo>({ status: 'connecting', problem: null, retryAt: null });
  /** True once a snapshot has been applied (the rest of the state is meaningful). */
  const ready = ref(false);
  const state = ref<ServingState | null>(null);
  const sources = ref<SourceSummary[]>([]);
  const interfaces = ref<NetInterface[]>([]);
  const menu = ref<MenuSettings | null>(null);
  const busy = reactive<Record<Operation, number>>({
    snapshot: 0,
    addSource: 0,
    removeSource: 0,
    interface: 0,
    mode: 0,
    menu: 0,
    serve: 0,
    firewall: 0,
    browse: 0,
    volumes: 0,
    exportLog: 0,
    refreshInterfaces: 0,
  });
  const problems = reactive<Partial<Record<Operation, Problem>>>({});
  /** Paths the user asked to add, while the engine reads them (shown as placeholder rows). */
  const adding = ref<string[]>([]);
  /** Source ids being removed. */
  const removing = ref<string[]>([]);

  const chosenInterface = computed(() => preselectedInterface(interfaces.value, state.value?.interfaceName ?? null));
  /** Sources that ship their own PXELINUX menu: only then can BIOS PCs be given the ISO's menu. */
  const ownPxeMenuSources = computed(() => sources.value.filter((s) => s.ownPxeMenu === true));
  /** What BIOS PCs get, as the engine says (an engine that predates the choice: Bootdrop's menu). */
  const biosMenu = computed<BiosMenu>(() => menu.value?.biosMenu ?? 'bootdrop');
  const entryLabels = computed(() => {
    const labels = new Map<string, string>();
    for (const s of sources.value)
      for (const e of s.entries) labels.set(e.id, menu.value?.overrides[e.id]?.label || e.label);
    return labels;
  });

  function bind(next: BootdropApi): void {
    api = next;
  }

  function need(): BootdropApi {
    if (!api) throw new Error('engine store used before bind(api)');
    return api;
  }

  function setConnection(info: ConnectionInfo): void {
    connection.value = info;
  }

  function applySnapshot(s: EngineSnapshot): void {
    state.value = s.state;
    sources.value = s.sources;
    interfaces.value = s.interfaces;
    menu.value = s.menu;
    ready.value = true;
  }

  /** Apply the events this store mirrors; returns false for the ones it does not (client/transfer/log). */
  function applyEvent(e: EngineEvent): boolean {
    switch (e.type) {
      case 'state':
        state.value = e.state;
        return true;
      case 'sources':
        sources.value = e.sources;
        return true;
      case 'interfaces':
        interfaces.value = e.interfaces;
        return true;
      case 'menu':
        menu.value = e.menu;
        return true;
      default:
        return false;
    }
  }

  /** Run a request as `op`: counts it as busy, records its problem (or clears it on success). */
  async function run<T>(op: Operation, work: (a: BootdropApi) => Promise<T>): Promise<T | undefined> {
    busy[op]++;
    try {
      const result = await work(need());
      delete problems[op];
      return result;
    } catch (e) {
      problems[op] = toProblem(e);
      return undefined;
    } finally {
      busy[op]--;
    }
  }

  async function loadSnapshot(): Promise<EngineSnapshot | undefined> {
    const snap = await run('snapshot', (a) => a.snapshot());
    if (!snap) return undefined;
    if (snap.version !== CONTRACT_VERSION) {
      connection.value = {
        status: 'incompatible',
        problem: {
          code: 'EVERSION',
          message: `This window speaks Bootdrop protocol version ${CONTRACT_VERSION} but the engine speaks version ${snap.version}.`,
          remedy: 'Restart Bootdrop (and reload this page) so both parts come from the same version.',
        },
        retryAt: null,
      };
      return undefined;
    }
    applySnapshot(snap);
    return snap;
  }

  async function addSource(path: string): Promise<void> {
    adding.value = [...adding.value, path];
    try {
      const added = await run('addSource', (a) => a.addSource({ path }));
      // The engine's answer: make sure the new source is listed even if its `sources` event is late.
      if (added && !sources.value.some((s) => s.id === added.id)) sources.value = [...sources.value, added];
    } finally {
      adding.value = adding.value.filter((p) => p !== path);
    }
  }

  async function removeSource(id: string): Promise<void> {
    removing.value = [...removing.value, id];
    try {
      const ok = await run('removeSource', (a) => a.removeSource({ id }).then(() => true));
      if (ok) sources.value = sources.value.filter((s) => s.id !== id);
    } finally {
      removing.value = removing.value.filter((r) => r !== id);
    }
  }

  async function setInterface(name: string): Promise<boolean> {
    return (await run('interface', (a) => a.setInterface({ name }).then(() => true))) ?? false;
  }

  async function refreshInterfaces(): Promise<void> {
    const list = await run('refreshInterfaces', (a) => a.refreshInterfaces());
    if (list) interfaces.value = list;
  }

  async function setMode(mode: ServeMode): Promise<void> {
    await run('mode', (a) => a.setMode({ mode }));
  }

  async function setMenu(next: MenuSettings): Promise<void> {
    const saved = await run('menu', (a) => a.setMenu({ menu: next }));
    if (saved) menu.value = saved;
  }

  /** BIOS PCs get Bootdrop's menu or the ISO's own PXELINUX menu; the engine restages while serving. */
  async function setBiosMenu(choice: BiosMenu): Promise<void> {
    if (menu.value) await setMenu({ ...menu.value, biosMenu: choice });
  }

  /** Start serving on the interface shown as chosen (the recommended one unless the user picked another). */
  async function start(): Promise<void> {
    const name = chosenInterface.value;
    if (name && state.value?.interfaceName !== name) {
      if (!(await setInterface(name))) return;
    }
    const next = await run('serve', (a) => a.start());
    if (next) state.value = next;
  }

  async function stop(): Promise<void> {
    const next = await run('serve', (a) => a.stop());
    if (next) state.value = next;
  }

  /** Ask firewalld again (the user opened the ports by hand): the state's firewallBlocked follows. */
  async function recheckFirewall(): Promise<void> {
    const next = await run('firewall', (a) => a.recheckFirewall());
    if (next) state.value = next;
  }

  async function browse(path?: string): Promise<BrowseResult | undefined> {
    return run('browse', (a) => a.browse(path === undefined ? {} : { path }));
  }

  /** Drives and volumes with their ISO files (the engine gives up on ones that do not answer). */
  async function volumes(): Promise<VolumeList | undefined> {
    return run('volumes', (a) => a.volumes());
  }

  async function exportLog(): Promise<string | undefined> {
    return run('exportLog', (a) => a.exportLog());
  }

  function dismiss(op: Operation): void {
    delete problems[op];
  }

  return {
    connection,
    ready,
    state,
    sources,
    interfaces,
    menu,
    busy,
    problems,
    adding,
    removing,
    chosenInterface,
    entryLabels,
    ownPxeMenuSources,
    biosMenu,
    bind,
    setConnection,
    applySnapshot,
    applyEvent,
    loadSnapshot,
    addSource,
    removeSource,
    setInterface,
    refreshInterfaces,
    setMode,
    setMenu,
    setBiosMenu,
    start,
    stop,
    recheckFirewall,
    browse,
    volumes,
    exportLog,
    dismiss,
  };
});
