// The default URL: built from the old connection values so that dj-database-url parses it back to
// exactly those values. Literals are percent-encoded here; expressions stay expressions, wrapped in
// urllib.parse.quote() so that whatever text they give at run time comes back unchanged.
import type { Version } from '../../src/project/django-version';
import type { Classified } from './values';
import { FULL_HOST_DECODING_SINCE, portMayBeText, versionAtLeast } from './versions';

/** A piece of the URL: text known now, or a Python expression that gives text when settings load. */
export type UrlPart = { literal: string } | { code: string };

export const CONNECTION_KEYS = ['NAME', 'USER', 'PASSWORD', 'HOST', 'PORT'] as const;
export type ConnectionKey = (typeof CONNECTION_KEYS)[number];

export interface UrlInput {
  scheme: string;
  values: Partial<Record<ConnectionKey, Classified>>;
  /** The oldest dj-database-url release the project may run. */
  floor: Version;
  /** Quote character for the Python strings written. */
  quote: string;
}

/** How a value comes back from the URL when it does not come back identical. */
export interface UrlNote {
  key: ConnectionKey;
  text: string;
}

export type UrlResult = { ok: true; parts: UrlPart[]; notes: UrlNote[] } | { ok: false; reason: string };

/**
 * Percent-encodes everything but unreserved characters, as Python's `quote(value, safe=...)` does:
 * dj-database-url unquotes every part, so the value comes back as it was.
 */
export function percentEncode(value: string, keepSlash = false): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, keepSlash ? '/' : '%2F');
}

const HOST_NAME = /^[A-Za-z0-9._-]+$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const PORT_TEXT = /^[1-9][0-9]{0,4}$/;

/** The parts of the default URL, or why the old values cannot all be carried by one. */
export function buildUrl(input: UrlInput): UrlResult {
  const notes: UrlNote[] = [];
  const { values, quote } = input;
  // In the user, password and host parts "/" must be encoded as well.
  const safeAll = `safe=${quote}${quote}`;
  const textPart = (key: ConnectionKey, value: Classified | undefined): UrlPart | string | undefined => {
    if (value === undefined || value.literal === '') return undefined;
    if (typeof value.literal === 'string') return { literal: percentEncode(value.literal) };
    if (value.literal !== undefined || !onlyKinds(value, ['str'])) return cannotCarry(key, value);
    return { code: `quote(${value.text}, ${safeAll})` };
  };

  const user = textPart('USER', values.USER);
  const password = textPart('PASSWORD', values.PASSWORD);
  const host = hostPart(values.HOST, input, safeAll, notes);
  const port = portPart(values.PORT, input.scheme, safeAll, notes);
  const name = namePart(values.NAME, input.scheme, notes);
  for (const part of [user, password, host, port, name]) if (typeof part === 'string') return { ok: false, reason: part };
  const [u, p, h, o, n] = [user, password, host, port, name] as Array<UrlPart | undefined>;

  if (input.scheme === 'sqlite' || input.scheme === 'spatialite') {
    if (u || p || h || o) return { ok: false, reason: `an SQLite database has no USER, PASSWORD, HOST or PORT, yet this one sets them; djfix leaves it as it is` };
    if (!n) return { ok: false, reason: 'NAME is empty: an SQLite URL without a path means an in-memory database, not what Django does with an empty NAME' };
  }
  if (h && 'literal' in h && h.literal.includes('%') && o) {
    if (!versionAtLeast(input.floor, [3, 0])) return { ok: false, reason: 'HOST is a socket directory and PORT is set: dj-database-url 1.3 to 2.x read such a URL back with the port glued to the directory; pin dj-database-url>=3.0 first' };
  }

  const parts: UrlPart[] = [{ literal: `${input.scheme}://` }];
  if (u || p) {
    if (u) parts.push(u);
    if (p) parts.push({ literal: ':' }, p);
    parts.push({ literal: '@' });
  }
  if (h) parts.push(h);
  if (o) parts.push({ literal: ':' }, o);
  parts.push({ literal: '/' });
  if (n) parts.push(n);
  return { ok: true, parts: joinLiterals(parts), notes };
}

function onlyKinds(value: Classified, allowed: string[]): boolean {
  return value.kinds.size > 0 && [...value.kinds].every((kind) => allowed.includes(kind));
}

function cannotCarry(key: ConnectionKey, value: Classified): string {
  if (value.kinds.has('none')) return `${key} is \`${value.text}\`, which can be None; a URL has no None, so djfix cannot keep ${key} as it is`;
  if (value.literal !== undefined) return `${key} is ${value.text}, not text; a URL carries only text`;
  return `djfix cannot tell that ${key} (\`${value.text}\`) is always text, so it cannot put it in a URL`;
}

