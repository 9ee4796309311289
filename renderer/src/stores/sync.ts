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
  let loading = false;

  function onEvent(e: EngineEvent): void {
    if (e.type === 'log') return log.append(e.entry);
    // Events and the snapshot's answer travel the same ordered channel, so an event that arrives
    // while the snapshot is in flight was sent before it and is already part of it.
    if (loading) return;
    if (engine.applyEvent(e)) return;
    if (e.type === 'client') clients.applyClient(e.client);
    else if (e.type === 'transfer') clients.applyTransfer(e.transfer);
  }

  async function load(): Promise<void> {
    loading = true;
    try {
      const snap = await engine.loadSnapshot();
      if (snap) clients.applySnapshot(snap.clients);
    } finally {
      loading = false;
    }
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
