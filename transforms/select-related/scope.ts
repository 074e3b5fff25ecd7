// Python name binding, as far as this transform needs it: which scope a node is in, which names a
// scope binds and how (a plain `name = value`, a parameter, an import, a class, anything else), and
// where a name a function reads was bound.
import type { Node } from '../../src/parse';
import { query, sameNode } from '../../src/parse';
import { wordOccurrences } from '../../src/source';

export type Binding =
  | { kind: 'assign'; node: Node; value: Node }
  | { kind: 'param' | 'import' | 'class' | 'other'; node: Node };

const SCOPES = new Set(['function_definition', 'lambda', 'class_definition', 'module']);
export const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
// Nodes that hold a target without being the binding statement itself: `a, (b, *c) = ...`.
const TARGET_WRAPPERS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'dictionary_splat_pattern', 'parenthesized_expression', 'as_pattern_target']);
const IDENTIFIERS = query('(identifier) @name');

/** The function, lambda, class body or module whose names `node` reads (comprehensions are not counted). */
export function scopeOf(node: Node): Node {
  for (let current = node.parent; current; current = current.parent) if (SCOPES.has(current.type)) return current;
  return node;
}

/**
 * How `target` (an identifier, or an attribute such as `order.customer`) is bound or stored when it
 * is the target of an assignment, loop, `with`/`except ... as`, walrus, `del`, parameter, import or
 * definition; undefined when it is read.
 */
export function bindingOf(target: Node): Binding | undefined {
  let node = target;
  while (node.parent && TARGET_WRAPPERS.has(node.parent.type)) node = node.parent;
  const parent = node.parent;
  if (!parent) return undefined;
  const at = (field: string) => sameNode(parent.childForFieldName(field), node);
  const other: Binding = { kind: 'other', node: target };
  switch (parent.type) {
    case 'assignment': {
      if (!at('left')) return undefined;
      let value = parent.childForFieldName('right');
      while (value?.type === 'assignment') value = value.childForFieldName('right');
      // Only `name = value` is a plain assignment; `a, b = value` unpacks.
      return node.id === target.id && value ? { kind: 'assign', node: target, value } : other;
    }
    case 'augmented_assignment':
      return at('left') ? other : undefined;
    case 'for_statement':
    case 'for_in_clause':
      return at('left') ? other : undefined;
    case 'named_expression':
      return at('name') ? other : undefined;
    case 'as_pattern':
      return at('alias') ? other : undefined;
    case 'delete_statement':
    case 'global_statement':
    case 'nonlocal_statement':
      return other;
    case 'parameters':
    case 'lambda_parameters':
      return { kind: 'param', node: target };
    case 'default_parameter':
    case 'typed_default_parameter':
      return at('name') ? { kind: 'param', node: target } : undefined;
    case 'typed_parameter':
      return sameNode(parent.firstNamedChild, node) ? { kind: 'param', node: target } : undefined;
    case 'aliased_import':
      return at('alias') ? { kind: 'import', node: target } : undefined;
    case 'dotted_name': {
      // `import a.b` binds `a`; `from m import a` binds `a`; the module part of `from m import` binds nothing.
      const statement = parent.parent;
      const bindsName = (statement?.type === 'import_statement' || statement?.type === 'import_from_statement') && !sameNode(statement.childForFieldName('module_name'), parent);
      return bindsName && sameNode(parent.firstNamedChild, node) ? { kind: 'import', node: target } : undefined;
    }
    case 'function_definition':
      return at('name') ? other : undefined;
    case 'class_definition':
      return at('name') ? { kind: 'class', node: target } : undefined;
    case 'case_pattern':
      return other;
    default:
      return undefined;
  }
}

/**
 * Whether `node`, below `top`, sits in a def, lambda or class (whose code runs at another time, if
 * ever) or in a comprehension that binds `name` itself.
 */
export function inNestedScope(node: Node, name: string, top: Node): boolean {
  for (let current = node.parent; current && !sameNode(current, top); current = current.parent) {
    if (current.type === 'function_definition' || current.type === 'lambda' || current.type === 'class_definition') return true;
    if (COMPREHENSIONS.has(current.type)) {
      const clauses = current.namedChildren.filter((child) => child.type === 'for_in_clause');
      // The first clause's iterable runs in the enclosing scope; everything else sees the comprehension's names.
      if (clauses.length > 0 && isWithin(node, clauses[0].childForFieldName('right'))) continue;
      if (clauses.some((clause) => targetNames(clause.childForFieldName('left')).includes(name))) return true;
    }
  }
  return false;
}

