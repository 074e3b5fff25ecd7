// Loops as the transform sees them: `for` statements and the `for` clauses of comprehensions and
// generator expressions, each with its variable, what it iterates, and the code that runs per row.
import type { Node } from '../../src/parse';
import { sameNode } from '../../src/parse';

export interface Loop {
  node: Node;
  /** The identifier bound to each row. */
  variable: Node;
  /** The queryset-like expression the rows come from (inside `enumerate(...)`, `list(...)` and the like). */
  iterable: Node;
  /** What runs once per row: the body of a `for`, or what follows a comprehension's `for` clause. */
  regions: Node[];
}

/** Builtins that iterate their first argument and hand back its rows (with an index for enumerate). */
const PASS_THROUGH = new Set(['list', 'tuple', 'sorted', 'reversed']);

/**
 * Where the text may hold the keyword `for`: not inside a longer name (`format`, `before`), though a
 * number may run into it (`[1for x in y]` is Python). Text in strings and comments only adds a
 * position whose node is not the keyword.
 */
const FOR_KEYWORD = /(?<![\p{L}\p{M}\p{Pc}])for(?!\p{ID_Continue})/gu;

/**
 * The `for` statements and comprehension clauses of a file, in order. Found from the text's `for`
 * keywords, each looked up in the tree: a query over the whole tree visits every node, and on a large
 * file that cost more than the rest of the analysis.
 */
export function findLoops(root: Node, text: string): Node[] {
  const loops: Node[] = [];
  for (const match of text.matchAll(FOR_KEYWORD)) {
    const keyword = root.descendantForIndex(match.index);
    const loop = keyword.parent;
    if (keyword.type === 'for' && keyword.startIndex === match.index && (loop?.type === 'for_statement' || loop?.type === 'for_in_clause')) loops.push(loop);
  }
  return loops;
}

/**
 * The loop a `for` statement or clause makes, or undefined when djfix does not follow it: `async for`
 * (lazy relation reads raise SynchronousOnlyOperation there anyway) and targets that are not a name.
 */
export function loopOf(node: Node): Loop | undefined {
  if (node.children.some((child) => child.type === 'async')) return undefined;
  const target = node.childForFieldName('left');
  let iterable = node.childForFieldName('right');
  if (!target || !iterable) return undefined;
  let variable: Node | undefined = target.type === 'identifier' ? target : undefined;
  const callee = iterable.type === 'call' ? iterable.childForFieldName('function') : null;
  if (callee?.type === 'identifier' && callee.text === 'enumerate') {
    const names = target.type === 'pattern_list' || target.type === 'tuple_pattern' ? target.namedChildren : [];
    const first = firstPositional(iterable);
    variable = names.length === 2 && names[1].type === 'identifier' ? names[1] : undefined;
    if (first) iterable = first;
  } else {
    iterable = passThrough(iterable);
  }
  if (!variable) return undefined;
  return { node, variable, iterable, regions: regionsOf(node) };
}

/** `list(x)`, `sorted(x, key=...)` and the like hand back the rows of `x`: the expression is `x`. */
export function passThrough(expression: Node): Node {
  const callee = expression.type === 'call' ? expression.childForFieldName('function') : null;
  const first = firstPositional(expression);
  return callee?.type === 'identifier' && PASS_THROUGH.has(callee.text) && first ? first : expression;
}

function firstPositional(call: Node): Node | undefined {
  if (call.type !== 'call') return undefined;
  const [first] = call.childForFieldName('arguments')?.namedChildren.filter((arg) => arg.type !== 'comment') ?? [];
  return first && first.type !== 'keyword_argument' && first.type !== 'list_splat' ? first : undefined;
}

function regionsOf(node: Node): Node[] {
  if (node.type === 'for_statement') {
    const body = node.childForFieldName('body');
    return body ? [body] : [];
  }
  // A comprehension clause runs the body, and every clause after it, once per row.
  const comprehension = node.parent!;
  const later = comprehension.namedChildren.filter((child) => child.startIndex > node.startIndex && child.type !== 'comment');
  const body = comprehension.childForFieldName('body');
  return [...(body ? [body] : []), ...later];
}

/** The loop whose rows come from `expression` (`for line in <expression>:`, `enumerate(<expression>)`), if any. */
export function loopOver(expression: Node): Loop | undefined {
  let holder = expression.parent;
  if (holder?.type === 'argument_list' && holder.parent?.type === 'call') holder = holder.parent.parent;
  if (holder?.type !== 'for_statement' && holder?.type !== 'for_in_clause') return undefined;
  const loop = loopOf(holder);
  return loop && sameNode(loop.iterable, expression) ? loop : undefined;
}
