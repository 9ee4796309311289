/**
 * Engine view → what the tray shows: status icon, tooltip and menu. Pure, so "the tray follows the
 * engine" is unit-tested without Electron; electron/tray.ts only turns the model into a Menu.
 */
import type { EngineView } from './engine-view';

export type TrayIconName = 'idle' | 'serving' | 'transferring';
export type TrayAction = 'toggle-serving' | 'show' | 'quit';

export type TrayItem =
  | { kind: 'separator' }
  | { kind: 'label'; label: string } // shown disabled: information only
  | { kind: 'checkbox'; label: string; checked: boolean; enabled: boolean; action: TrayAction }
  | { kind: 'action'; label: string; action: TrayAction };

export interface TrayModel {
  icon: TrayIconName;
  tooltip: string;
  items: TrayItem[];
}

const MAX_LABEL = 60;

function clip(s: string): string {
  return s.length <= MAX_LABEL ? s : s.slice(0, MAX_LABEL - 1) + '…';
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function trayModel(view: EngineView): TrayModel {
  const { state, sources } = view;
  const transfers = view.activeTransfers.size;
  const icon: TrayIconName = !state.serving ? 'idle' : transfers > 0 ? 'transferring' : 'serving';

  const where = state.interfaceName ? `${state.interfaceName}${state.address ? ` (${state.address})` : ''}` : null;
  let tooltip: string;
  if (state.serving) {
    tooltip = `Bootdrop — serving ${plural(sources.length, 'ISO', 'ISOs')} on ${where ?? 'the network'}`;
    if (transfers > 0) tooltip += `, ${plural(transfers, 'transfer', 'transfers')} in progress`;
  } else if (state.starting) {
    tooltip = `Bootdrop — starting on ${where ?? 'the network'}`;
  } else {
    tooltip = state.error ? `Bootdrop — not serving: ${state.error.message}` : 'Bootdrop — not serving';
  }

  const items: TrayItem[] = [];
  if (state.interfaceName === null) {
    items.push({
      kind: 'checkbox',
      label: 'Serving (choose an interface in the window)',
      checked: false,
      enabled: false,
      action: 'toggle-serving',
    });
  } else if (state.starting) {
    items.push({
      kind: 'checkbox',
      label: clip(`Starting on ${state.interfaceName}…`),
      checked: true,
      enabled: false,
      action: 'toggle-serving',
    });
  } else {
    items.push({
      kind: 'checkbox',
      label: clip(`Serving on ${state.interfaceName}`),
      checked: state.serving,
      enabled: true,
      action: 'toggle-serving',
    });
  }
  if (state.error) items.push({ kind: 'label', label: clip(`⚠ ${state.error.message}`) });
  items.push({ kind: 'separator' });
  if (sources.length === 0) items.push({ kind: 'label', label: 'No ISOs — drop one on the window' });
  for (const s of sources)
    items.push({ kind: 'label', label: clip(s.osName && s.osName !== s.label ? `${s.label} — ${s.osName}` : s.label) });
  if (view.knownMacs.size > 0)
    items.push({ kind: 'label', label: `${plural(view.knownMacs.size, 'PC', 'PCs')} seen since Bootdrop started` });
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Show window', action: 'show' });
  items.push({ kind: 'action', label: 'Quit Bootdrop', action: 'quit' });
  return { icon, tooltip, items };
}
