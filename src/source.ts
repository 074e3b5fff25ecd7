// Reading a file into text djfix may edit, or saying why it will not touch it.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

/** Files larger than this are skipped: generated code, vendored bundles and data dumps live there. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export interface SourceText {
  /** The decoded text, BOM kept as U+FEFF so that writing it back gives the same bytes. */
  text: string;
  /** sha256 of the bytes read: the cache key, and the check that nobody changed the file since. */
  hash: string;
}

export type DecodeResult = { ok: true; source: SourceText } | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// PEP 263: the cookie must be on line 1 or 2.
const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'utf_8', 'u8', 'utf-8-sig']);

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Identifies a text as djfix holds it in memory, to check that edits apply to the text they were made for. */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): DecodeResult {
  const reason = refusal(bytes, maxBytes);
  return reason ? { ok: false, reason } : { ok: true, source: { text: decoder.decode(bytes), hash: hashBytes(bytes) } };
}

/**
 * The hash decodeSource would give, or its reason to refuse the bytes, without building the text:
 * a re-run that finds every file in the cache only needs to know the bytes are the same.
 */
export function hashSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): { ok: true; hash: string } | { ok: false; reason: string } {
  const reason = refusal(bytes, maxBytes);
  return reason ? { ok: false, reason } : { ok: true, hash: hashBytes(bytes) };
}

/** Why djfix will not edit these bytes; undefined when it may. */
function refusal(bytes: Uint8Array, maxBytes: number): string | undefined {
  if (bytes.length > maxBytes) return `larger than ${maxBytes} bytes (${bytes.length}); raise --max-file-size to include it`;
  if (bytes.subarray(0, 8192).includes(0)) return 'binary file (contains NUL bytes)';
  if (!isUtf8(bytes)) return 'not valid UTF-8; djfix only edits UTF-8 files';
  const declared = declaredEncoding(decoder.decode(bytes.subarray(0, firstLinesEnd(bytes))));
  if (declared && !UTF8_NAMES.has(declared.toLowerCase())) return `declares encoding "${declared}"; djfix only edits UTF-8 files`;
  return undefined;
}

/** Where the first two lines end (a line break is \r\n, \r or \n): the only place for an encoding cookie. */
function firstLinesEnd(bytes: Uint8Array): number {
  let breaks = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a && bytes[i] !== 0x0d) continue;
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) i++;
    if (++breaks === 2) return i + 1;
  }
  return bytes.length;
}

function declaredEncoding(text: string): string | undefined {
  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/, 2);
  for (const line of lines) {
    const match = CODING_COOKIE.exec(line);
    if (match) return match[1];
    if (!/^[ \t\f]*(#|$)/.test(line)) break;
  }
  return undefined;
}

/** The line ending a file uses, so inserted lines match it. */
export function lineEnding(text: string): string {
  const crlf = text.indexOf('\r\n');
  const lf = text.indexOf('\n');
  return crlf !== -1 && crlf < lf ? '\r\n' : '\n';
}

/** 1-based line and column of an offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Where `name` (a Python name) occurs in `text` as a whole word (not inside a longer name), from `from` up to `to`. */
export function wordOccurrences(text: string, name: string, from = 0, to = text.length): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(name, from); at !== -1 && at + name.length <= to; at = text.indexOf(name, at + 1)) {
    if (!isNameCharacter(text, at - 1) && !isNameCharacter(text, at + name.length)) found.push(at);
  }
  return found;
}

const NAME_CHARACTER = /[\p{L}\p{M}\p{N}\p{Pc}]/u;

/** Whether the character at `index` (of either half of a surrogate pair) can be part of a Python name. */
function isNameCharacter(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (Number.isNaN(code)) return false;
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  const start = code >= 0xdc00 && code <= 0xdfff && index > 0 ? index - 1 : index;
  return NAME_CHARACTER.test(String.fromCodePoint(text.codePointAt(start)!));
}
