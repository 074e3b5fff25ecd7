// Scopes finds the bindings of a name at its occurrences in the text. This checks it against the plain
// definition, node by node: bindingOf on every identifier, kept in the scope that scopeOf gives it (a
// def or class name in the scope around it, comprehension targets in none), for every name of every
// scope.
import { Node, parsePython, query } from '../../src/parse';
import { bindingOf, Scopes, scopeOf } from '../../transforms/select-related/scope';

const SOURCE = `
import os, a.b.c as abc
from x.y import (p, q as r)
from . import rel
from .m import *
top = 1
first = second = os.environ
x: int
y: int = 2
u, (v, *w) = 1, (2, 3)
obj.attr = 3
café = "café outer"  # café
naïve_ü = café
seq[0] = 4
counter += 1
del top
del u, v
handler = lambda event, *rest, key=lambda inner: inner: event
if (found := lookup()):
    value_in_if = found
try:
    import json
except ImportError:
    json = None
with open(path) as stream:
    for line_number, line in enumerate(stream):
        last_line = line

@decorator
def outer(a, b=1, *args, c: int, d: str = "x", **kwargs):
    global top
    inner_value = [item for item in range(3) if (walrus := item)]
    pairs = {k: v for k, v in kwargs.items()}
    gen = (z for (z, _) in pairs)
    f = lambda m, n=2, *o, **pp: m + n
    with open(a) as handle, open(b) as (one, two):
        pass
    try:
        pass
    except ValueError as error:
        pass
    for i, (j, k) in enumerate(args):
        loop_value = i
    for single in args:
        pass
    def nested(e):
        nonlocal inner_value
        class Inner:
            field = e
            def method(self):
                return field
        return Inner
    async def coroutine():
        async for row in thing:
            pass
    return (x)

class Outer(Base):
    attribute = 1
    def method(self, other=attribute):
        local = other
        return local
    class Meta:
        ordering = ["x"]

match command:
    case [first_item, *rest]:
        pass
    case Point(x=px) as point:
        pass
    case {"key": value, **others}:
        pass
`;

function isComprehensionTarget(identifier: Node): boolean {
  let node = identifier;
  while (node.parent && ['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'dictionary_splat_pattern', 'parenthesized_expression', 'as_pattern_target'].includes(node.parent.type)) node = node.parent;
  return node.parent?.type === 'for_in_clause' && node.parent.childForFieldName('left')?.id === node.id;
}

/** scope id -> name -> "kind@line:column" in document order, by the definition. */
function expected(root: Node): Map<number, Map<string, string[]>> {
  const result = new Map<number, Map<string, string[]>>();
  for (const { node } of query('(identifier) @name').captures(root)) {
    const binding = bindingOf(node);
    if (!binding) continue;
    const definition = node.parent;
    const isDefinitionName = (definition?.type === 'function_definition' || definition?.type === 'class_definition') && definition.childForFieldName('name')?.id === node.id;
    if (!isDefinitionName && isComprehensionTarget(node)) continue;
    const scope = isDefinitionName ? scopeOf(definition!) : scopeOf(node);
    const names = result.get(scope.id) ?? new Map<string, string[]>();
    result.set(scope.id, names);
    names.set(node.text, [...(names.get(node.text) ?? []), describe(binding)]);
  }
  return result;
}

function describe(binding: ReturnType<typeof bindingOf> & object): string {
  const value = binding.kind === 'assign' ? `=${binding.value.text}` : '';
  return `${binding.kind}@${binding.node.startPosition.row + 1}:${binding.node.startPosition.column}${value}`;
}

test('every scope binds what the plain definition says, in document order', () => {
  const tree = parsePython(SOURCE);
  const scopes = [tree.rootNode, ...query('[(function_definition) (lambda) (class_definition)] @scope').captures(tree.rootNode).map((capture) => capture.node)];
  const reference = expected(tree.rootNode);
  const found = new Scopes(SOURCE);
  const names = [...new Set(query('(identifier) @name').captures(tree.rootNode).map((capture) => capture.node.text))];
  let bindingsSeen = 0;
  for (const scope of scopes) {
    const actual = new Map(names.map((name) => [name, found.bindingsOf(scope, name).map(describe)] as const).filter(([, bindings]) => bindings.length > 0));
    expect(actual).toEqual(reference.get(scope.id) ?? new Map());
    bindingsSeen += [...actual.values()].flat().length;
  }
  // The source exercises every kind; the comparison is not vacuous.
  expect(bindingsSeen).toBeGreaterThan(50);
  expect(found.bindingsOf(tree.rootNode, 'outer')).toEqual([expect.objectContaining({ kind: 'other' })]);
  expect(found.bindingsOf(tree.rootNode, 'Outer')).toEqual([expect.objectContaining({ kind: 'class' })]);
  expect(found.bindingsOf(tree.rootNode, 'first')[0]).toEqual(expect.objectContaining({ kind: 'assign' }));
  // Occurrences in strings, comments, attributes and keyword arguments bind nothing.
  expect(found.bindingsOf(tree.rootNode, 'attr')).toEqual([]);
});
