// Adding entries to a dict display or an argument list in its own layout.
import { applyEdits } from '../../src/edits';
import { parsePython } from '../../src/parse';
import { appendEntries } from '../../transforms/database-url/layout';

function append(text: string, items: string[]): string {
  const tree = parsePython(text);
  const display = tree.rootNode.descendantsOfType(['dictionary', 'argument_list'])[0];
  return applyEdits(text, appendEntries(text, display, items, '\n'));
}

test('one line: after the last entry, with or without a trailing comma', () => {
  expect(append('f(a, b=1)\n', ['c=2'])).toBe('f(a, b=1, c=2)\n');
  expect(append('f(a,)\n', ['c=2', 'd=3'])).toBe('f(a, c=2, d=3,)\n');
  expect(append('f()\n', ['c=2'])).toBe('f(c=2)\n');
});

test('closing bracket on its own line: a line per entry, at the entries\' indentation', () => {
  expect(append('X = {\n    "a": 1,\n}\n', ['**y'])).toBe('X = {\n    "a": 1,\n    **y,\n}\n');
  expect(append('X = {\n    "a": 1  # one\n}\n', ['**y'])).toBe('X = {\n    "a": 1,  # one\n    **y,\n}\n');
  expect(append('f(\n    a\n    )\n', ['c=2'])).toBe('f(\n    a,\n    c=2,\n    )\n');
});
