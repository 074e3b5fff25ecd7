// Reordering the items of a Python list or tuple literal in place, as text, the way a person would:
// cut the entries that move and paste each where it belongs, leaving every other line as it is.
//
// A list written one item per line is read as lines:
// - an entry's block is its line (with its trailing comment) and the comment lines directly above it;
// - a group is a run of entries between blank lines, and comment lines that open a group of two or
//   more entries after a blank line (or at the top) are the group's heading: they stay with the group
//   (`# Only needed by django admin` keeps heading its group when its first entry moves away);
// - a commented-out entry (`# "debug_toolbar.middleware.DebugToolbarMiddleware",`) marks a place in the
//   list, not a note about its neighbour, so it and the comments above it stay where they are;
// - blank lines stay between the groups they separate; when a move empties a group, the blank lines
//   around it do not pile up.
// A moved entry pasted at a group boundary joins the group it came from when that is one of the two,
// else it ends the group above. Indentation, quotes, line endings and the list's trailing-comma style
// are kept; the edit covers only the lines that change.
import type { TextEdit } from '../../src/model';
import type { Node } from '../../src/parse';

export type Reorder = { ok: true; edit: TextEdit } | { ok: false; reason: string };

/** The items of a list/tuple node, comments excluded. */
export function listItems(list: Node): Node[] {
  return list.namedChildren.filter((child) => child.type !== 'comment');
}

/** How many lines each item's block spans (its own comments included), as reorderList would move it. */
export function blockSizes(text: string, list: Node): number[] {
  const items = listItems(list);
  const sizes = items.map(() => 1);
  const lines = bodyLines(text, list, items);
  for (const unit of lines ? unitsOf(lines, groupsOf(lines)) : []) {
    if (unit.item !== undefined) sizes[unit.item] = splitLines(text.slice(unit.start, unit.end)).length;
  }
  return sizes;
}

/**
 * `order` is the new order of the items (original indices); `moved` the items that move, as the plan
 * chose them: the others keep their lines and their order.
 */
