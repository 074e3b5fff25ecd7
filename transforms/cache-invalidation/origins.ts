// Where a model instance comes from, as the file shows it: `Model.objects.get(...)`,
// `get_object_or_404(Model, ...)`, a loop over a queryset, a parameter annotation, `self` in a method,
// `request.user`. The class stays a name here (ClassRef); analysis resolves it with the index.
import type { Node } from '../../src/parse';
import { sameNode, stringValue } from '../../src/parse';
import type { ClassRef, OriginFact } from './facts';
import { Binding, comprehensionBinding, Scope } from './scope';

/** Manager methods and queryset methods that return one instance. */
const INSTANCE_METHODS = new Set(['get', 'first', 'last', 'latest', 'earliest', 'create', 'get_or_create', 'update_or_create']);
/** ... that return a tuple whose first item is the instance. */
const TUPLE_METHODS = new Set(['get_or_create', 'update_or_create']);
/** Queryset methods that return a queryset of the same model's instances. */
const QUERYSET_METHODS = new Set([
  'all', 'filter', 'exclude', 'order_by', 'select_related', 'prefetch_related', 'only', 'defer', 'using', 'distinct',
  'annotate', 'alias', 'reverse', 'select_for_update', 'iterator', 'none', 'complex_filter', 'extra',
]);
const SHORTCUTS = new Set(['get_object_or_404', 'aget_object_or_404']);

export function short(text: string, limit = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 3)}...`;
}

function line(node: Node): number {
  return node.startPosition.row + 1;
}

function unknown(reason: string): OriginFact {
  return { kind: 'unknown', reason };
}

/** A name whose first letter is upper case, or `get_user_model()`: what a model class looks like where it is used. */
export function classRef(node: Node, scope: Scope, depth = 0): ClassRef | undefined {
  if (node.type === 'call') return modelCallRef(node);
  if (node.type === 'string') {
    const value = stringValue(node);
    return value && /^[\w.]+$/.test(value) ? { text: JSON.stringify(value) } : undefined;
  }
  if (node.type !== 'identifier' && node.type !== 'attribute') return undefined;
  if (!/^[A-Za-z_][\w.]*$/.test(node.text)) return undefined;
  const head = node.text.split('.')[0];
  const found = scope.lookup(head);
  const binding = found?.bindings.length === 1 ? found.bindings[0] : undefined;
  // Function-level imports are not in the index's module bindings: carry them along.
  if (binding?.kind === 'import' && !found!.scope.isModule) return { text: node.text, imported: { module: binding.module, level: binding.level, name: binding.name } };
  if (found && !found.scope.isModule) {
    // `User = get_user_model()` inside the function.
    if (binding?.kind === 'assign' && binding.index === undefined && binding.value.type === 'call' && node.type === 'identifier' && depth < 3) return classRef(binding.value, found.scope, depth + 1);
    return undefined;
  }
  const last = node.text.split('.').pop()!;
  return /^[A-Z]/.test(last) || found?.bindings.some((b) => b.kind === 'assign') ? { text: node.text } : undefined;
}

/** `get_user_model()`, `apps.get_model("app", "Model")`, `apps.get_model("app.Model")`: the model as a label. */
export function modelCallRef(call: Node): ClassRef | undefined {
  const callee = call.childForFieldName('function')?.text ?? '';
  if (/(^|\.)get_user_model$/.test(callee)) return { text: 'get_user_model()' };
  if (!/(^|\.)get_model$/.test(callee)) return undefined;
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((arg) => arg.type !== 'comment').map((arg) => stringValue(arg));
  if (args.some((arg) => arg === undefined)) return undefined;
  const label = args.length === 2 ? `${args[0]}.${args[1]}` : args.length === 1 ? args[0]! : undefined;
  return label && /^\w+\.\w+$/.test(label) ? { text: JSON.stringify(label) } : undefined;
}

/** What a variable holds at `at`: every binding must say the same model. */
export function originOfName(name: string, at: Node, scope: Scope, depth = 0): OriginFact {
  if (depth > 4) return unknown(`djfix stops following assignments of \`${name}\` after a few steps`);
  const comprehension = comprehensionBinding(name, at);
  const found = comprehension ? { scope, bindings: [comprehension] } : scope.lookup(name);
  if (!found) return unknown(`\`${name}\` is not assigned in this file`);
  if (found.scope.isModule) return unknown(`\`${name}\` is a module-level name, not an instance`);
  const origins = found.bindings.map((binding) => originOfBinding(name, binding, found.scope, depth));
  const distinct = new Set(origins.map((origin) => JSON.stringify(origin)));
  if (distinct.size === 1) return origins[0];
  const known = origins.find((origin) => origin.kind === 'unknown');
  return known ?? unknown(`\`${name}\` is assigned ${found.bindings.length} times from different things`);
}

