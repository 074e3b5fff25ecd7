// What a cached value is computed from: the expressions that flow into it inside the function (a
// backward slice over local names, through assignments, loops and `append`/`update` calls), and in
// them the uses of the key's instance and the queries on models. A value that uses neither (a counter,
// a timestamp) is not model data, and no save should clear it.
import type { Node } from '../../src/parse';
import { query } from '../../src/parse';
import { cacheTarget } from './cache-refs';
import type { QueryFact, ValueFact } from './facts';
import { classRef, modelCallRef, short } from './origins';
import { comprehensionBinding, Scope, scopeOwner } from './scope';

const IDENTIFIERS = query('(identifier) @name', 'collect');
const MUTATIONS = query(`[
  (call function: (attribute object: (identifier) @object attribute: (identifier) @method) arguments: (argument_list) @value)
  (assignment left: (subscript value: (identifier) @object) right: (_) @value)
]`, 'collect');
// Two patterns, not one alternation: a predicate inside an alternation applies to every branch.
const QUERIES = query(`
  (call function: (attribute object: (attribute object: [(identifier) (attribute) (call)] @class attribute: (identifier) @manager))) @call
  (call function: (identifier) @shortcut (#match? @shortcut "^a?get_(object|list)_or_404$")) @call
`, 'collect');
const MUTATORS = new Set(['append', 'extend', 'update', 'add', 'insert', 'setdefault', 'appendleft']);
const PK_VALUE = /^(pk|id)$/;

export interface InstanceNames {
  /** The variable holding the instance, `self`, or `request.user`. */
  instance: string;
  /** A variable holding its pk. */
  pkName?: string;
  /** The key variable: following it would lead back to the key's own instance. */
  key?: string;
}

export function analyzeValue(value: Node, names: InstanceNames, scope: Scope): ValueFact {
  const fact: ValueFact = { usesInstance: false, whole: false, reads: [], queries: [] };
  const seen = new Set<string>([names.instance, ...(names.pkName ? [names.pkName] : []), ...(names.key ? [names.key] : [])]);
  const pending: Node[] = [value];
  const visited = new Set<number>();
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (visited.has(node.id)) continue;
    visited.add(node.id);
    if (isCacheRead(node, scope)) continue;
    recordInstanceUses(node, names, scope, fact);
    recordQueries(node, names, scope, fact);
    for (const { node: identifier } of IDENTIFIERS.captures(node)) {
      const name = identifier.text;
      if (seen.has(name) || !isNameUse(identifier) || insideCacheRead(identifier, node, scope)) continue;
      seen.add(name);
      const comprehension = comprehensionBinding(name, identifier);
      const found = comprehension ? { scope, bindings: [comprehension] } : scope.lookup(name);
      if (!found || found.scope.isModule) continue;
      for (const binding of found.bindings) {
        if (binding.kind === 'assign' || binding.kind === 'augment') pending.push(binding.value);
        else if (binding.kind === 'for') pending.push(binding.iterable);
      }
      pending.push(...mutationsOf(name, found.scope));
    }
  }
  return fact;
}

/** An identifier that names a variable (not an attribute or a keyword argument's name). */
function isNameUse(identifier: Node): boolean {
  const parent = identifier.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === identifier.id) return false;
  if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === identifier.id) return false;
  return true;
}

/** `cache.get(key)`: reading the cache back is not model data. */
function isCacheRead(node: Node, scope: Scope): boolean {
  if (node.type !== 'call') return false;
  const callee = node.childForFieldName('function');
  return callee?.type === 'attribute' && /^(get|get_many|has_key)$/.test(callee.childForFieldName('attribute')?.text ?? '') && cacheTarget(callee.childForFieldName('object')!, scope) !== undefined;
}

function insideCacheRead(identifier: Node, top: Node, scope: Scope): boolean {
  for (let node = identifier.parent; node && node.id !== top.id; node = node.parent) if (isCacheRead(node, scope)) return true;
  return false;
}

const mutationCache = new WeakMap<Scope, Map<string, Node[]>>();

function mutationsOf(name: string, scope: Scope): Node[] {
  let byName = mutationCache.get(scope);
  if (!byName) {
    byName = new Map();
    for (const match of MUTATIONS.matches(scope.node)) {
      const object = match.captures.find((capture) => capture.name === 'object')!.node;
      const method = match.captures.find((capture) => capture.name === 'method')?.node;
      const value = match.captures.find((capture) => capture.name === 'value')!.node;
      if (method && !MUTATORS.has(method.text)) continue;
      const owner = scopeOwner(object);
      if (owner?.id !== scope.node.id && !(scope.isModule && owner === null)) continue;
      const list = byName.get(object.text) ?? [];
      list.push(value);
      byName.set(object.text, list);
    }
    mutationCache.set(scope, byName);
  }
  return byName.get(name) ?? [];
}

function isInstance(node: Node, names: InstanceNames): boolean {
  return node.text === names.instance && (node.type === 'identifier' || node.type === 'attribute');
}

