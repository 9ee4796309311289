import { describe, expect, it } from 'vitest';
import { checkRequest, cookieName, parseCookies, tokenMatches } from '../../../main/webui/access';
import { contentTypeFor, safeRelativePath } from '../../../main/webui/static-files';

const policy = { token: 'secret-token', port: 4321 };
const facts = { host: '127.0.0.1:4321', origin: undefined, cookie: undefined, queryToken: null };

describe('access', () => {
  it("lets in the token from the query or this port's cookie", () => {
    expect(checkRequest({ ...facts, queryToken: 'secret-token' }, policy)).toEqual({ ok: true, via: 'query' });
    expect(checkRequest({ ...facts, cookie: `other=1; ${cookieName(4321)}=secret-token` }, policy)).toEqual({
      ok: true,
      via: 'cookie',
    });
    expect(checkRequest({ ...facts, host: 'localhost:4321', queryToken: 'secret-token' }, policy).ok).toBe(true);
  });

  it("refuses a wrong token, another port's cookie, a foreign Host or Origin", () => {
    expect(checkRequest(facts, policy)).toMatchObject({ ok: false, status: 403, why: 'missing or wrong token' });
    expect(checkRequest({ ...facts, queryToken: 'secret-toke' }, policy).ok).toBe(false);
    expect(checkRequest({ ...facts, cookie: `${cookieName(4322)}=secret-token` }, policy).ok).toBe(false);
    expect(checkRequest({ ...facts, host: 'attacker.example:4321', queryToken: 'secret-token' }, policy)).toMatchObject(
      { ok: false, why: expect.stringContaining('Host') },
    );
    expect(checkRequest({ ...facts, host: undefined, queryToken: 'secret-token' }, policy).ok).toBe(false);
    expect(
      checkRequest({ ...facts, origin: 'http://attacker.example', queryToken: 'secret-token' }, policy),
    ).toMatchObject({ ok: false, why: expect.stringContaining('Origin') });
  });

  it('compares tokens of any length without throwing', () => {
    expect(tokenMatches('a', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
    expect(tokenMatches('abc', 'abc')).toBe(true);
  });

  it('parses cookie headers leniently', () => {
    expect([...parseCookies(' a=1;b = 2 ; junk; =x')]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(parseCookies(undefined).size).toBe(0);
  });
});

describe('static file paths', () => {
  it('maps URL paths into the UI folder and refuses anything that could leave it', () => {
    expect(safeRelativePath('/')).toBe('index.html');
    expect(safeRelativePath('/assets/index-abc.js')).toBe('assets/index-abc.js');
    expect(safeRelativePath('/assets//x.css')).toBe('assets/x.css');
    for (const bad of [
      '/../x',
      '/a/../../x',
      '/%2e%2e/x',
      '/a%2f..%2f..%2fx',
      '/a\\..\\x',
      '/%5c',
      '/.env',
      '/%00',
      '/%E0%A4%A',
      'relative',
    ]) {
      expect(safeRelativePath(bad), bad).toBeNull();
    }
  });

  it('knows the content types a Vite build produces', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('a.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('a.exe')).toBe('application/octet-stream');
  });
});
