// Reading and writing code in the file's own layout: indentation, quote style, line length, and
// adding entries to an existing dict display or argument list without disturbing its comments.
import type { TextEdit } from '../../src/model';
import type { Node } from '../../src/parse';

/** Lines djfix writes stay within this width when they can (Black's default). */
export const LINE_WIDTH = 88;

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace a line starts with. */
export function indentAt(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}

/** One indentation step of a bracketed display: its first item's indentation beyond the line it opens on. */
export function indentUnit(text: string, display: Node): string {
  const base = indentAt(text, display.startIndex);
  const first = display.namedChildren.find((child) => child.startPosition.row > display.startPosition.row);
  if (first) {
    const inner = indentAt(text, first.startIndex);
    if (inner.startsWith(base) && inner.length > base.length) return inner.slice(base.length);
  }
  return base.startsWith('\t') ? '\t' : '    ';
}

/** The quote character of a string node (after any prefix). */
export function quoteOf(node: Node | null | undefined): string {
  const match = /^[a-zA-Z]*(['"])/.exec(node?.text ?? '');
  return match ? match[1] : '"';
}

/** A comment's text; tree-sitter counts the CR of a CRLF line ending as part of it. */
export function commentText(comment: Node): string {
  return comment.text.replace(/\r+$/, '');
}

/** A comment on the same line right after `node` (and its comma), if any. */
export function trailingComment(node: Node): Node | undefined {
  let next = node.nextSibling;
  if (next?.type === ',') next = next.nextSibling;
  return next?.type === 'comment' && next.startPosition.row === node.endPosition.row ? next : undefined;
}

/** Own-line comments right above an entry, which belong to it. */
export function leadingComments(pair: Node): Node[] {
  const comments: Node[] = [];
  for (let previous = pair.previousNamedSibling; previous?.type === 'comment'; previous = previous.previousNamedSibling) {
    const before = previous.previousNamedSibling;
    if (before && before.endPosition.row === previous.startPosition.row) break; // the trailing comment of the entry before
    comments.unshift(previous);
  }
  return comments;
}

/**
 * Edits that add `items` as the last entries of a dict display or argument list: each on a line of
 * its own when the closing bracket has its own line, else after the last entry.
 */
export function appendEntries(text: string, display: Node, items: string[], eol: string): TextEdit[] {
  const entries = display.namedChildren.filter((child) => child.type !== 'comment');
  const close = display.lastChild!;
  if (entries.length === 0) return [{ start: close.startIndex, end: close.startIndex, text: items.join(', ') }];
  const last = entries[entries.length - 1];
  const afterLast = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  const closeOnOwnLine = text.slice(lineStart(text, close.startIndex), close.startIndex).trim() === '';
  if (!closeOnOwnLine || close.startPosition.row === last.endPosition.row) {
    return afterLast ? [{ start: afterLast.endIndex, end: afterLast.endIndex, text: ` ${items.join(', ')},` }] : [{ start: last.endIndex, end: last.endIndex, text: `, ${items.join(', ')}` }];
  }
  const edits: TextEdit[] = afterLast ? [] : [{ start: last.endIndex, end: last.endIndex, text: ',' }];
  const at = lineStart(text, close.startIndex);
  const indent = indentAt(text, last.startIndex);
  edits.push({ start: at, end: at, text: items.map((item) => `${indent}${item},${eol}`).join('') });
  return edits;
}
