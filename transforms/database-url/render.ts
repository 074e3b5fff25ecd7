// Writing the new alias value: dj_database_url.config(...) alone, or spread into a dict that keeps
// the keys a URL has no place for, and, when the alias has OPTIONS, a variable holding the config so
// the URL's own options can be merged over the old ones.
import { applyEdits } from '../../src/edits';
import type { Node } from '../../src/parse';
import { appendEntries, commentText, indentUnit, leadingComments, LINE_WIDTH, trailingComment } from './layout';
import type { UrlPart } from './url';

export interface AliasRewrite {
  /** The alias dict display being replaced. */
  value: Node;
  /** The first-line indentation of the alias entry. */
  base: string;
  /** config() keyword arguments, in order, as code. */
  arguments: Array<[string, string]>;
  /** Entries kept as they are (OPTIONS among them, merged), in source order. */
  kept: Node[];
  /** New entries, as code: `"CONN_HEALTH_CHECKS": True`. */
  added: string[];
  /** Comments of the entries that went into the URL: they move to the top of the new value. */
  moved: string[];
  /** Variable that holds the config when OPTIONS must be merged. */
  holder?: string;
  quote: string;
}

export interface Rendered {
  /** Replaces the alias dict display. */
  value: string;
  /** A statement that goes before the statement defining the alias (the config holder), if any. */
  statement?: string;
}

const CONFIG = 'dj_database_url.config';

/** The default URL as a Python expression: one string, or the pieces joined with `+`. */
export function urlCode(parts: UrlPart[], quote: string): string[] {
  return parts.map((part) => ('literal' in part ? `${quote}${part.literal}${quote}` : part.code));
}

/**
 * Code copied from elsewhere in the file, its continuation lines moved to `indent` keeping their
 * layout relative to each other (a closing bracket back at `indent`, the rest one step in).
 * Triple-quoted strings are left alone: their lines are text.
 */
export function reindent(code: string, indent: string, unit: string, eol: string): string {
  const lines = code.split(/\r?\n/);
  if (lines.length === 1 || /'''|"""/.test(code)) return code;
  const rest = lines.slice(1);
  const depth = (line: string) => /^[ \t]*/.exec(line)![0].length;
  const least = Math.min(...rest.filter((line) => line.trim() !== '').map(depth));
  const closes = /^[ \t]*[)\]}]/.test(rest[rest.length - 1]);
  const moved = rest.map((line) => (line.trim() === '' ? '' : `${indent}${closes ? '' : unit}${line.slice(least)}`));
  return [lines[0], ...moved].join(eol);
}

/** `dj_database_url.config(...)` at an indentation, on one line when it fits. */
function configCall(args: Array<[string, string | string[]]>, indent: string, unit: string, eol: string, oneLine: boolean): string {
  const flat = (value: string | string[]) => (Array.isArray(value) ? value.join(' + ') : value);
  const single = `${CONFIG}(${args.map(([name, value]) => `${name}=${flat(value)}`).join(', ')})`;
  if (oneLine && indent.length + single.length <= LINE_WIDTH && !single.includes('\n')) return single;
  const inner = indent + unit;
  const lines = args.map(([name, value]) => {
    const line = `${inner}${name}=${flat(value)},`;
    if (!line.includes('\n') && (!Array.isArray(value) || value.length === 1 || line.length <= LINE_WIDTH)) return line;
    if (!Array.isArray(value) || value.length === 1) return `${inner}${name}=${reindent(flat(value), inner, unit, eol)},`;
    // A long default URL: one piece per line, in parentheses.
    const pieces = value.map((piece, i) => `${inner}${unit}${i === 0 ? '' : '+ '}${reindent(piece, inner + unit, unit, eol)}`);
    return [`${inner}${name}=(`, ...pieces, `${inner}),`].join(eol);
  });
  return [`${CONFIG}(`, ...lines, `${indent})`].join(eol);
}

interface Entry {
  code: string;
  /** A comment that stays at the end of the entry's line. */
  comment?: string;
}

export function renderAlias(text: string, rewrite: AliasRewrite, url: string[], statementIndent: string, eol: string): Rendered {
  const unit = indentUnit(text, rewrite.value);
  const oneLine = rewrite.value.startPosition.row === rewrite.value.endPosition.row && rewrite.moved.length === 0;
  const args: Array<[string, string | string[]]> = rewrite.arguments.map(([name, value]) => [name, name === 'default' ? url : value]);
  const inner = rewrite.base + unit;
  const comments = rewrite.moved.map((comment) => `${inner}${comment}`);

  if (rewrite.kept.length === 0 && rewrite.added.length === 0) {
    const call = configCall(args, rewrite.base, unit, eol, oneLine);
    if (comments.length === 0) return { value: call };
    // Comments of the old entries go first inside the call's parentheses.
    return { value: call.replace(`${CONFIG}(${eol}`, `${CONFIG}(${eol}${comments.join(eol)}${eol}`) };
  }

  let statement: string | undefined;
  let spread: string;
  if (rewrite.holder) {
    statement = `${rewrite.holder} = ${configCall(args, statementIndent, unit, eol, false)}${eol}`;
    spread = rewrite.holder;
  } else {
    spread = configCall(args, inner, unit, eol, oneLine);
  }
  const entries: Entry[] = [{ code: `**${spread}` }, ...rewrite.kept.map((pair) => keptEntry(text, pair, rewrite, inner, eol)), ...rewrite.added.map((code) => ({ code }))];
  if (oneLine && entries.every((entry) => !entry.comment)) {
    const single = `{${entries.map((entry) => entry.code).join(', ')}}`;
    if (rewrite.base.length + single.length <= LINE_WIDTH && !single.includes('\n')) return { value: single, statement };
  }
  const lines = [...comments, ...entries.map((entry) => `${inner}${entry.code},${entry.comment ? `  ${entry.comment}` : ''}`)];
  return { value: ['{', ...lines, `${rewrite.base}}`].join(eol), statement };
}

/** An entry kept from the old dict: its own text (OPTIONS with the URL's options merged over it) and its comments. */
function keptEntry(text: string, pair: Node, rewrite: AliasRewrite, inner: string, eol: string): Entry {
  const leading = leadingComments(pair).map((comment) => `${commentText(comment)}${eol}${inner}`);
  const key = pair.childForFieldName('key');
  const value = pair.childForFieldName('value');
  const isOptions = key !== null && /^[a-zA-Z]*['"]OPTIONS['"]$/.test(key.text);
  const body = rewrite.holder && value && isOptions ? mergedOptions(text, pair, value, rewrite.holder, rewrite.quote, eol) : pair.text;
  const trailing = trailingComment(pair);
  return { code: `${leading.join('')}${body}`, comment: trailing && commentText(trailing) };
}

/** `"OPTIONS": {...old..., **holder.get("OPTIONS", {})}`: the URL's query options win over the old ones. */
function mergedOptions(text: string, pair: Node, value: Node, holder: string, quote: string, eol: string): string {
  const urlOptions = `**${holder}.get(${quote}OPTIONS${quote}, {})`;
  const key = pair.childForFieldName('key')!.text;
  if (value.type !== 'dictionary') return `${key}: {**${value.text}, ${urlOptions}}`;
  const edits = appendEntries(text, value, [urlOptions], eol).map((edit) => ({ ...edit, start: edit.start - pair.startIndex, end: edit.end - pair.startIndex }));
  return applyEdits(pair.text, edits);
}
