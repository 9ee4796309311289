/**
 * How the renderer reaches the engine. In Electron the preload exposes `window.bootdrop`; in a
 * browser (`bootdrop serve --ui`) the page talks to the bridge's WebSocket on the same host, using
 * the access token from the page's own address.
 */
import { REQUEST_NAMES, type BootdropApi } from '../../../main/contract/index';
import { WIRE_PATH, WIRE_TOKEN_PARAM } from '../../../main/contract/wire';
import type { ConnectionInfo, EngineConnection } from './connection';
import { ApiError, type Problem } from './errors';
import { fromPreload } from './preload';
import { connectWebSocket } from './ws-client';

export type { ConnectionInfo, EngineConnection } from './connection';
export { ApiError, toProblem, type Problem } from './errors';
export { connectWebSocket } from './ws-client';
export { fromPreload } from './preload';

/** The bridge's WebSocket URL for a page served at `pageUrl`, or null when the page has no token. */
export function bridgeUrl(pageUrl: string): string | null {
  const page = new URL(pageUrl);
  const token = page.searchParams.get(WIRE_TOKEN_PARAM);
  if (!token || (page.protocol !== 'http:' && page.protocol !== 'https:')) return null;
  const ws = new URL(WIRE_PATH, page);
  ws.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  ws.search = '';
  ws.searchParams.set(WIRE_TOKEN_PARAM, token);
  return ws.toString();
}

let current: EngineConnection | null = null;

/** The one connection of this page (created on first use). */
export function getConnection(): EngineConnection {
  if (current) return current;
  if (window.bootdrop) {
    current = fromPreload(window.bootdrop);
  } else {
    const url = bridgeUrl(window.location.href);
    // Without a token the bridge would refuse us; say so instead of retrying forever.
    current = url ? connectWebSocket({ url }) : refused();
  }
  return current;
}

function refused(): EngineConnection {
  const problem: Problem = {
    code: 'EAUTH',
    message: 'This page was opened without its access token, so Bootdrop cannot let it in.',
    remedy: 'Open the address printed by `bootdrop serve --ui` (it ends in ?token=…).',
  };
  const info: ConnectionInfo = { status: 'unauthorized', problem, retryAt: null };
  const fail = (): Promise<never> => Promise.reject(new ApiError(problem));
  // Every request fails the same way; building the object from the name list keeps it in step with the contract.
  const requests = Object.fromEntries(REQUEST_NAMES.map((name) => [name, fail])) as unknown as Omit<
    BootdropApi,
    'onEvent'
  >;
  return {
    api: { ...requests, onEvent: () => () => undefined },
    info: () => info,
    onInfo: () => () => undefined,
    close: () => undefined,
  };
}
