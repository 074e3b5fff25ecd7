// Trees kept between a file's two passes: a cold run parses a screened file once, not twice, and
// keeps no more text than its budget.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropKept, keep, startKeeping, takeKept } from '../../src/kept';
import { parseCount, parsePython } from '../../src/parse';
import { run, RunOptions } from '../../src/runner';
import { registerForTests, testTransform, withTransform } from '../helpers/transforms';

const file = (text: string, hash = 'h') => ({ hash, text, tree: parsePython(text) });

test('a tree is kept while its text fits the budget, and given back once, for the same bytes only', () => {
  startKeeping(10);
  expect(keep('a.py', file('x = 1\n'))).toBe(true);
  expect(keep('b.py', file('yy = 22\n'))).toBe(false);
  expect(keep('c.py', file('z=3\n'))).toBe(true);
  expect(takeKept('a.py', 'other')).toBeUndefined();
  expect(takeKept('a.py', 'h')).toBeUndefined();
  expect(takeKept('c.py', 'h')?.text).toBe('z=3\n');
  expect(takeKept('c.py', 'h')).toBeUndefined();
  startKeeping(10);
  keep('d.py', file('d = 4\n'));
  dropKept();
  expect(takeKept('d.py', 'h')).toBeUndefined();
  expect(keep('e.py', file('e = 5\n'))).toBe(false);
});

const treeReader = testTransform({
  id: 'test-tree-reader',
  screen: (text) => text.includes('loop'),
  analyze: ({ file }) => {
    // Asking for the tree parses the file, unless its first pass kept the tree.
    void file.tree;
    return [];
  },
});

registerForTests(treeReader);

test('a cold run parses each file once: the analysis takes the tree its facts were collected from', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-kept-'));
  fs.writeFileSync(path.join(root, 'a.py'), 'for x in range(3):\n    print(x)  # loop\n');
  fs.writeFileSync(path.join(root, 'b.py'), 'y = 2\n');
  const options: RunOptions = { root, targets: [root], include: [], exclude: [], transforms: [treeReader.id], transformOptions: {}, jobs: 1, maxFileBytes: 1 << 20, maxRounds: 5, cacheDir: null };
  const before = parseCount();
  await run(options);
  expect(parseCount() - before).toBe(2);
});

const todoFixer = testTransform({
  id: 'test-todo-fixer',
  screen: (text) => text.includes('todo'),
  analyze: ({ file }) => {
    const at = file.text.indexOf('todo');
    if (file.tree.rootNode.hasError || at === -1) return [];
    return [{ transform: 'test-todo-fixer', code: 'todo', location: { path: file.path, line: 1, column: at + 1 }, message: 'todo', change: { safety: 'safe', files: [{ path: file.path, kind: 'edit', edits: [{ start: at, end: at + 4, text: 'done' }] }] } }];
  },
});

test('while fixes settle, each text of a fixed file is parsed at most once: checked, then its facts compared', async () => {
  await withTransform(todoFixer, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-kept-'));
    fs.writeFileSync(path.join(root, 'a.py'), 'todo = 1\n');
    fs.writeFileSync(path.join(root, 'b.py'), 'y = 2\n');
    const options: RunOptions = { root, targets: [root], include: [], exclude: [], transforms: [todoFixer.id], transformOptions: {}, jobs: 1, maxFileBytes: 1 << 20, maxRounds: 5, cacheDir: null };
    const before = parseCount();
    const report = await run(options);
    expect(report.files.map((file) => file.after)).toEqual(['done = 1\n']);
    // Two files for their facts (a.py's tree kept for its analysis), then a.py's fixed text once:
    // checked, and its facts compared (seven parses when each step parsed). Its text on disk is not
    // parsed again: it was indexed from a parse without errors, and its facts were collected then.
    expect(parseCount() - before).toBe(3);
  });
});