function recordInstanceUses(top: Node, names: InstanceNames, scope: Scope, fact: ValueFact): void {
  const uses = names.instance.includes('.') ? top.descendantsOfType('attribute').filter((node) => node.text === names.instance) : IDENTIFIERS.captures(top).map((capture) => capture.node).filter((node) => node.text === names.instance && isNameUse(node));
  for (const { node } of IDENTIFIERS.captures(top)) {
    if (!names.pkName || node.text !== names.pkName || !isNameUse(node) || insideCacheRead(node, top, scope)) continue;
    fact.usesInstance = true;
    if (!isLookupValue(node)) fact.whole = true;
  }
  for (const use of uses) {
    if (insideCacheRead(use, top, scope)) continue;
    fact.usesInstance = true;
    // `filter(customer=c)`, `filter(customer_id=c.pk)`: the instance picks rows, its own data is not read.
    if (isLookupValue(use)) continue;
    const parent = use.parent;
    if (parent?.type !== 'attribute' || parent.childForFieldName('object')?.id !== use.id) {
      fact.whole = true;
      continue;
    }
    if (isLookupValue(parent)) continue;
    const attribute = parent.childForFieldName('attribute')!.text;
    const chained = parent.parent?.type === 'attribute' && parent.parent.childForFieldName('object')?.id === parent.id;
    const line = parent.startPosition.row + 1;
    if (!fact.reads.some((read) => read.attribute === attribute && read.chained === chained)) fact.reads.push({ attribute, chained, line });
  }
}

const LOOKUP_METHODS = new Set(['filter', 'exclude', 'get', 'get_or_create', 'update_or_create', 'create', 'count', 'exists', 'first', 'last', 'aggregate', 'annotate']);

/** The value of a lookup in a queryset call: `c` in `Order.objects.filter(customer=c)`, or a shortcut's. */
function isLookupValue(node: Node): boolean {
  const argument = node.parent;
  if (argument?.type !== 'keyword_argument' || argument.childForFieldName('value')?.id !== node.id) return false;
  const callee = argument.parent?.parent?.childForFieldName('function');
  if (callee?.type === 'identifier') return /^a?get_(object|list)_or_404$/.test(callee.text);
  return callee?.type === 'attribute' && LOOKUP_METHODS.has(callee.childForFieldName('attribute')?.text ?? '');
}

/** Whether an expression is the instance, its pk, or a variable holding its pk. */
function mentionsInstance(node: Node, names: InstanceNames): boolean {
  if (isInstance(node, names) || (names.pkName && node.type === 'identifier' && node.text === names.pkName)) return true;
  if (node.type === 'attribute' && PK_VALUE.test(node.childForFieldName('attribute')?.text ?? '')) return isInstance(node.childForFieldName('object')!, names);
  return false;
}

/** Queries in the value: `Model.manager.<methods>(...)` and `get_object_or_404(Model, ...)`. */
function recordQueries(top: Node, names: InstanceNames, scope: Scope, fact: ValueFact): void {
  for (const match of QUERIES.matches(top)) {
    const call = match.captures.find((capture) => capture.name === 'call')!.node;
    const line = call.startPosition.row + 1;
    const shortcut = match.captures.find((capture) => capture.name === 'shortcut');
    if (shortcut) {
      const first = call.childForFieldName('arguments')?.namedChildren.find((arg) => arg.type !== 'keyword_argument' && arg.type !== 'comment');
      const ref = first && classRef(first, scope);
      if (ref) addQuery(fact, { ref, manager: '_default_manager', ...lookupsOf([call], names), text: short(call.text), line });
      continue;
    }
    const object = match.captures.find((capture) => capture.name === 'class')!.node;
    const ref = object.type === 'call' ? modelCallRef(object) : classRef(object, scope);
    if (!ref) continue;
    const chain: Node[] = [];
    for (let node: Node | null = call; node && (node.type === 'call' || node.type === 'attribute'); node = node.parent) if (node.type === 'call') chain.push(node);
    const manager = match.captures.find((capture) => capture.name === 'manager')!.node.text;
    addQuery(fact, { ref, manager, ...lookupsOf(chain, names), text: short(chain[chain.length - 1].text), line });
  }
}

function lookupsOf(calls: Node[], names: InstanceNames): Pick<QueryFact, 'lookups' | 'untied'> {
  const lookups: string[] = [];
  let untied = false;
  for (const call of calls) {
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg.type !== 'keyword_argument') continue;
      const value = arg.childForFieldName('value')!;
      if (mentionsInstance(value, names)) lookups.push(arg.childForFieldName('name')!.text);
      else if (value.descendantsOfType('identifier').some((id) => id.text === names.instance)) untied = true;
    }
  }
  return { lookups, untied };
}

function addQuery(fact: ValueFact, query: QueryFact): void {
  if (!fact.queries.some((known) => known.line === query.line && known.text === query.text)) fact.queries.push(query);
}
