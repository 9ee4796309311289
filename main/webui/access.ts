/**
 * Who may use the browser UI: only pages from this server (Host and Origin are ours — stops other
 * web pages and DNS rebinding) that know the random token printed on the terminal. Pure.
 */
import { timingSafeEqual } from 'node:crypto';

export interface AccessPolicy {
  token: string;
  port: number;
}

/** Cookie carrying the token for asset requests; per port, since cookies ignore ports. */
export function cookieName(port: number): string {
  return `bootdrop_${port}`;
}

export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (typeof candidate !== 'string') return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? '' : part.slice(0, eq).trim();
    if (name) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** The Host header names this server (127.0.0.1 or localhost, our port). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** The Origin header is this server's (browsers always send it on WebSocket upgrades). */
export function originAllowed(origin: string | undefined, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

export interface RequestFacts {
  host: string | undefined;
  origin: string | undefined;
  cookie: string | undefined;
  queryToken: string | null;
}

export type Verdict = { ok: true; via: 'query' | 'cookie' } | { ok: false; status: 403; why: string };

export function checkRequest(f: RequestFacts, p: AccessPolicy): Verdict {
  if (!hostAllowed(f.host, p.port))
    return { ok: false, status: 403, why: `Host ${JSON.stringify(f.host ?? '')} is not this server` };
  // Plain page loads carry no Origin; when one is present (fetch, forms) it must be ours.
  if (f.origin !== undefined && !originAllowed(f.origin, p.port))
    return { ok: false, status: 403, why: `Origin ${f.origin} is not this server` };
  if (tokenMatches(f.queryToken, p.token)) return { ok: true, via: 'query' };
  if (tokenMatches(parseCookies(f.cookie).get(cookieName(p.port)), p.token)) return { ok: true, via: 'cookie' };
  return { ok: false, status: 403, why: 'missing or wrong token' };
}