function hostPart(value: Classified | undefined, input: UrlInput, safeAll: string, notes: UrlNote[]): UrlPart | string | undefined {
  if (value === undefined || value.literal === '') return undefined;
  if (typeof value.literal !== 'string') {
    if (value.literal !== undefined || !onlyKinds(value, ['str'])) return cannotCarry('HOST', value);
    notes.push({
      key: 'HOST',
      text:
        `comes from \`${value.text}\` when the settings load: a host name or an IPv4 address carries over (lower-cased, as host names compare); ` +
        'a socket directory or an IPv6 address does not carry over through every dj-database-url release, so give such a HOST through the URL variable instead',
    });
    return { code: `quote(${value.text}, ${safeAll})` };
  }
  const host = value.literal;
  if (host.startsWith('/')) {
    // A socket directory: percent-encoded; releases before 3.0 keep its case, 3.0 and later lower-case it.
    if (host !== host.toLowerCase()) return `HOST is the socket directory "${host}"; dj-database-url 3.0 and later lower-case it, so djfix leaves it as it is`;
    const encoded = percentEncode(host);
    if (/%(?!2F)/.test(encoded) && !versionAtLeast(input.floor, FULL_HOST_DECODING_SINCE)) {
      return `HOST is the socket directory "${host}"; dj-database-url before ${FULL_HOST_DECODING_SINCE.join('.')} decodes only "/" in it; pin dj-database-url>=${FULL_HOST_DECODING_SINCE.join('.')} first`;
    }
    return { literal: encoded };
  }
  if (HOST_NAME.test(host)) {
    if (host !== host.toLowerCase()) notes.push({ key: 'HOST', text: `"${host}" becomes "${host.toLowerCase()}": dj-database-url lower-cases host names, which compare without case` });
    return { literal: host.toLowerCase() };
  }
  if (host.includes(':') && IPV6.test(host)) {
    if (host !== host.toLowerCase()) notes.push({ key: 'HOST', text: `"${host}" becomes "${host.toLowerCase()}" (the same IPv6 address)` });
    return { literal: `[${host.toLowerCase()}]` };
  }
  return `HOST "${host}" is neither a host name, an IP address nor a socket directory; djfix leaves it as it is`;
}

function portPart(value: Classified | undefined, scheme: string, safeAll: string, notes: UrlNote[]): UrlPart | string | undefined {
  if (value === undefined || value.literal === '') return undefined;
  const asText = portMayBeText(scheme);
  if (typeof value.literal === 'string' || typeof value.literal === 'number') {
    const port = String(value.literal);
    if (!PORT_TEXT.test(port) || Number(port) > 65535) return `PORT is ${value.text}, not a port number a URL can carry`;
    if (typeof value.literal === 'string' && !asText) notes.push({ key: 'PORT', text: `${value.text} becomes the number ${port}: dj-database-url returns ports as numbers, which Django accepts as well` });
    if (typeof value.literal === 'number' && asText) notes.push({ key: 'PORT', text: `${port} may come back as the text "${port}" (dj-database-url returns ${scheme} ports as text), which Django accepts as well` });
    return { literal: port };
  }
  if (!onlyKinds(value, ['str', 'int'])) return cannotCarry('PORT', value);
  notes.push({ key: 'PORT', text: `comes from \`${value.text}\` when the settings load and comes back as ${asText ? 'text or a number' : 'a number'}, which Django accepts either way` });
  if (onlyKinds(value, ['str'])) return { code: `quote(${value.text}, ${safeAll})` };
  if (onlyKinds(value, ['int'])) return { code: `str(${value.text})` };
  return { code: `quote(str(${value.text}), ${safeAll})` };
}

function namePart(value: Classified | undefined, scheme: string, notes: UrlNote[]): UrlPart | string | undefined {
  if (value === undefined || value.literal === '') return undefined;
  if (typeof value.literal === 'string') return { literal: percentEncode(value.literal, true) };
  if (value.literal !== undefined || !onlyKinds(value, ['str', 'path'])) return cannotCarry('NAME', value);
  if (value.kinds.has('path')) {
    const file = scheme === 'sqlite' || scheme === 'spatialite' ? ', the same database file' : '';
    notes.push({ key: 'NAME', text: `becomes the text of the path \`${value.text}\`${file}` });
    return { code: `quote(str(${value.text}))` };
  }
  return { code: `quote(${value.text})` };
}

function joinLiterals(parts: UrlPart[]): UrlPart[] {
  const joined: UrlPart[] = [];
  for (const part of parts) {
    const last = joined[joined.length - 1];
    if ('literal' in part && last && 'literal' in last) joined[joined.length - 1] = { literal: last.literal + part.literal };
    else joined.push(part);
  }
  return joined;
}

/** Whether the URL needs `quote` from urllib.parse. */
export function usesQuote(parts: UrlPart[]): boolean {
  return parts.some((part) => 'code' in part && part.code.startsWith('quote('));
}