export function reorderList(text: string, list: Node, order: number[], moved: number[]): Reorder {
  const items = listItems(list);
  if (order.length !== items.length) throw new Error(`an order of ${order.length} entries for a list of ${items.length}`);
  if (order.every((from, to) => from === to)) return { ok: false, reason: 'already in order' };
  const rows = new Set(items.map((item) => item.startPosition.row));
  if (rows.size === 1 && items[0].startPosition.row === list.startPosition.row && items[items.length - 1].endPosition.row === list.endPosition.row) {
    return inline(text, items, order);
  }
  const oneItemPerLine = items.every((item, i) => item.startPosition.row === item.endPosition.row && (i === 0 || item.startPosition.row > items[i - 1].endPosition.row));
  if (!oneItemPerLine || items[0].startPosition.row === list.startPosition.row || items[items.length - 1].endPosition.row === list.endPosition.row) {
    return { ok: false, reason: 'the list mixes items on shared lines with items on their own lines; djfix reorders lists with one item per line, or all on one line' };
  }
  return byLines(text, list, items, order, new Set(moved));
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

type LineKind = 'item' | 'comment' | 'commented-entry' | 'blank';

interface Line {
  start: number;
  end: number;
  kind: LineKind;
  /** For an item line: the item's index. */
  item?: number;
}

/** A piece of the list body: an entry's block, or a line of furniture (blank, heading, loose comment). */
interface Unit {
  start: number;
  end: number;
  item?: number;
  blank?: boolean;
}

const COMMENTED_ENTRY = /^[ \t]*#[ \t]*(['"])[\w.]+\1[ \t]*,?[ \t]*\r?\n?$/;

function byLines(text: string, list: Node, items: Node[], order: number[], moved: Set<number>): Reorder {
  const lines = bodyLines(text, list, items);
  if (!lines) return { ok: false, reason: 'an item shares its line with other code' };
  const groupOf = groupsOf(lines);
  const units = unitsOf(lines, groupOf);
  const kept = withoutDoubleBlanks(units.filter((unit) => unit.item === undefined || !moved.has(unit.item)), units);

  // Paste each run of moved entries between the staying entries the new order puts around it.
  const result = [...kept];
  let previous: number | undefined;
  for (let slot = 0; slot < order.length; ) {
    if (!moved.has(order[slot])) {
      previous = order[slot++];
      continue;
    }
    const run: number[] = [];
    while (slot < order.length && moved.has(order[slot])) run.push(order[slot++]);
    const next = slot < order.length ? order[slot] : undefined;
    const at = pastePosition(result, previous, next, run, groupOf);
    result.splice(at, 0, ...run.map((item) => units.find((unit) => unit.item === item)!));
  }

  const hasComma = items.map((item, i) => /^[ \t]*,/.test(text.slice(item.endIndex, lines.find((line) => line.item === i)!.end)));
  const lastHadComma = hasComma[items.length - 1];
  const slotOf = new Map(order.map((item, slot) => [item, slot]));
  const pieces = result.map((unit) => {
    const piece = text.slice(unit.start, unit.end);
    if (unit.item === undefined) return piece;
    const wantsComma = slotOf.get(unit.item)! < items.length - 1 || lastHadComma;
    if (wantsComma === hasComma[unit.item]) return piece;
    // Add or drop the comma right after the item so the list keeps its trailing-comma style.
    const at = items[unit.item].endIndex - unit.start;
    return wantsComma ? `${piece.slice(0, at)},${piece.slice(at)}` : piece.slice(0, at) + piece.slice(at).replace(/^([ \t]*),/, '$1');
  });
  return { ok: true, edit: narrowed(text, units[0].start, units[units.length - 1].end, pieces.join('')) };
}

/** The lines from the one after the opening bracket to the last item's, classified; undefined if an item shares its line. */
function bodyLines(text: string, list: Node, items: Node[]): Line[] | undefined {
  // An empty list has no lines to move.
  if (items.length === 0) return undefined;
  const lines: Line[] = [];
  const lastEnd = lineEnd(text, items[items.length - 1].endIndex);
  let next = 0;
  for (let start = lineEnd(text, list.startIndex); start < lastEnd; ) {
    const end = lineEnd(text, start);
    const content = text.slice(start, end);
    const item = next < items.length && items[next].startIndex < end ? items[next] : undefined;
    if (item) {
      const before = text.slice(start, item.startIndex);
      const after = text.slice(item.endIndex, end);
      if (before.trim() !== '' || !/^[ \t]*,?[ \t]*(#[^\n]*)?\r?\n?$/.test(after)) return undefined;
      lines.push({ start, end, kind: 'item', item: next++ });
    } else if (content.trim() === '') {
      lines.push({ start, end, kind: 'blank' });
    } else if (COMMENTED_ENTRY.test(content)) {
      lines.push({ start, end, kind: 'commented-entry' });
    } else if (/^[ \t]*#/.test(content)) {
      lines.push({ start, end, kind: 'comment' });
    } else {
      return undefined;
    }
    start = end;
  }
  return lines;
}

/** Each item's group: items between the same two blank lines share one. */
function groupsOf(lines: Line[]): Map<number, number> {
  const groups = new Map<number, number>();
  let group = 0;
  for (const line of lines) {
    if (line.kind === 'blank') group++;
    if (line.item !== undefined) groups.set(line.item, group);
  }
  return groups;
}

/** Entry blocks (own comments and the item line) and furniture lines, in text order. */
function unitsOf(lines: Line[], groups: Map<number, number>): Unit[] {
  const groupSize = (item: number) => [...groups.values()].filter((group) => group === groups.get(item)).length;
  const owner: Array<number | undefined> = lines.map((line) => line.item);
  lines.forEach((line, index) => {
    if (line.item === undefined) return;
    let top = index;
    while (top > 0 && lines[top - 1].kind === 'comment') top--;
    const opensGroup = top === 0 || lines[top - 1].kind === 'blank';
    const firstOfGroup = line.item === 0 || groups.get(line.item - 1) !== groups.get(line.item);
    const isHeading = opensGroup && firstOfGroup && groupSize(line.item) > 1;
    if (top < index && !isHeading) for (let own = top; own < index; own++) owner[own] = line.item;
  });
  const units: Unit[] = [];
  lines.forEach((line, index) => {
    const item = owner[index];
    const last = units[units.length - 1];
    if (item !== undefined && last?.item === item) last.end = line.end;
    else if (line.kind === 'blank' && last?.blank) last.end = line.end;
    else units.push({ start: line.start, end: line.end, item, blank: line.kind === 'blank' || undefined });
  });
  return units;
}

/** Drops blank runs that removing entries left next to each other, or at the top or bottom of the list. */
function withoutDoubleBlanks(kept: Unit[], original: Unit[]): Unit[] {
  return kept.filter((unit, index) => {
    if (!unit.blank) return true;
    if (index > 0 && kept[index - 1].blank) return false;
    if (index === 0 && original[0] !== unit) return false;
    return !(index === kept.length - 1 && original[original.length - 1] !== unit);
  });
}

/**
 * Where a run of moved entries goes among the units: right after the staying entry above it, or
 * right before the staying entry below it (after that entry's group heading). The two differ only
 * across a group boundary; there the run joins the group below if one of its entries came from it.
 */
function pastePosition(units: Unit[], previous: number | undefined, next: number | undefined, run: number[], groupOf: Map<number, number>): number {
  const indexOf = (item: number) => units.findIndex((unit) => unit.item === item);
  if (previous === undefined) return indexOf(next!);
  if (next === undefined) return indexOf(previous) + 1;
  const joinsBelow = run.some((item) => groupOf.get(item) === groupOf.get(next)) && !run.some((item) => groupOf.get(item) === groupOf.get(previous));
  return joinsBelow ? indexOf(next) : indexOf(previous) + 1;
}

/** An edit of [start, end) to `replacement`, without the whole lines it leaves as they are. */
function narrowed(text: string, start: number, end: number, replacement: string): TextEdit {
  const before = splitLines(text.slice(start, end));
  const after = splitLines(replacement);
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const skip = before.slice(0, head).join('').length;
  const keep = before.slice(before.length - tail).join('').length;
  return { start: start + skip, end: end - keep, text: after.slice(head, after.length - tail).join('') };
}

function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}
