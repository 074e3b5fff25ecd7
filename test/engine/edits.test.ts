import { applyEdits, editsConflict, mergeInsertions, validateEdits } from '../../src/edits';

test('applies edits against the original offsets', () => {
  expect(applyEdits('abcdef', [{ start: 4, end: 5, text: 'E' }, { start: 0, end: 1, text: 'A' }, { start: 2, end: 2, text: '+' }])).toBe('Ab+cdEf');
});

test('conflicts: overlapping spans and insertions at one point; touching spans are fine', () => {
  expect(editsConflict({ start: 0, end: 3, text: '' }, { start: 2, end: 5, text: '' })).toBe(true);
  expect(editsConflict({ start: 0, end: 3, text: '' }, { start: 3, end: 5, text: '' })).toBe(false);
  expect(editsConflict({ start: 3, end: 3, text: 'a' }, { start: 3, end: 3, text: 'b' })).toBe(true);
  expect(editsConflict({ start: 2, end: 2, text: 'a' }, { start: 0, end: 4, text: '' })).toBe(true);
  expect(validateEdits([{ start: 0, end: 9, text: '' }], 4)).toMatch(/outside/);
});

test('insertions at one point merge into one edit, in the order given; replacements are left as they are', () => {
  const merged = mergeInsertions([
    { start: 3, end: 3, text: 'a' },
    { start: 0, end: 2, text: 'X' },
    { start: 3, end: 3, text: 'b' },
    { start: 2, end: 2, text: 'c' },
  ]);
  expect(merged).toEqual([{ start: 3, end: 3, text: 'ab' }, { start: 0, end: 2, text: 'X' }, { start: 2, end: 2, text: 'c' }]);
  expect(validateEdits(merged, 6)).toBeUndefined();
});
