/**
 * The browser bridge's wire protocol: JSON text frames on `ws://127.0.0.1:<port>/api?token=<t>`.
 * Shared by the server (main/webui, CommonJS build) and the renderer's WebSocket client, so both
 * ends agree on shapes at compile time and check them at run time.
 *
 *   client → server  { kind: 'hello', v }                        first frame after open
 *                    { kind: 'request', id, name, req }
 *   server → client  { kind: 'hello', v }                        answer to the client's hello
 *                    { kind: 'response', id, ok: true, res }
 *                    { kind: 'response', id, ok: false, error: { code, message, remedy? } }
 *                    { kind: 'event', event }
 *
 * Only envelopes are checked here; request payloads are checked by `validate.ts` on the server.
 * Pure: no Node, no DOM, no dependencies.
 */
import { CONTRACT_VERSION, REQUEST_NAMES, type EngineEvent, type RequestName } from './index';

/** Path of the bridge's WebSocket endpoint and the query parameter carrying the session token. */
export const WIRE_PATH = '/api';
export const WIRE_TOKEN_PARAM = 'token';

/**
 * WebSocket close codes (4000–4999 are for applications). A client stops reconnecting on these:
 * retrying cannot help until the user reloads or opens a fresh link.
 */
export const WIRE_CLOSE = {
  /** The first frame was not a hello, or a frame was not a valid message. */
  badMessage: 4400,
  /** The token in the URL is missing or wrong. */
  unauthorized: 4401,
  /** Client and server speak different CONTRACT_VERSIONs. */
  versionMismatch: 4409,
} as const;

export interface HelloMessage {
  kind: 'hello';
  v: number;
}

export interface RequestMessage {
  kind: 'request';
  id: number;
  name: RequestName;
  /** Unchecked payload: the server validates it per request (validate.ts). Absent for void requests. */
  req?: unknown;
}

export interface WireError {
  code: string;
  message: string;
  remedy?: string;
}

type ResponseMessage =
  | { kind: 'response'; id: number; ok: true; res?: unknown }
  | { kind: 'response'; id: number; ok: false; error: WireError };

interface EventMessage {
  kind: 'event';
  event: EngineEvent;
}

export type ClientMessage = HelloMessage | RequestMessage;
export type ServerMessage = HelloMessage | ResponseMessage | EventMessage;

export type WireParse<T> = { ok: true; message: T } | { ok: false; error: string };

export function helloMessage(): HelloMessage {
  return { kind: 'hello', v: CONTRACT_VERSION };
}

/** Turn anything thrown into the error shape sent on the wire (code defaults to EINTERNAL). */
export function errorToWire(e: unknown): WireError {
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>;
    const out: WireError = {
      code: typeof o.code === 'string' && o.code ? o.code : 'EINTERNAL',
      message: typeof o.message === 'string' && o.message ? o.message : String(e),
    };
    if (typeof o.remedy === 'string' && o.remedy) out.remedy = o.remedy;
    return out;
  }
  return { code: 'EINTERNAL', message: String(e) };
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A frame as received: text (browser, ws text frames), bytes (ws Buffer/Uint8Array) or already-parsed data. */
function decode(data: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  let text: string | null = null;
  if (typeof data === 'string') text = data;
  else if (data instanceof Uint8Array) text = new TextDecoder().decode(data);
  else if (data instanceof ArrayBuffer) text = new TextDecoder().decode(new Uint8Array(data));
  if (text === null) return { ok: true, value: data };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: `not JSON: ${JSON.stringify(text.slice(0, 60))}` };
  }
}

function parseHello(o: Obj): WireParse<HelloMessage> {
  if (typeof o.v !== 'number' || !Number.isInteger(o.v))
    return { ok: false, error: 'hello: "v" must be the contract version (an integer)' };
  return { ok: true, message: { kind: 'hello', v: o.v } };
}

