// The text of the fix: new lookups join the chain's existing select_related / prefetch_related call
// (after its last argument, one per line when the call is laid out that way), or a new call goes
// right after the manager: `Order.objects.select_related("customer").filter(...)`.
import type { TextEdit } from '../../src/model';
import type { Node, Tree } from '../../src/parse';
import { query } from '../../src/parse';
import { lineEnding } from '../../src/source';
import { argumentsOf, ChainCall } from './chains';

const STRING_STARTS = query('(string (string_start) @start)');

export function chainEdits(text: string, manager: Node, calls: ChainCall[], select: string[], prefetch: string[], quote: string): TextEdit[] {
  const edits: TextEdit[] = [];
  let inserted = '';
  for (const [method, lookups] of [['select_related', select], ['prefetch_related', prefetch]] as const) {
    if (lookups.length === 0) continue;
    const existing = calls.find((call) => call.name === method);
    const ownQuote = (existing && quoteOf(argumentsOf(existing))) ?? quote;
    const literals = lookups.map((lookup) => `${ownQuote}${lookup}${ownQuote}`);
    if (existing) edits.push(appendArguments(text, existing, literals));
    else inserted += `.${method}(${literals.join(', ')})`;
  }
  if (inserted) edits.push({ start: manager.endIndex, end: manager.endIndex, text: inserted });
  return edits;
}

function appendArguments(text: string, call: ChainCall, literals: string[]): TextEdit {
  const args = argumentsOf(call);
  const last = args[args.length - 1];
  if (!last) {
    const open = call.args.startIndex + 1;
    return { start: open, end: open, text: literals.join(', ') };
  }
  const multiline = call.args.startPosition.row !== call.args.endPosition.row && args.every((arg, i) => i === 0 || arg.startPosition.row > args[i - 1].endPosition.row);
  const lineStart = text.lastIndexOf('\n', last.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const separator = multiline && args[0].startPosition.row > call.args.startPosition.row ? `,${lineEnding(text)}${indent}` : ', ';
  return { start: last.endIndex, end: last.endIndex, text: separator + literals.join(separator) };
}

function quoteOf(args: Node[]): string | undefined {
  const start = args.find((arg) => arg.type === 'string')?.firstChild?.text;
  return start === '"' || start === "'" ? start : undefined;
}

/** The quote most of the file's plain strings use (double when it is a tie). */
export function fileQuote(tree: Tree): string {
  let single = 0;
  let double = 0;
  for (const { node } of STRING_STARTS.captures(tree.rootNode)) {
    if (node.text === "'") single++;
    else if (node.text === '"') double++;
  }
  return single > double ? "'" : '"';
}