/** A comprehension's `for x in` target: bound in the comprehension, not in the function around it. */
function isComprehensionTarget(identifier: Node): boolean {
  let node = identifier;
  while (node.parent && TARGET_WRAPPERS.has(node.parent.type)) node = node.parent;
  return node.parent?.type === 'for_in_clause' && sameNode(node.parent.childForFieldName('left'), node);
}

export function isWithin(node: Node, container: Node | null | undefined): boolean {
  return !!container && node.startIndex >= container.startIndex && node.endIndex <= container.endIndex;
}

/** Identifiers a loop or assignment target binds: `a`, `a, (b, c)`. */
export function targetNames(target: Node | null): string[] {
  if (!target) return [];
  if (target.type === 'identifier') return [target.text];
  return target.namedChildren.flatMap((child) => targetNames(child));
}

/** Every identifier named `name` inside `node`. */
export function identifiersNamed(node: Node, name: string): Node[] {
  return IDENTIFIERS.captures(node).map((capture) => capture.node).filter((identifier) => identifier.text === name && !isAttributeName(identifier) && !isKeywordName(identifier));
}

function isAttributeName(identifier: Node): boolean {
  return identifier.parent?.type === 'attribute' && sameNode(identifier.parent.childForFieldName('attribute'), identifier);
}

function isKeywordName(identifier: Node): boolean {
  return identifier.parent?.type === 'keyword_argument' && sameNode(identifier.parent.childForFieldName('name'), identifier);
}

/**
 * How each scope of a file binds the names an analysis asks about, found at each name's occurrences
 * in the text: an analysis asks about a few names (what a loop iterates, the models it names), and
 * looking at their occurrences costs far less than finding every binding of the file.
 */
export class Scopes {
  /** name -> scope id -> bindings, in document order. */
  private readonly byName = new Map<string, Map<number, Binding[]>>();

  constructor(private readonly text: string) {}

  /** How `scope` binds `name` (none: an empty list). */
  bindingsOf(scope: Node, name: string): Binding[] {
    let scopes = this.byName.get(name);
    if (!scopes) this.byName.set(name, (scopes = bindingsAt(scope.tree.rootNode, name, wordOccurrences(this.text, name))));
    return scopes.get(scope.id) ?? [];
  }

  /**
   * The scope that binds `name` as read at `node`: its own function, then enclosing functions (class
   * bodies are skipped, as in Python), then the module.
   */
  definingScope(node: Node, name: string): Node | undefined {
    let scope: Node | undefined = scopeOf(node);
    let first = true;
    while (scope) {
      if ((first || scope.type !== 'class_definition') && this.bindingsOf(scope, name).length > 0) return scope;
      if (scope.type === 'module') return undefined;
      first = false;
      scope = scopeOf(scope);
    }
    return undefined;
  }
}

/** The bindings of `name` at its occurrences, by scope: what bindingOf says of each identifier there. */
function bindingsAt(root: Node, name: string, starts: number[]): Map<number, Binding[]> {
  const found = new Map<number, Binding[]>();
  for (const start of starts) {
    const node = root.descendantForIndex(start, start + name.length);
    if (node.type !== 'identifier' || node.startIndex !== start || node.endIndex !== start + name.length) continue;
    const binding = bindingOf(node);
    const scope = binding && bindingScope(node);
    if (!binding || !scope) continue;
    const list = found.get(scope.id) ?? [];
    list.push(binding);
    found.set(scope.id, list);
  }
  return found;
}

/** The scope a binding identifier binds in; undefined for a comprehension's own target. */
function bindingScope(identifier: Node): Node | undefined {
  // A def or class binds its name in the scope around it.
  const definition = identifier.parent;
  if ((definition?.type === 'function_definition' || definition?.type === 'class_definition') && sameNode(definition.childForFieldName('name'), identifier)) {
    return scopeOf(definition);
  }
  return isComprehensionTarget(identifier) ? undefined : scopeOf(identifier);
}
