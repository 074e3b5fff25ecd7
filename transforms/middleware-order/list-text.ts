// Reordering the items of a Python list or tuple literal in place, as text: each item moves with
// the comment lines directly above it and its trailing comment; indentation, quotes, blank lines
// and the trailing-comma style of the list stay as they were.
import type { TextEdit } from '../../src/model';
import type { Node } from '../../src/parse';

interface Item {
  node: Node;
  /** Start of the item's block: its first own comment line, or the item itself on one-line lists. */
  start: number;
  /** End of the block: after the line break that ends its line, or the item's end on one-line lists. */
  end: number;
}

export type Reorder = { ok: true; edit: TextEdit } | { ok: false; reason: string };

/** The items of a list/tuple node, comments excluded. */
export function listItems(list: Node): Node[] {
  return list.namedChildren.filter((child) => child.type !== 'comment');
}

export function reorderList(text: string, list: Node, order: number[]): Reorder {
  const items = listItems(list);
  if (order.every((from, to) => from === to)) return { ok: false, reason: 'already in order' };
  const rows = new Set(items.map((item) => item.startPosition.row));
  const multiline = items.every((item, i) => item.startPosition.row === item.endPosition.row && (i === 0 || item.startPosition.row > items[i - 1].endPosition.row));
  if (rows.size === 1 && items[0].startPosition.row === list.startPosition.row && items[items.length - 1].endPosition.row === list.endPosition.row) {
    return inline(text, items, order);
  }
  if (!multiline || items[0].startPosition.row === list.startPosition.row || items[items.length - 1].endPosition.row === list.endPosition.row) {
    return { ok: false, reason: 'the list mixes items on shared lines with items on their own lines; djfix reorders lists with one item per line, or all on one line' };
  }
  return blocks(text, list, items, order);
}

/** `["a", "b"]`: swap the item texts, keep the separators. */
function inline(text: string, items: Node[], order: number[]): Reorder {
  const first = items[0].startIndex;
  const last = items[items.length - 1].endIndex;
  let result = '';
  for (let i = 0; i < items.length; i++) {
    result += items[order[i]].text;
    if (i < items.length - 1) result += text.slice(items[i].endIndex, items[i + 1].startIndex);
  }
  return { ok: true, edit: { start: first, end: last, text: result } };
}

/** One item per line: move whole line blocks (own comment lines above, trailing comment) around. */
function blocks(text: string, list: Node, nodes: Node[], order: number[]): Reorder {
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = (offset: number) => {
    const newline = text.indexOf('\n', offset);
    return newline === -1 ? text.length : newline + 1;
  };
  const items: Item[] = [];
  let floor = lineEnd(list.startIndex); // nothing above the list's first line break belongs to an item
  for (const node of nodes) {
    let start = lineStart(node.startIndex);
    // Comment lines directly above (no blank line between) travel with the item.
    while (start > floor) {
      const previous = lineStart(start - 1);
      if (!/^[ \t]*#/.test(text.slice(previous, start))) break;
      start = previous;
    }
    if (text.slice(lineStart(node.startIndex), node.startIndex).trim() !== '') return { ok: false, reason: 'an item shares its line with other code' };
    const end = lineEnd(node.endIndex);
    const rest = text.slice(node.endIndex, end);
    if (!/^[ \t]*,?[ \t]*(#[^\n]*)?\r?\n?$/.test(rest)) return { ok: false, reason: 'an item shares its line with other code' };
    items.push({ node, start, end });
    floor = end;
  }
  const hasComma = items.map((item) => /^[ \t]*,/.test(text.slice(item.node.endIndex, item.end)));
  const lastHadComma = hasComma[hasComma.length - 1];
  const block = (index: number, position: number) => {
    const item = items[index];
    const original = text.slice(item.start, item.end);
    const wantsComma = position < items.length - 1 || lastHadComma;
    if (wantsComma === hasComma[index]) return original;
    const at = item.node.endIndex - item.start;
    // Add or drop the comma right after the item so the list keeps its trailing-comma style.
    return wantsComma ? `${original.slice(0, at)},${original.slice(at)}` : original.slice(0, at) + original.slice(at).replace(/^([ \t]*),/, '$1');
  };
  // Gaps (blank lines, stray comments) between blocks stay where they are; blocks fill the slots.
  let result = '';
  for (let position = 0; position < items.length; position++) {
    result += block(order[position], position);
    if (position < items.length - 1) result += text.slice(items[position].end, items[position + 1].start);
  }
  return { ok: true, edit: { start: items[0].start, end: items[items.length - 1].end, text: result } };
}
