// What a loop does with its rows' relations: every `row.a.b` read through single-valued relations,
// every many-valued relation it evaluates (`row.lines.all()` iterated, `len()`, `.count()`), followed
// into nested loops over those relations, and what it cannot be helped with (`row.lines.filter(...)`,
// relations to models outside the project).
import type { Node } from '../../src/parse';
import type { ModelInfo, ProjectIndex } from '../../src/project/index';
import { Loop, loopOver } from './loops';
import { RelationStep, resolveAttribute } from './relations';
import { sameNode } from '../../src/parse';
import { bindingOf, identifiersNamed, inNestedScope } from './scope';

export interface Read {
  /** The relations from the loop's row to what is read, e.g. `customer`, `user`. */
  steps: RelationStep[];
  /** The expression that reads the last step: `order.customer.user`, `order.lines.all()`. */
  node: Node;
  /** How many of the steps lead to the variable the expression starts from (a nested loop's `line`). */
  base: number;
}

/** A many-valued relation queried anew per row (`category.products.filter(...)`): no plain prefetch serves it. */
export interface Bypass extends Read {
  method: string;
}

/** A relation to a model the project index does not hold. */
export interface Unresolved {
  steps: RelationStep[];
  name: string;
  describe: string;
  node: Node;
  base: number;
}

export interface LoopUse {
  reads: Read[];
  bypasses: Bypass[];
  unresolved: Unresolved[];
  /** Relations the loop assigns (`order.customer = ...`), as lookups: what it reads of them is not fetched. */
  assigned: Set<string>;
  /** Where the loop variable is bound again inside the loop. */
  rebinding?: Node;
  /** Names bound to rows in the loop (the variable and those of nested loops over its relations), with their models. */
  rows: Map<string, ModelInfo>;
}

/** Manager and QuerySet calls served by the prefetch cache. */
const CACHED = new Set(['count', 'exists']);
/** Calls that build a new query on a relation however it was prefetched. */
const REQUERY = new Set(['filter', 'exclude', 'annotate', 'alias', 'order_by', 'distinct', 'values', 'values_list', 'select_related', 'prefetch_related', 'only', 'defer']);

function lookupOf(steps: RelationStep[]): string {
  return steps.map((step) => step.name).join('__');
}

export class Uses {
  constructor(private readonly index: ProjectIndex) {}

  collect(loop: Loop, model: ModelInfo): LoopUse {
    const use: LoopUse = { reads: [], bypasses: [], unresolved: [], assigned: new Set(), rows: new Map([[loop.variable.text, model]]) };
    use.rebinding = this.walk(loop.variable.text, model, loop.regions, [], use);
    return use;
  }

  /** Follows every use of `name` in the regions; returns where it is first bound again, if it is. */
  private walk(name: string, model: ModelInfo, regions: Node[], steps: RelationStep[], use: LoopUse): Node | undefined {
    let rebinding: Node | undefined;
    for (const region of regions) {
      for (const identifier of identifiersNamed(region, name)) {
        if (inNestedScope(identifier, name, region)) continue;
        if (bindingOf(identifier)) rebinding ??= identifier;
        else this.follow(identifier, model, steps, steps.length, use);
      }
    }
    return rebinding;
  }

  private follow(node: Node, model: ModelInfo, steps: RelationStep[], base: number, use: LoopUse): void {
    const attribute = node.parent;
    if (attribute?.type !== 'attribute' || !sameNode(attribute.childForFieldName('object'), node)) return;
    const name = attribute.childForFieldName('attribute')!.text;
    if (bindingOf(attribute)) {
      use.assigned.add(lookupOf(steps) + (steps.length > 0 ? '__' : '') + name.replace(/_id$/, ''));
      return;
    }
    const resolved = resolveAttribute(this.index, model, name);
    if (resolved.kind === 'unknown-model') use.unresolved.push({ steps, name, describe: resolved.describe, node: attribute, base });
    if (resolved.kind !== 'relation') return;
    const path = [...steps, resolved.step];
    if (!resolved.step.single) {
      this.manager(attribute, path, base, use);
      return;
    }
    use.reads.push({ steps: path, node: attribute, base });
    if (resolved.step.target) this.follow(attribute, resolved.step.target, path, base, use);
  }

  /** `row.lines` used: `.all()` evaluated or iterated, `.count()`, `.exists()`, or re-queried. */
  private manager(manager: Node, path: RelationStep[], base: number, use: LoopUse): void {
    const method = calledMethod(manager);
    if (!method) return;
    if (CACHED.has(method.name)) use.reads.push({ steps: path, node: method.call, base });
    if (REQUERY.has(method.name)) use.bypasses.push({ steps: path, node: method.call, base, method: method.name });
    if (method.name !== 'all') return;
    const then = calledMethod(method.call);
    if (then && REQUERY.has(then.name)) {
      use.bypasses.push({ steps: path, node: then.call, base, method: then.name });
      return;
    }
    if (then && !CACHED.has(then.name)) return;
    use.reads.push({ steps: path, node: then?.call ?? method.call, base });
    const nested = then ? undefined : loopOver(method.call);
    const target = path[path.length - 1].target;
    if (!nested || !target) return;
    // Reads in a nested loop over the relation extend its lookup (`lines__product`); they count only
    // if the nested loop keeps its variable.
    const inner: LoopUse = { reads: [], bypasses: [], unresolved: [], assigned: new Set(), rows: new Map() };
    if (this.walk(nested.variable.text, target, nested.regions, path, inner)) return;
    use.reads.push(...inner.reads);
    use.bypasses.push(...inner.bypasses);
    use.unresolved.push(...inner.unresolved);
    for (const lookup of inner.assigned) use.assigned.add(lookup);
    use.rows.set(nested.variable.text, target);
    for (const [name, model] of inner.rows) use.rows.set(name, model);
  }
}

/** `<object>.name(...)`: the method called on `object`, if that is what happens to it. */
export function calledMethod(object: Node): { name: string; call: Node } | undefined {
  const attribute = object.parent;
  const call = attribute?.parent;
  if (attribute?.type !== 'attribute' || !sameNode(attribute.childForFieldName('object'), object)) return undefined;
  if (call?.type !== 'call' || !sameNode(call.childForFieldName('function'), attribute)) return undefined;
  return { name: attribute.childForFieldName('attribute')!.text, call };
}