function originOfBinding(name: string, binding: Binding, scope: Scope, depth: number): OriginFact {
  switch (binding.kind) {
    case 'param': {
      if (name === 'self' && scope.className && isFirstParameter(scope, name)) return { kind: 'self', className: scope.className };
      const annotation = binding.annotation && annotationRef(binding.annotation, scope);
      if (annotation) return { kind: 'class', ref: annotation, how: `parameter ${name}: ${binding.annotation!.text}`, line: binding.line };
      return unknown(`\`${name}\` is a parameter of ${scope.displayName}() without a model annotation`);
    }
    case 'assign': {
      if (binding.index !== undefined) {
        const tupleCall = binding.index === 0 ? instanceCall(binding.value, scope, depth, true) : undefined;
        return tupleCall ?? unknown(`\`${name}\` is unpacked from ${short(binding.value.text)}`);
      }
      const origin = instanceFrom(binding.value, scope, depth);
      if (!origin) return unknown(`\`${name}\` is assigned ${short(binding.value.text)} (line ${binding.line}), which djfix does not recognise as a model instance`);
      return origin.kind === 'class' || origin.kind === 'user' || origin.kind === 'accessor' ? { ...origin, how: `${name} = ${short(binding.value.text)}` } : origin;
    }
    case 'for': {
      if (binding.index !== undefined) return unknown(`\`${name}\` is unpacked in a loop over ${short(binding.iterable.text)}`);
      const origin = querysetOf(binding.iterable, scope, depth);
      if (!origin) return unknown(`\`${name}\` loops over ${short(binding.iterable.text)}, which djfix cannot tie to a model`);
      return origin.kind === 'class' || origin.kind === 'accessor' ? { ...origin, how: `for ${name} in ${short(binding.iterable.text)}`, line: binding.line } : origin;
    }
    default:
      return unknown(`\`${name}\` is bound in a way djfix does not follow (line ${binding.line})`);
  }
}

function isFirstParameter(scope: Scope, name: string): boolean {
  const first = scope.node.childForFieldName('parameters')?.namedChildren[0];
  return first?.type === 'identifier' && first.text === name;
}

/** `Product`, `"Product"`, `Optional[Product]`, `Product | None`. */
function annotationRef(annotation: Node, scope: Scope): ClassRef | undefined {
  let node = annotation.type === 'type' ? annotation.firstNamedChild : annotation;
  if (!node) return undefined;
  if (node.type === 'generic_type' || node.type === 'subscript') {
    const head = node.firstNamedChild?.text ?? '';
    const args = node.type === 'subscript' ? [node.childForFieldName('subscript')] : node.namedChildren.find((child) => child.type === 'type_parameter')?.namedChildren ?? [];
    if (!/(^|\.)Optional$/.test(head) || args.length !== 1 || !args[0]) return undefined;
    node = args[0].type === 'type' ? args[0].firstNamedChild : args[0];
  } else if (node.type === 'binary_operator' && node.child(1)?.type === '|') {
    const sides = [node.childForFieldName('left'), node.childForFieldName('right')];
    const model = sides.filter((side) => side && side.text !== 'None');
    if (model.length !== 1) return undefined;
    node = model[0];
  }
  if (!node) return undefined;
  if (node.type === 'string') {
    const value = stringValue(node);
    return value && /^[\w.]+$/.test(value) ? classRefOfText(value, scope) : undefined;
  }
  return classRef(node, scope);
}

function classRefOfText(text: string, scope: Scope): ClassRef | undefined {
  const found = scope.lookup(text.split('.')[0]);
  if (found?.bindings.length === 1 && found.bindings[0].kind === 'import' && !found.scope.isModule) {
    const binding = found.bindings[0];
    return { text, imported: { module: binding.module, level: binding.level, name: binding.name } };
  }
  return { text };
}

