// Where the text of a fix goes: the line at the top of a function body for a lookup, and the quotes
// that wrap an annotation or a lazy string as the file writes them.
import type { Node, Tree } from '../../src/parse';
import { query } from '../../src/parse';

const STRINGS = query('(string) @string');

/**
 * Where a line that looks a model up goes at the top of a function's body: on the line after the
 * `def` line, or after the docstring (before any comments that lead the first statement), with the
 * first statement's indentation; undefined when the body starts on the `def` line or shares a line
 * with the docstring.
 */
export function bodyInsertion(definition: Node, text: string): { at: number; indent: string } | undefined {
  const body = definition.childForFieldName('body');
  const statements = body?.namedChildren.filter((node) => node.type !== 'comment') ?? [];
  const parameters = definition.childForFieldName('parameters');
  if (!body || statements.length === 0 || !parameters) return undefined;
  const headerRow = (definition.childForFieldName('return_type') ?? parameters).endPosition.row;
  const [first, second] = statements;
  if (first.startPosition.row === headerRow) return undefined;
  const indent = text.slice(lineStartOf(text, first.startIndex), first.startIndex);
  if (indent.trim() !== '') return undefined;
  if (isDocstring(first)) {
    if (second && second.startPosition.row === first.endPosition.row) return undefined;
    const newline = text.indexOf('\n', first.endIndex);
    if (!/^[ \t]*(#[^\n]*)?\r?$/.test(text.slice(first.endIndex, newline === -1 ? text.length : newline))) return undefined;
    return { at: newline === -1 ? text.length : newline + 1, indent };
  }
  // The line after the header: the header's colon is on its last row (comments after it stay there).
  const afterHeader = lineEndOf(text, definition.startIndex + rowOffset(text, definition.startIndex, headerRow - definition.startPosition.row));
  return { at: Math.min(afterHeader, lineStartOf(text, first.startIndex)), indent };
}

/** The offset of the start of the line `rows` lines below the one holding `offset`. */
function rowOffset(text: string, offset: number, rows: number): number {
  let at = lineStartOf(text, offset);
  for (let i = 0; i < rows; i++) at = text.indexOf('\n', at) + 1;
  return at - offset;
}

function lineEndOf(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

function isDocstring(statement: Node): boolean {
  return statement.type === 'expression_statement' && statement.namedChildren.length === 1 && statement.firstNamedChild?.type === 'string';
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The quote that can wrap `text` as a string annotation: the file's own unless the text holds it. */
export function quoteFor(text: string, preferred: string): string | undefined {
  if (/[\r\n\\]/.test(text)) return undefined;
  const other = preferred === '"' ? "'" : '"';
  if (!text.includes(preferred)) return preferred;
  return text.includes(other) ? undefined : other;
}

/** `"` unless most of the file's one-line strings use `'`. */
export function preferredQuote(tree: Tree): '"' | "'" {
  let single = 0;
  let double = 0;
  for (const { node } of STRINGS.captures(tree.rootNode)) {
    const start = node.firstChild?.text ?? '';
    if (start === "'") single++;
    else if (start === '"') double++;
  }
  return single > double ? "'" : '"';
}
