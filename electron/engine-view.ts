/**
 * The shell's own small picture of the engine, kept up to date from EngineEvents: enough to draw the
 * tray, decide when to notify, and know whether closing the window should keep serving. Pure.
 */
import type { ClientState, EngineEvent, EngineSnapshot, ServingState, SourceSummary } from '../main/contract';

export interface EngineView {
  state: ServingState;
  sources: SourceSummary[];
  /** MACs of every PC seen since the app started: the first event from a new one means "a PC is booting". */
  knownMacs: ReadonlySet<string>;
  /** Transfer ids currently in progress (drives the "transferring" tray icon). */
  activeTransfers: ReadonlySet<string>;
}

export interface ViewUpdate {
  view: EngineView;
  /** The tray (icon, tooltip or menu) needs redrawing. */
  trayChanged: boolean;
  /** A PC we had not seen before just started talking to us. */
  newClient: ClientState | null;
}

export function viewFromSnapshot(s: EngineSnapshot): EngineView {
  return {
    state: s.state,
    sources: s.sources,
    knownMacs: new Set(s.clients.map((c) => c.mac)),
    activeTransfers: new Set(
      s.clients.flatMap((c) => c.transfers.filter((t) => t.outcome === 'active').map((t) => t.id)),
    ),
  };
}

export function applyEvent(view: EngineView, event: EngineEvent): ViewUpdate {
  switch (event.type) {
    case 'state':
      return { view: { ...view, state: event.state }, trayChanged: true, newClient: null };
    case 'sources':
      return { view: { ...view, sources: event.sources }, trayChanged: true, newClient: null };
    case 'client': {
      if (view.knownMacs.has(event.client.mac)) return { view, trayChanged: false, newClient: null };
      const knownMacs = new Set(view.knownMacs).add(event.client.mac);
      return { view: { ...view, knownMacs }, trayChanged: true, newClient: event.client };
    }
    case 'transfer': {
      const t = event.transfer;
      const wasActive = view.activeTransfers.has(t.id);
      const isActive = t.outcome === 'active';
      if (wasActive === isActive) return { view, trayChanged: false, newClient: null };
      const activeTransfers = new Set(view.activeTransfers);
      if (isActive) activeTransfers.add(t.id);
      else activeTransfers.delete(t.id);
      // Only the 0 ↔ some edge changes the icon.
      const trayChanged = view.activeTransfers.size === 0 || activeTransfers.size === 0;
      return { view: { ...view, activeTransfers }, trayChanged, newClient: null };
    }
    case 'menu':
    case 'interfaces':
    case 'log':
      return { view, trayChanged: false, newClient: null };
  }
}
