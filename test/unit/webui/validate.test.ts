import { describe, expect, it } from 'vitest';
import { REQUEST_NAMES, type BootdropApi } from '../../../main/contract';
import {
  InvalidRequestError,
  dispatchRequest,
  isAbsoluteHostPath,
  validateMenu,
  validateRequest,
  type ValidationEnv,
} from '../../../main/contract/validate';
import { StubApi } from './stub-api';
import { errorMessage } from '../../../main/errors';

const env: ValidationEnv = {
  statPath: async (p) => (p === '/isos/arch.iso' ? 'file' : p === '/isos' ? 'dir' : p === '/dev/null' ? 'other' : null),
  interfaceNames: async () => ['eth0', 'Ethernet 2'],
};

const MENU = {
  timeoutSec: 5,
  defaultEntryId: 'arch:linux',
  append: 'quiet',
  overrides: { 'arch:linux': { label: 'Arch', enabled: true, append: 'nomodeset' } },
  biosMenu: 'iso',
};

async function refusal(name: Parameters<typeof validateRequest>[0], payload: unknown): Promise<string> {
  try {
    await validateRequest(name, payload, env);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).code).toBe('EINVAL');
    return errorMessage(err);
  }
  throw new Error(`${name} accepted ${JSON.stringify(payload)}`);
}

describe('validateRequest', () => {
  it('accepts good payloads and rebuilds them without stray fields', async () => {
    expect(await validateRequest('addSource', { path: '/isos/arch.iso' }, env)).toEqual({ path: '/isos/arch.iso' });
    expect(await validateRequest('addSource', { path: '/isos' }, env)).toEqual({ path: '/isos' });
    expect(await validateRequest('setInterface', { name: 'Ethernet 2' }, env)).toEqual({ name: 'Ethernet 2' });
    expect(await validateRequest('setMode', { mode: 'proxy' }, env)).toEqual({ mode: 'proxy' });
    expect(await validateRequest('removeSource', { id: 'arch' }, env)).toEqual({ id: 'arch' });
    expect(await validateRequest('setMenu', { menu: MENU }, env)).toEqual({ menu: MENU });
    expect(await validateRequest('browse', undefined, env)).toEqual({});
    expect(await validateRequest('browse', { path: 'C:\\Users' }, env)).toEqual({ path: 'C:\\Users' });
    for (const name of ['snapshot', 'start', 'stop', 'exportLog', 'refreshInterfaces'] as const) {
      expect(await validateRequest(name, undefined, env)).toBeUndefined();
      expect(await validateRequest(name, null, env)).toBeUndefined();
    }
  });

  it('refuses bad payloads saying what and where', async () => {
    expect(await refusal('addSource', { path: '/isos/nope.iso' })).toBe(
      'addSource.path: "/isos/nope.iso" does not exist',
    );
    expect(await refusal('addSource', { path: '/dev/null' })).toContain('neither a file nor a folder');
    expect(await refusal('addSource', { path: 'arch.iso' })).toContain('not an absolute path');
    expect(await refusal('addSource', { path: 42 })).toBe('addSource.path: expected a string, got number');
    expect(await refusal('addSource', '/isos/arch.iso')).toContain('expected an object');
    expect(await refusal('addSource', { path: '/isos/arch.iso', mount: true })).toContain('unexpected field "mount"');
    expect(await refusal('addSource', { path: '/isos/a\nb.iso' })).toContain('control characters');
    expect(await refusal('addSource', { path: '/' + 'a'.repeat(5000) })).toContain('too long');
    expect(await refusal('setInterface', { name: 'wlan0' })).toBe(
      'setInterface.name: no network interface called "wlan0" (known: eth0, Ethernet 2)',
    );
    expect(await refusal('setMode', { mode: 'PROXY' })).toContain('expected one of proxy, dhcp, auto');
    expect(await refusal('removeSource', { id: '' })).toContain('must not be empty');
    expect(await refusal('start', { force: true })).toBe('start: takes no arguments');
    expect(await refusal('browse', { path: '../etc' })).toContain('not an absolute path');
  });

  it('bounds and shapes menu settings', async () => {
    const bad: Array<[unknown, string]> = [
      [{ ...MENU, timeoutSec: -1 }, 'timeoutSec'],
      [{ ...MENU, timeoutSec: 1.5 }, 'timeoutSec'],
      [{ ...MENU, timeoutSec: 100000 }, 'timeoutSec'],
      [{ ...MENU, append: 'a\nb' }, 'menu.append'],
      [{ ...MENU, append: 'x'.repeat(5000) }, 'too long'],
      [{ ...MENU, defaultEntryId: 7 }, 'defaultEntryId'],
      [{ ...MENU, overrides: [] }, 'overrides'],
      [{ ...MENU, overrides: { a: { label: 3 } } }, 'overrides["a"].label'],
      [{ ...MENU, overrides: { a: { enabled: 'yes' } } }, 'enabled'],
      [{ ...MENU, overrides: { a: { hack: 1 } } }, 'unexpected field "hack"'],
      [{ ...MENU, extra: 1 }, 'unexpected field "extra"'],
      [{ timeoutSec: 1, defaultEntryId: null, append: '' }, 'overrides'],
    ];
    for (const [menu, fragment] of bad) expect(await refusal('setMenu', { menu })).toContain(fragment);
    const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`e${i}`, {}]));
    expect(await refusal('setMenu', { menu: { ...MENU, overrides: many } })).toContain('too many');
  });

  it('keeps an entry id like __proto__ as plain data', () => {
    const menu = validateMenu(
      JSON.parse('{"timeoutSec":1,"defaultEntryId":null,"append":"","overrides":{"__proto__":{"label":"x"}}}'),
    );
    expect(Object.getPrototypeOf(menu.overrides)).toBe(Object.prototype);
    expect(Object.keys(menu.overrides)).toEqual(['__proto__']);
  });

  it('recognises absolute paths on every host OS', () => {
    expect(['/a', 'C:\\x', 'c:/x', '\\\\srv\\share'].every(isAbsoluteHostPath)).toBe(true);
    expect(['a', './a', 'C:x', ''].some(isAbsoluteHostPath)).toBe(false);
  });
});

describe('dispatchRequest', () => {
  it('refuses unknown request names, including prototype keys', async () => {
    const api = new StubApi();
    for (const name of ['constructor', '__proto__', 'onEvent', 'toString', 42]) {
      await expect(dispatchRequest(api, name, undefined, env)).rejects.toThrow(InvalidRequestError);
    }
    expect(api.calls).toEqual([]);
  });

  it('calls the engine method with the cleaned request, or with no argument', async () => {
    const api = new StubApi();
    await dispatchRequest(api, 'addSource', { path: '/isos/arch.iso' }, env);
    await dispatchRequest(api, 'start', {}, env);
    expect(api.calls).toEqual([
      { name: 'addSource', req: { path: '/isos/arch.iso' } },
      { name: 'start', req: undefined },
    ]);
  });

  it('covers every request in the contract', async () => {
    const api = new StubApi() as BootdropApi;
    for (const name of REQUEST_NAMES) expect(typeof api[name]).toBe('function');
    // Every name has a validator: an impossible payload is refused by each, never passed through.
    for (const name of REQUEST_NAMES)
      await expect(validateRequest(name, [1], env)).rejects.toThrow(InvalidRequestError);
  });
});