/** Check a frame sent by a client (browser). The request payload is passed on unchecked. */
export function parseClientMessage(data: unknown): WireParse<ClientMessage> {
  const decoded = decode(data);
  if (!decoded.ok) return decoded;
  const o = decoded.value;
  if (!isObj(o)) return { ok: false, error: 'message must be a JSON object' };
  if (o.kind === 'hello') return parseHello(o);
  if (o.kind === 'request') {
    if (!isId(o.id)) return { ok: false, error: 'request: "id" must be a non-negative integer' };
    if (typeof o.name !== 'string' || !(REQUEST_NAMES as readonly string[]).includes(o.name)) {
      return {
        ok: false,
        error: `request: unknown name ${JSON.stringify(o.name) ?? 'nothing'} (known: ${REQUEST_NAMES.join(', ')})`,
      };
    }
    const message: RequestMessage = { kind: 'request', id: o.id, name: o.name as RequestName };
    if (o.req !== undefined) message.req = o.req;
    return { ok: true, message };
  }
  return {
    ok: false,
    error: `unknown message kind ${JSON.stringify(o.kind) ?? 'nothing'} (expected hello or request)`,
  };
}

/** Which field each event carries, and whether it is a list. */
const EVENT_FIELDS: Record<EngineEvent['type'], { field: string; list: boolean }> = {
  state: { field: 'state', list: false },
  sources: { field: 'sources', list: true },
  menu: { field: 'menu', list: false },
  interfaces: { field: 'interfaces', list: true },
  client: { field: 'client', list: false },
  transfer: { field: 'transfer', list: false },
  log: { field: 'entry', list: false },
};

function parseEvent(v: unknown): WireParse<EngineEvent> {
  if (!isObj(v)) return { ok: false, error: 'event: "event" must be an object' };
  const type = v.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(EVENT_FIELDS, type)) {
    return { ok: false, error: `event: unknown type ${JSON.stringify(type) ?? 'nothing'}` };
  }
  const { field, list } = EVENT_FIELDS[type as EngineEvent['type']];
  const payload = v[field];
  if (list ? !Array.isArray(payload) : !isObj(payload)) {
    return { ok: false, error: `event ${type}: "${field}" must be ${list ? 'an array' : 'an object'}` };
  }
  // Shallow by design: the engine on the other end is ours; this guards against a wrong peer, not a liar.
  return { ok: true, message: v as unknown as EngineEvent };
}

function parseWireError(v: unknown): WireError | null {
  if (!isObj(v) || typeof v.code !== 'string' || typeof v.message !== 'string') return null;
  const out: WireError = { code: v.code, message: v.message };
  if (typeof v.remedy === 'string') out.remedy = v.remedy;
  return out;
}

/** Check a frame sent by the server (the bridge). */
export function parseServerMessage(data: unknown): WireParse<ServerMessage> {
  const decoded = decode(data);
  if (!decoded.ok) return decoded;
  const o = decoded.value;
  if (!isObj(o)) return { ok: false, error: 'message must be a JSON object' };
  switch (o.kind) {
    case 'hello':
      return parseHello(o);
    case 'response': {
      if (!isId(o.id)) return { ok: false, error: 'response: "id" must be a non-negative integer' };
      if (o.ok === true) return { ok: true, message: { kind: 'response', id: o.id, ok: true, res: o.res } };
      if (o.ok === false) {
        const error = parseWireError(o.error);
        if (!error) return { ok: false, error: 'response: "error" must be { code, message, remedy? }' };
        return { ok: true, message: { kind: 'response', id: o.id, ok: false, error } };
      }
      return { ok: false, error: 'response: "ok" must be true or false' };
    }
    case 'event': {
      const event = parseEvent(o.event);
      return event.ok ? { ok: true, message: { kind: 'event', event: event.message } } : event;
    }
    default:
      return {
        ok: false,
        error: `unknown message kind ${JSON.stringify(o.kind) ?? 'nothing'} (expected hello, response or event)`,
      };
  }
}
