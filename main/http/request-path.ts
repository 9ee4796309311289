/**
 * Turn an HTTP request-target into a clean path inside the served tree, or say why not. Pure.
 *
 * Strict on purpose, because this is where traversal attempts arrive: percent-escapes must be exactly
 * `%XX`; the decoded bytes must be valid UTF-8 (which rejects overlong forms like `%c0%ae` for '.');
 * control characters (NUL included) are refused; and any `..` segment — after decoding, with `/` and
 * `\` both as separators — is refused outright rather than resolved, since no boot client sends one
 * (iPXE and GRUB resolve relative URIs before asking).
 */

export type DecodedPath =
  | { ok: true; path: string; /** the target ended in '/': a directory request */ dir: boolean }
  | { ok: false; reason: string; /** a traversal attempt, worth a warning in the log */ traversal: boolean };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export function decodeRequestPath(target: string): DecodedPath {
  let raw = target;
  // Absolute-form (`GET http://host/path`), which HTTP/1.1 servers must accept.
  const abs = /^https?:\/\/[^/?#]*/i.exec(raw);
  if (abs) raw = raw.slice(abs[0].length) || '/';
  if (!raw.startsWith('/')) return { ok: false, reason: 'request target is not a path', traversal: false };
  const cut = raw.search(/[?#]/);
  if (cut >= 0) raw = raw.slice(0, cut);

  const bytes = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hi = i + 2 < raw.length ? hex(raw.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hex(raw.charCodeAt(i + 2)) : -1;
      if (lo < 0)
        return { ok: false, reason: `bad percent-escape at ${JSON.stringify(raw.slice(i, i + 3))}`, traversal: false };
      bytes[n++] = hi * 16 + lo;
      i += 2;
    } else if (c <= 0xff) {
      bytes[n++] = c; // Node hands over raw octets as latin1 characters
    } else {
      return { ok: false, reason: 'non-octet character in the request target', traversal: false };
    }
  }
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(0, n));
  } catch {
    return { ok: false, reason: 'path is not valid UTF-8 (overlong or broken escape)', traversal: true };
  }
  if (/[\u0000-\u001f\u007f]/.test(text))
    return { ok: false, reason: 'control character (NUL?) in the path', traversal: true };
  const parts: string[] = [];
  for (const seg of text.split(/[\\/]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return { ok: false, reason: 'path contains a ".." segment', traversal: true };
    parts.push(seg);
  }
  return { ok: true, path: '/' + parts.join('/'), dir: /[\\/]$/.test(text) };
}
