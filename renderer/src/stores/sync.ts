/**
 * Feeds the stores from a connection: a snapshot each time the link (re)opens, then engine events.
 */
import type { Pinia } from 'pinia';
import type { EngineEvent } from '../../../main/contract/index';
import type { ConnectionInfo, EngineConnection } from '../api/index';
import { useClientsStore } from './clients';
import { useEngineStore } from './engine';
import { useLogStore } from './log';

export function attachEngine(connection: EngineConnection, pinia?: Pinia): () => void {
  const engine = useEngineStore(pinia);
  const clients = useClientsStore(pinia);
  const log = useLogStore(pinia);
  engine.bind(connection.api);

  function onEvent(e: EngineEvent): void {
    if (e.type === 'log') return log.append(e.entry);
    // Events that arrive while a snapshot is in flight are applied too; the snapshot, sent after
    // them on the same ordered channel, then replaces them with the same or newer state.
    if (engine.applyEvent(e)) return;
    if (e.type === 'client') clients.applyClient(e.client);
    else if (e.type === 'transfer') clients.applyTransfer(e.transfer);
  }

  async function load(): Promise<void> {
    const snap = await engine.loadSnapshot();
    if (snap) clients.applySnapshot(snap.clients);
  }

  function onInfo(info: ConnectionInfo): void {
    engine.setConnection(info);
    if (info.status === 'open') void load();
  }

  const offEvent = connection.api.onEvent(onEvent);
  const offInfo = connection.onInfo(onInfo);
  onInfo(connection.info());
  return () => {
    offEvent();
    offInfo();
  };
}
