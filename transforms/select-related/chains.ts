// Queryset chains as text: `Order.objects.filter(...).order_by(...)[:10]` taken apart into the
// expression it starts from and the method calls applied to it, what those calls make of the rows,
// and which relations their select_related / prefetch_related calls already load.
import type { Node } from '../../src/parse';
import { stringValue } from '../../src/parse';

export interface ChainCall {
  name: string;
  call: Node;
  args: Node;
}

export interface Unwound {
  /** What the calls apply to: `Order.objects`, `order.lines`, a variable, ... */
  base: Node;
  calls: ChainCall[];
}

/** QuerySet methods that return a QuerySet of the same model instances. */
const INSTANCE_METHODS = new Set([
  'all', 'filter', 'exclude', 'order_by', 'reverse', 'distinct', 'annotate', 'alias', 'select_related', 'prefetch_related',
  'using', 'extra', 'none', 'complex_filter', 'select_for_update', 'defer', 'only',
]);
/** Methods whose rows are dicts, tuples or dates: nothing to follow relations on. */
const ROW_METHODS = new Set(['values', 'values_list', 'dates', 'datetimes']);
const COMBINATORS = new Set(['union', 'intersection', 'difference']);

export type Shape =
  | { kind: 'instances' }
  | { kind: 'rows'; call: ChainCall }
  /** A method djfix cannot vouch for: a custom manager or queryset method, a combinator, raw(). */
  | { kind: 'opaque'; call: ChainCall; why: string };

/** Takes calls and subscripts off an expression, outermost last. */
export function unwind(expression: Node): Unwound {
  const calls: ChainCall[] = [];
  let node = expression;
  for (;;) {
    if (node.type === 'parenthesized_expression' && node.namedChildren.length === 1) {
      node = node.namedChildren[0];
      continue;
    }
    const callee = node.type === 'call' ? node.childForFieldName('function') : null;
    const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    if (callee && object) {
      calls.unshift({ name: callee.childForFieldName('attribute')!.text, call: node, args: node.childForFieldName('arguments')! });
      node = object;
      continue;
    }
    if (node.type === 'subscript') {
      node = node.childForFieldName('value')!;
      continue;
    }
    return { base: node, calls };
  }
}

/**
 * What iterating the result of these calls yields. `iterator()` is fine as the last of the calls the
 * loop iterates, not among `conditional` ones (`qs = qs.filter(...)` elsewhere).
 */
export function shapeOf(calls: ChainCall[], conditional: ChainCall[] = []): Shape {
  for (const [i, call] of [...calls, ...conditional].entries()) {
    if (ROW_METHODS.has(call.name)) return { kind: 'rows', call };
    if (INSTANCE_METHODS.has(call.name) || (call.name === 'iterator' && i === calls.length - 1)) continue;
    if (COMBINATORS.has(call.name)) return { kind: 'opaque', call, why: `${call.name}() combines querysets, and each would need the same select_related` };
    if (call.name === 'iterator') return { kind: 'opaque', call, why: 'iterator() is followed by more calls or reassignments djfix cannot order' };
    if (call.name === 'raw') return { kind: 'opaque', call, why: 'raw() returns a RawQuerySet, which has no select_related' };
    return { kind: 'opaque', call, why: `${call.name}() is not a QuerySet method djfix knows: a custom manager or queryset method may return anything` };
  }
  return { kind: 'instances' };
}

export function argumentsOf(call: ChainCall): Node[] {
  return call.args.namedChildren.filter((arg) => arg.type !== 'comment');
}

export function keywordArgument(call: ChainCall, name: string): Node | undefined {
  const found = argumentsOf(call).find((arg) => arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === name);
  return found?.childForFieldName('value') ?? undefined;
}

/** Lookups that select_related / prefetch_related calls of a chain already load, as `a__b` strings. */
export interface Coverage {
  paths: Set<string>;
}

export function coverageOf(calls: ChainCall[]): Coverage {
  const coverage: Coverage = { paths: new Set() };
  for (const call of calls) {
    if (call.name !== 'select_related' && call.name !== 'prefetch_related') continue;
    for (const arg of argumentsOf(call)) for (const path of lookupsOf(arg)) coverage.paths.add(path);
  }
  return coverage;
}

/** `"a__b"`, and `Prefetch("a", queryset=X.objects.select_related("b"))` (without to_attr) as `a` and `a__b`. */
function lookupsOf(arg: Node): string[] {
  const literal = stringValue(arg);
  if (literal !== undefined) return [literal];
  const callee = arg.type === 'call' ? arg.childForFieldName('function') : null;
  if (!callee || !/(^|\.)Prefetch$/.test(callee.text)) return [];
  const call: ChainCall = { name: 'Prefetch', call: arg, args: arg.childForFieldName('arguments')! };
  const first = argumentsOf(call)[0];
  const lookup = first && stringValue(first);
  if (!lookup || keywordArgument(call, 'to_attr')) return [];
  const queryset = keywordArgument(call, 'queryset') ?? argumentsOf(call)[1];
  const inner = queryset && queryset.type !== 'keyword_argument' ? [...coverageOf(unwind(queryset).calls).paths] : [];
  return [lookup, ...inner.map((path) => `${lookup}__${path}`)];
}

/** Whether `path` (`a__b`) is loaded by a covered lookup: itself or one that goes further. */
export function isCovered(coverage: Coverage, path: string): boolean {
  for (const covered of coverage.paths) if (covered === path || covered.startsWith(`${path}__`)) return true;
  return false;
}

/** `Order.objects.filter(...).order_by(...)`: the chain as a reader recognises it, arguments elided. */
export function describeChain(expression: Node): string {
  const { base, calls } = unwind(expression);
  const head = base.text.replace(/\s+/g, '');
  return head + calls.map((call) => `.${call.name}(${argumentsOf(call).length > 0 ? '...' : ''})`).join('') + (expression.type === 'subscript' ? '[...]' : '');
}
