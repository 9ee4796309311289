/**
 * Payload validation at the process boundary, shared by Electron IPC (electron/ipc.ts) and the
 * browser bridge (main/webui/). A renderer is untrusted input: every request is checked here before
 * it reaches the engine, with an error that says what was wrong and where.
 *
 * Pure: the two checks that need the outside world (does this path exist, is this an interface we
 * know) are injected as a `ValidationEnv`, so this module stays free of Node and is unit-testable.
 */
import {
  BIOS_MENUS,
  REQUEST_NAMES,
  type BiosMenu,
  type BootdropApi,
  type EntryOverride,
  type MenuSettings,
  type RequestName,
  type RequestOf,
  type ResponseOf,
  type ServeMode,
} from './index';

export const LIMITS = {
  pathChars: 4096,
  idChars: 256,
  interfaceChars: 256,
  labelChars: 200,
  appendChars: 2048,
  timeoutSecMax: 3600,
  overridesMax: 1000,
} as const;

const SERVE_MODES: readonly ServeMode[] = ['proxy', 'dhcp', 'auto'];

/** The request was refused before reaching the engine. `code` is stable for UIs and tests. */
export class InvalidRequestError extends Error {
  readonly code = 'EINVAL';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

export interface ValidationEnv {
  /** What is at this host path: an ISO candidate ('file'), a folder ('dir'), or nothing (null). */
  statPath(path: string): Promise<'file' | 'dir' | 'other' | null>;
  /** Names of the network interfaces the engine can serve on. */
  interfaceNames(): Promise<string[]>;
  /** Why this path may not be published (a system folder, not a boot medium), or null. */
  publishRefusal?(path: string): Promise<string | null>;
}

function isRequestName(value: unknown): value is RequestName {
  return typeof value === 'string' && (REQUEST_NAMES as readonly string[]).includes(value);
}

type Obj = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new InvalidRequestError(`${where}: ${what}`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function object(v: unknown, where: string, allowed: readonly string[]): Obj {
  if (!isObj(v)) fail(where, `expected an object, got ${describe(v)}`);
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) fail(where, `unexpected field "${key}" (allowed: ${allowed.join(', ') || 'none'})`);
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

// Control characters would end up in kernel command lines, file names or log lines.
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(v: unknown, where: string, max: number, opts: { empty?: boolean } = {}): string {
  if (typeof v !== 'string') fail(where, `expected a string, got ${describe(v)}`);
  if (!opts.empty && v.length === 0) fail(where, 'must not be empty');
  if (v.length > max) fail(where, `too long (${v.length} characters, at most ${max})`);
  if (CONTROL.test(v)) fail(where, 'must not contain control characters (newlines, tabs, NUL)');
  return v;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') fail(where, `expected true or false, got ${describe(v)}`);
  return v;
}

/** Absolute on POSIX ("/…"), Windows ("C:\…", "\\server\share") — decided without node:path. */
export function isAbsoluteHostPath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

function hostPath(v: unknown, where: string): string {
  const p = text(v, where, LIMITS.pathChars);
  if (!isAbsoluteHostPath(p)) fail(where, `"${p}" is not an absolute path`);
  return p;
}

function noPayload(v: unknown, name: string): void {
  // IPC and JSON turn "no argument" into undefined or null; an empty object is tolerated too.
  if (v === undefined || v === null) return;
  if (isObj(v) && Object.keys(v).length === 0) return;
  fail(name, 'takes no arguments');
}

function validateOverride(v: unknown, where: string): EntryOverride {
  const o = object(v, where, ['label', 'enabled', 'append']);
  const out: EntryOverride = {};
  if (o.label !== undefined) out.label = text(o.label, `${where}.label`, LIMITS.labelChars);
  if (o.enabled !== undefined) out.enabled = bool(o.enabled, `${where}.enabled`);
  if (o.append !== undefined) out.append = text(o.append, `${where}.append`, LIMITS.appendChars, { empty: true });
  return out;
}

export function validateBiosMenu(v: unknown, where = 'biosMenu'): BiosMenu {
  if (typeof v !== 'string' || !(BIOS_MENUS as readonly string[]).includes(v)) {
    fail(
      where,
      `expected one of ${BIOS_MENUS.join(', ')} (Bootdrop's menu, or the ISO's own PXELINUX menu), got ` +
        `${JSON.stringify(v) ?? 'nothing'}`,
    );
  }
  return v as BiosMenu;
}

export function validateMenu(v: unknown, where = 'menu'): MenuSettings {
  const m = object(v, where, ['timeoutSec', 'defaultEntryId', 'append', 'overrides', 'biosMenu']);
  const t = m.timeoutSec;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > LIMITS.timeoutSecMax) {
    fail(
      `${where}.timeoutSec`,
      `expected a whole number of seconds from 0 to ${LIMITS.timeoutSecMax}, got ${JSON.stringify(t) ?? 'nothing'}`,
    );
  }
  const defaultEntryId =
    m.defaultEntryId === null ? null : text(m.defaultEntryId, `${where}.defaultEntryId`, LIMITS.idChars);
  const append = text(m.append, `${where}.append`, LIMITS.appendChars, { empty: true });
  if (!isObj(m.overrides))
    fail(`${where}.overrides`, `expected an object keyed by entry id, got ${describe(m.overrides)}`);
  const keys = Object.keys(m.overrides);
  if (keys.length > LIMITS.overridesMax)
    fail(`${where}.overrides`, `too many entries (${keys.length}, at most ${LIMITS.overridesMax})`);
  // A null-prototype record: an entry id like "__proto__" must stay plain data.
  const overrides: Record<string, EntryOverride> = Object.create(null) as Record<string, EntryOverride>;
  for (const id of keys) {
    text(id, `${where}.overrides key`, LIMITS.idChars);
    overrides[id] = validateOverride(m.overrides[id], `${where}.overrides["${id}"]`);
  }
  // Absent: a client or settings file from before the choice existed; they meant Bootdrop's menu.
  const biosMenu = m.biosMenu === undefined ? 'bootdrop' : validateBiosMenu(m.biosMenu, `${where}.biosMenu`);
  return { timeoutSec: t, defaultEntryId, append, overrides: { ...overrides }, biosMenu };
}

export function validateMode(v: unknown, where = 'mode'): ServeMode {
  if (typeof v !== 'string' || !(SERVE_MODES as readonly string[]).includes(v)) {
    fail(where, `expected one of ${SERVE_MODES.join(', ')}, got ${JSON.stringify(v) ?? 'nothing'}`);
  }
  return v as ServeMode;
}

type Validators = {
  [K in RequestName]: (payload: unknown, env: ValidationEnv) => Promise<RequestOf<K>> | RequestOf<K>;
};

const VALIDATORS: Validators = {
  snapshot: (p) => noPayload(p, 'snapshot'),
  refreshInterfaces: (p) => noPayload(p, 'refreshInterfaces'),
  start: (p) => noPayload(p, 'start'),
  stop: (p) => noPayload(p, 'stop'),
  recheckFirewall: (p) => noPayload(p, 'recheckFirewall'),
  exportLog: (p) => noPayload(p, 'exportLog'),
  volumes: (p) => noPayload(p, 'volumes'),
  async addSource(p, env) {
    const o = object(p, 'addSource', ['path']);
    const path = hostPath(o.path, 'addSource.path');
    const kind = await env.statPath(path);
    if (kind === null) fail('addSource.path', `"${path}" does not exist`);
    if (kind === 'other') fail('addSource.path', `"${path}" is neither a file nor a folder`);
    const refusal = await env.publishRefusal?.(path);
    if (refusal) fail('addSource.path', refusal);
    return { path };
  },
  removeSource(p) {
    const o = object(p, 'removeSource', ['id']);
    return { id: text(o.id, 'removeSource.id', LIMITS.idChars) };
  },
  async setInterface(p, env) {
    const o = object(p, 'setInterface', ['name']);
    const name = text(o.name, 'setInterface.name', LIMITS.interfaceChars);
    const known = await env.interfaceNames();
    if (!known.includes(name)) {
      fail('setInterface.name', `no network interface called "${name}" (known: ${known.join(', ') || 'none'})`);
    }
    return { name };
  },
  setMode(p) {
    const o = object(p, 'setMode', ['mode']);
    return { mode: validateMode(o.mode, 'setMode.mode') };
  },
  setMenu(p) {
    const o = object(p, 'setMenu', ['menu']);
    return { menu: validateMenu(o.menu, 'setMenu.menu') };
  },
  browse(p) {
    if (p === undefined || p === null) return {};
    const o = object(p, 'browse', ['path']);
    return o.path === undefined ? {} : { path: hostPath(o.path, 'browse.path') };
  },
};

/** Check `payload` for request `name`; returns the cleaned request or throws InvalidRequestError. */
export async function validateRequest<K extends RequestName>(
  name: K,
  payload: unknown,
  env: ValidationEnv,
): Promise<RequestOf<K>> {
  const validator = VALIDATORS[name] as (payload: unknown, env: ValidationEnv) => Promise<RequestOf<K>> | RequestOf<K>;
  return validator(payload, env);
}

/**
 * The one place a (name, payload) pair from outside becomes an engine call: unknown names and bad
 * payloads are refused, good ones are passed on unchanged in meaning (but rebuilt, so no stray fields).
 */
export async function dispatchRequest(
  api: BootdropApi,
  name: unknown,
  payload: unknown,
  env: ValidationEnv,
): Promise<ResponseOf<RequestName>> {
  if (!isRequestName(name)) {
    throw new InvalidRequestError(
      `unknown request ${JSON.stringify(name) ?? 'nothing'} (known: ${REQUEST_NAMES.join(', ')})`,
    );
  }
  const req = await validateRequest(name, payload, env);
  // The mapped BootdropApi type cannot be indexed generically; each method takes its own validated req.
  const method = api[name] as (req?: unknown) => Promise<ResponseOf<RequestName>>;
  return req === undefined ? method.call(api) : method.call(api, req);
}
