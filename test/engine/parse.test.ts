// Queries compile at their first use (a warm run compiles none); this test compiles every query the
// engine and the transforms declare when loaded, so a query tree-sitter rejects fails here.
import { compileDeclaredQueries, parseCount, parsePython, query } from '../../src/parse';
import { TRANSFORMS } from '../../transforms/registry';

test('every query declared by the engine and the transforms compiles', () => {
  expect(TRANSFORMS.length).toBe(5);
  // Those that collecting facts runs first, which a worker compiles before it has files, then the others.
  expect(compileDeclaredQueries('collect')).toBeGreaterThan(5);
  expect(compileDeclaredQueries('collect')).toBe(0);
  expect(compileDeclaredQueries()).toBeGreaterThan(5);
  expect(compileDeclaredQueries()).toBe(0);
});

test('a query any module needs for collecting facts is compiled with those, whoever declares it first', () => {
  const source = '(decorator (identifier) @name)';
  query(source);
  query(source, 'collect');
  query(source);
  expect(compileDeclaredQueries('analyze')).toBe(0);
  expect(compileDeclaredQueries('collect')).toBe(1);
});

test('a query compiles when first run, and is shared by every caller of the same source', () => {
  const source = '(class_definition name: (identifier) @name)';
  const tree = parsePython('class A: pass\nclass B: pass\n');
  const parses = parseCount();
  expect(query(source).captures(tree.rootNode).map((capture) => capture.node.text)).toEqual(['A', 'B']);
  expect(query(source).matches(tree.rootNode)).toHaveLength(2);
  expect(parseCount()).toBe(parses);
  expect(() => query('(no_such_node) @x').captures(tree.rootNode)).toThrow(/Query error/);
});