/** An expression that evaluates to one model instance. */
function instanceFrom(value: Node, scope: Scope, depth: number): OriginFact | undefined {
  if (value.type === 'attribute' && isRequestUser(value, scope)) return { kind: 'user', how: value.text, line: line(value) };
  if (value.type === 'identifier') {
    const origin = originOfName(value.text, value, scope, depth + 1);
    return origin.kind === 'unknown' ? undefined : origin;
  }
  if (value.type === 'subscript') {
    const index = value.childForFieldName('subscript');
    if (index?.type !== 'integer') return undefined;
    const origin = querysetOf(value.childForFieldName('value')!, scope, depth);
    return origin?.kind === 'class' ? { ...origin, how: short(value.text), line: line(value) } : origin;
  }
  if (value.type === 'await') return value.firstNamedChild ? instanceFrom(value.firstNamedChild, scope, depth) : undefined;
  if (value.type === 'call') return instanceCall(value, scope, depth, false);
  return undefined;
}

/** `Model.objects.get(...)`, `qs.first()`, `get_object_or_404(Model, ...)`, `Model(...)`. */
function instanceCall(call: Node, scope: Scope, depth: number, tuple: boolean): OriginFact | undefined {
  if (call.type !== 'call') return undefined;
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const how = short(call.text);
  if (callee.type === 'identifier' && SHORTCUTS.has(callee.text) && !tuple) {
    const first = call.childForFieldName('arguments')?.namedChildren.find((arg) => arg.type !== 'keyword_argument' && arg.type !== 'comment');
    if (!first) return undefined;
    const ref = classRef(first, scope);
    if (ref) return { kind: 'class', ref, how, line: line(call) };
    const origin = querysetOf(first, scope, depth);
    return origin?.kind === 'class' ? { ...origin, how, line: line(call) } : origin;
  }
  if (callee.type === 'attribute') {
    const written = callee.childForFieldName('attribute')?.text ?? '';
    // The async variants (`aget`, `afirst`, `aget_or_create`) return the same.
    const method = written.startsWith('a') && INSTANCE_METHODS.has(written.slice(1)) ? written.slice(1) : written;
    if (!INSTANCE_METHODS.has(method) || TUPLE_METHODS.has(method) !== tuple) return undefined;
    const origin = querysetOf(callee.childForFieldName('object')!, scope, depth);
    return origin?.kind === 'class' ? { ...origin, how, line: line(call) } : origin;
  }
  if (!tuple) {
    const ref = classRef(callee, scope);
    // A constructor call: only a class can be called like this with a capitalised name.
    if (ref && /^[A-Z]/.test(callee.text.split('.').pop()!)) return { kind: 'class', ref, how, line: line(call) };
  }
  return undefined;
}

/**
 * The model of a queryset expression: `Model.manager` followed by queryset methods, a name assigned
 * one, or `instance.relation.all()`. `.values()` and the like give dicts, not instances: undefined.
 */
export function querysetOf(node: Node, scope: Scope, depth: number): OriginFact | undefined {
  if (depth > 6) return undefined;
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    if (callee?.type !== 'attribute') return undefined;
    const method = callee.childForFieldName('attribute')?.text ?? '';
    if (!QUERYSET_METHODS.has(method)) return undefined;
    return querysetOf(callee.childForFieldName('object')!, scope, depth + 1);
  }
  if (node.type === 'subscript' && node.childForFieldName('subscript')?.type === 'slice') return querysetOf(node.childForFieldName('value')!, scope, depth + 1);
  if (node.type === 'identifier') {
    const found = scope.lookup(node.text);
    if (!found || found.scope.isModule || found.bindings.length !== 1 || found.bindings[0].kind !== 'assign' || found.bindings[0].index !== undefined) return undefined;
    return querysetOf(found.bindings[0].value, found.scope, depth + 1);
  }
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object')!;
    const attribute = node.childForFieldName('attribute')!.text;
    // `instance.relation`: the object is a local variable (or self), not a class.
    if (object.type === 'identifier' && isLocal(object.text, scope)) {
      const base = originOfName(object.text, object, scope, depth + 1);
      return base.kind === 'unknown' ? undefined : { kind: 'accessor', base, attribute, how: short(node.text), line: line(node) };
    }
    const ref = classRef(object, scope);
    return ref ? { kind: 'class', ref, manager: attribute, how: short(node.text), line: line(node) } : undefined;
  }
  return undefined;
}

