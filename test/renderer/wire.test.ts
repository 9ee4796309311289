import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../../main/contract/index';
import { errorToWire, helloMessage, parseClientMessage, parseServerMessage } from '../../main/contract/wire';

function err(r: { ok: boolean; error?: string }): string {
  expect(r.ok).toBe(false);
  return r.error ?? '';
}

describe('parseClientMessage', () => {
  it('accepts hello and requests, as text, bytes or objects', () => {
    expect(parseClientMessage(JSON.stringify(helloMessage()))).toEqual({
      ok: true,
      message: { kind: 'hello', v: CONTRACT_VERSION },
    });
    const req = { kind: 'request', id: 7, name: 'addSource', req: { path: '/a.iso' } };
    expect(parseClientMessage(new TextEncoder().encode(JSON.stringify(req)))).toEqual({ ok: true, message: req });
    expect(parseClientMessage({ kind: 'request', id: 0, name: 'snapshot' })).toEqual({
      ok: true,
      message: { kind: 'request', id: 0, name: 'snapshot' },
    });
  });
  it('passes the payload on unchecked (validate.ts checks it) but drops stray envelope fields', () => {
    const r = parseClientMessage({ kind: 'request', id: 1, name: 'setMode', req: { mode: 'nonsense' }, extra: 1 });
    expect(r).toEqual({ ok: true, message: { kind: 'request', id: 1, name: 'setMode', req: { mode: 'nonsense' } } });
  });
  it('says what is wrong', () => {
    expect(err(parseClientMessage('{nope'))).toMatch(/not JSON/);
    expect(err(parseClientMessage('[1]'))).toMatch(/JSON object/);
    expect(err(parseClientMessage({ kind: 'hello' }))).toMatch(/"v"/);
    expect(err(parseClientMessage({ kind: 'request', id: -1, name: 'snapshot' }))).toMatch(/"id"/);
    expect(err(parseClientMessage({ kind: 'request', id: 1.5, name: 'snapshot' }))).toMatch(/"id"/);
    expect(err(parseClientMessage({ kind: 'request', id: 1, name: 'rm -rf' }))).toMatch(
      /unknown name "rm -rf".*known: snapshot/,
    );
    expect(err(parseClientMessage({ kind: 'request', id: 1, name: 'toString' }))).toMatch(/unknown name/);
    expect(err(parseClientMessage({ kind: 'response', id: 1, ok: true }))).toMatch(/unknown message kind "response"/);
  });
});

describe('parseServerMessage', () => {
  it('accepts hello, responses and events', () => {
    expect(parseServerMessage('{"kind":"hello","v":3}')).toEqual({ ok: true, message: { kind: 'hello', v: 3 } });
    expect(parseServerMessage({ kind: 'response', id: 2, ok: true })).toEqual({
      ok: true,
      message: { kind: 'response', id: 2, ok: true, res: undefined },
    });
    expect(
      parseServerMessage({
        kind: 'response',
        id: 2,
        ok: false,
        error: { code: 'EINVAL', message: 'bad', remedy: 'fix' },
      }),
    ).toEqual({
      ok: true,
      message: { kind: 'response', id: 2, ok: false, error: { code: 'EINVAL', message: 'bad', remedy: 'fix' } },
    });
    const ev = { kind: 'event', event: { type: 'sources', sources: [] } };
    expect(parseServerMessage(JSON.stringify(ev))).toEqual({ ok: true, message: ev });
    const log = {
      kind: 'event',
      event: { type: 'log', entry: { time: 1, level: 'info', scope: 'dhcp', message: 'x' } },
    };
    expect(parseServerMessage(log)).toEqual({ ok: true, message: log });
  });
  it('refuses malformed frames with a reason', () => {
    expect(err(parseServerMessage({ kind: 'response', id: 'x', ok: true }))).toMatch(/"id"/);
    expect(err(parseServerMessage({ kind: 'response', id: 1, ok: 'yes' }))).toMatch(/"ok"/);
    expect(err(parseServerMessage({ kind: 'response', id: 1, ok: false, error: 'boom' }))).toMatch(/"error"/);
    expect(err(parseServerMessage({ kind: 'event', event: { type: 'explode' } }))).toMatch(/unknown type "explode"/);
    expect(err(parseServerMessage({ kind: 'event', event: { type: 'sources', sources: {} } }))).toMatch(
      /"sources" must be an array/,
    );
    expect(err(parseServerMessage({ kind: 'event', event: { type: 'log', message: 'x' } }))).toMatch(
      /"entry" must be an object/,
    );
    expect(err(parseServerMessage({ kind: 'request', id: 1, name: 'snapshot' }))).toMatch(/unknown message kind/);
  });
});

describe('errorToWire', () => {
  it('keeps code, message and remedy of anything thrown', () => {
    expect(errorToWire(Object.assign(new Error('port busy'), { code: 'EADDRINUSE', remedy: 'stop dnsmasq' }))).toEqual({
      code: 'EADDRINUSE',
      message: 'port busy',
      remedy: 'stop dnsmasq',
    });
    expect(errorToWire(new Error('plain'))).toEqual({ code: 'EINTERNAL', message: 'plain' });
    expect(errorToWire('a string')).toEqual({ code: 'EINTERNAL', message: 'a string' });
  });
});
