// Reordering a list as text: only the moved entries' lines change, and comments and blank lines
// stay with what they belong to.
import { applyEdits } from '../../src/edits';
import { parsePython, query } from '../../src/parse';
import { blockSizes, reorderList } from '../../transforms/middleware-order/list-text';

function listOf(text: string) {
  const [capture] = query('(assignment right: [(list) (tuple)] @list)').captures(parsePython(text).rootNode);
  return capture.node;
}

/** The text after moving `moved` (item indices) so the items read in `order`. */
function reordered(text: string, order: number[], moved: number[]): string {
  const result = reorderList(text, listOf(text), order, moved);
  if (!result.ok) throw new Error(result.reason);
  return applyEdits(text, [result.edit]);
}

const lines = (...rows: string[]) => rows.map((row) => `${row}\n`).join('');

test('a moved entry takes its own comment lines and trailing comment; nothing else changes', () => {
  const text = lines('M = [', '    "a",', '    # about b', '    "b",  # b itself', '    "c",', ']');
  expect(reordered(text, [0, 2, 1], [1])).toBe(lines('M = [', '    "a",', '    "c",', '    # about b', '    "b",  # b itself', ']'));
});

test('a group heading stays with its group when its first entry moves away', () => {
  const text = lines('M = [', '    "a",', '', '    # Only needed by the admin', '    "s",', '    "t",', ']');
  expect(reordered(text, [1, 0, 2], [1])).toBe(lines('M = [', '    "s",', '    "a",', '', '    # Only needed by the admin', '    "t",', ']'));
});

test('a comment above the only entry of its group is that entry\'s own', () => {
  const text = lines('M = [', '    "a",', '', '    # about b', '    "b",', '', '    "c",', ']');
  expect(reordered(text, [1, 0, 2], [1])).toBe(lines('M = [', '    # about b', '    "b",', '    "a",', '', '    "c",', ']'));
});

test('an entry pasted at a group boundary joins the group it came from', () => {
  const text = lines('M = [', '    "x",', '', '    # Common', '    "c",', '    "l",', ']');
  // "l" moves above "c": it stays in the "Common" group, under its heading.
  expect(reordered(text, [0, 2, 1], [2])).toBe(lines('M = [', '    "x",', '', '    # Common', '    "l",', '    "c",', ']'));
});

test('a commented-out entry marks a place: the comment lines above it are not the next entry\'s', () => {
  const text = lines('M = [', '    # Uncomment to enable the toolbar', '    # "debug_toolbar.middleware.DebugToolbarMiddleware",', '    "s",', '    "a",', ']');
  expect(reordered(text, [1, 0], [0])).toBe(lines('M = [', '    # Uncomment to enable the toolbar', '    # "debug_toolbar.middleware.DebugToolbarMiddleware",', '    "a",', '    "s",', ']'));
});

test('blank lines do not pile up, at the top or in the middle, when a group empties', () => {
  const middle = lines('M = [', '    "a",', '', '    "b",', '', '    "c",', '    "d",', ']');
  expect(reordered(middle, [0, 2, 1, 3], [1])).toBe(lines('M = [', '    "a",', '', '    "c",', '    "b",', '    "d",', ']'));
  const top = lines('M = [', '    "a",', '', '    "b",', '    "c",', ']');
  expect(reordered(top, [1, 0, 2], [0])).toBe(lines('M = [', '    "b",', '    "a",', '    "c",', ']'));
});

test('the trailing-comma style is kept, with and without a trailing comma', () => {
  const without = 'M = (\n    "a",\n    "b"\n)\n';
  expect(reordered(without, [1, 0], [0])).toBe('M = (\n    "b",\n    "a"\n)\n');
  const withComma = 'M = [\n    "a",\n    "b",\n]\n';
  expect(reordered(withComma, [1, 0], [0])).toBe('M = [\n    "b",\n    "a",\n]\n');
});

test('CRLF, tabs and a closing remark are kept byte for byte', () => {
  const text = 'M = [\r\n\t"a",\r\n\r\n\t# Group\r\n\t"b",\r\n\t"c",\r\n\t# the end\r\n]\r\n';
  expect(reordered(text, [0, 2, 1], [1])).toBe('M = [\r\n\t"a",\r\n\r\n\t# Group\r\n\t"c",\r\n\t"b",\r\n\t# the end\r\n]\r\n');
});

test('the edit covers only the lines that change', () => {
  const text = lines('M = [', '    "a",', '    "b",', '    "c",', '    "d",', ']');
  const result = reorderList(text, listOf(text), [0, 2, 1, 3], [1]);
  expect(result.ok && text.slice(result.edit.start, result.edit.end)).toBe(lines('    "b",', '    "c",'));
});

test('a one-line list swaps the item texts', () => {
  expect(reordered('M = ["a", "b", "c"]\n', [2, 0, 1], [2])).toBe('M = ["c", "a", "b"]\n');
});

test.each([
  ['items sharing lines with items on their own lines', 'M = (\n    "a", "b",\n    "c"\n)\n'],
  ['an item written over two lines', 'M = [\n    "a",\n    ("django.middleware."\n     "common.CommonMiddleware"),\n]\n'],
])('refuses %s', (_, text) => {
  const list = listOf(text);
  const result = reorderList(text, list, list.namedChildren.filter((child) => child.type !== 'comment').map((_, index) => index).reverse(), [0]);
  expect(result.ok).toBe(false);
});

test('block sizes count the comment lines an entry carries, not a group heading', () => {
  const text = lines('M = [', '    # Heading', '    "a",', '    # about b', '    "b",', '    "c",', ']');
  expect(blockSizes(text, listOf(text))).toEqual([1, 2, 1]);
});