export function isLocal(name: string, scope: Scope): boolean {
  const found = scope.lookup(name);
  return found !== undefined && !found.scope.isModule && found.bindings.every((binding) => binding.kind !== 'import' && binding.kind !== 'def');
}

/** `request.user` with `request` a parameter, or `self.request.user` in a method. */
export function isRequestUser(node: Node, scope: Scope): boolean {
  if (node.type !== 'attribute' || node.childForFieldName('attribute')?.text !== 'user') return false;
  const object = node.childForFieldName('object')!;
  if (object.type === 'identifier' && object.text === 'request') return scope.lookup('request')?.bindings.some((binding) => binding.kind === 'param') ?? false;
  return object.type === 'attribute' && object.text === 'self.request' && scope.className !== undefined;
}

const PK_LOOKUP = /^(pk|id)(__exact)?$/;

/**
 * A variable that holds an instance's pk: `product_id` in `Product.objects.get(pk=product_id)` or
 * `get_object_or_404(Product, id=product_id)` in the same function. The instance is the variable the
 * lookup is assigned to, if any. Undefined when the lookups disagree about the model.
 */
export function pkAlias(name: string, scope: Scope): { instance: string; origin: OriginFact; attribute: 'pk' | 'id' } | undefined {
  const own = scope.lookup(name);
  if (!own || own.scope.isModule || own.bindings.length !== 1 || !['param', 'assign'].includes(own.bindings[0].kind)) return undefined;
  const fn = own.scope.node;
  const found: Array<{ instance: string; origin: OriginFact; attribute: 'pk' | 'id' }> = [];
  for (const argument of fn.descendantsOfType('keyword_argument')) {
    const lookup = argument.childForFieldName('name')?.text ?? '';
    const value = argument.childForFieldName('value');
    if (!PK_LOOKUP.test(lookup) || value?.type !== 'identifier' || value.text !== name) continue;
    const call = argument.parent?.parent;
    if (call?.type !== 'call' || !sameNode(enclosingScopeNode(call), fn)) continue;
    const origin = lookupModel(call, own.scope);
    if (origin?.kind !== 'class') continue;
    found.push({ instance: assignedTo(call) ?? name, origin: { ...origin, how: `${name} is the ${lookup} looked up in ${short(call.text)}`, line: line(call) }, attribute: lookup.startsWith('pk') ? 'pk' : 'id' });
  }
  if (found.length === 0) return undefined;
  const models = new Set(found.map((item) => JSON.stringify(item.origin.kind === 'class' ? item.origin.ref : null)));
  return models.size === 1 ? found.find((item) => item.instance !== name) ?? found[0] : undefined;
}

function enclosingScopeNode(node: Node): Node | null {
  return node.closest(['function_definition', 'class_definition']);
}

/** The model a lookup call queries: `get_object_or_404(Model, ...)`, `Model.objects.filter(...)`. */
function lookupModel(call: Node, scope: Scope): OriginFact | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'identifier' && SHORTCUTS.has(callee.text)) {
    const first = call.childForFieldName('arguments')?.namedChildren.find((arg) => arg.type !== 'keyword_argument' && arg.type !== 'comment');
    if (!first) return undefined;
    const ref = classRef(first, scope);
    return ref ? { kind: 'class', ref, how: '', line: line(call) } : querysetOf(first, scope, 0);
  }
  if (callee?.type !== 'attribute') return undefined;
  return querysetOf(callee.childForFieldName('object')!, scope, 0);
}

/** The variable a call chain's result is assigned to: `product` in `product = Product.objects.filter(pk=pk).first()`. */
function assignedTo(call: Node): string | undefined {
  let node = call;
  for (let parent = node.parent; parent; node = parent, parent = node.parent) {
    if (parent.type === 'attribute') {
      // Only through methods that keep instances: `.values_list(...).first()` is not an instance.
      const method = parent.childForFieldName('attribute')?.text ?? '';
      if (!QUERYSET_METHODS.has(method) && !INSTANCE_METHODS.has(method)) return undefined;
    } else if (!['call', 'await', 'subscript'].includes(parent.type)) break;
  }
  const assignment = node.parent;
  const left = assignment?.type === 'assignment' && assignment.childForFieldName('right')?.id === node.id ? assignment.childForFieldName('left') : undefined;
  return left?.type === 'identifier' ? left.text : undefined;
}
