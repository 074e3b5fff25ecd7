// Database writes inside a loop. Loading relations before the loop instead of row by row changes
// what the loop sees when it writes to those same tables: two rows sharing a product each get their
// own copy loaded up front, so `line.product.save()` on the second undoes the first, and a prefetched
// `order.lines.all()` does not see a line created a moment before. Writes djfix can attribute to a
// model are found here; the transform holds back when one touches a model it would load.
import type { Node } from '../../src/parse';
import { query } from '../../src/parse';
import type { ModelInfo, ProjectIndex } from '../../src/project/index';
import { unwind } from './chains';
import type { Names } from './names';
import { resolveAttribute } from './relations';

export interface Write {
  call: Node;
  method: string;
  /** The model written to; undefined when it is a model djfix cannot resolve. */
  model?: ModelInfo;
  /** Deletes the row itself, and with it (by cascade) related rows. */
  cascades: boolean;
}

const WRITES = query(`(call function: (attribute attribute: (identifier) @method
  (#match? @method "^(save|delete|create|get_or_create|update_or_create|bulk_create|bulk_update|update|add|remove|clear|set)$"))) @call`);
/** Methods that only write when called on a related manager or a queryset (dicts, sets and lists have them too). */
const MANAGER_ONLY = new Set(['update', 'add', 'remove', 'clear', 'set']);

/**
 * Writes in `regions` made through a loop row (`line.product.save()`, `order.lines.create()`, the row's
 * own `delete()`) or through a model's manager (`Product.objects.filter(...).update()`).
 */
export function findWrites(regions: Node[], rows: Map<string, ModelInfo>, names: Names, index: ProjectIndex): Write[] {
  const writes: Write[] = [];
  for (const region of regions) {
    for (const match of WRITES.matches(region)) {
      const call = match.captures.find((capture) => capture.name === 'call')!.node;
      const method = match.captures.find((capture) => capture.name === 'method')!.node.text;
      const receiver = call.childForFieldName('function')!.childForFieldName('object')!;
      const write = writeThrough(receiver, method, rows, names, index);
      if (write) writes.push({ call, method, ...write });
    }
  }
  return writes;
}

function writeThrough(receiver: Node, method: string, rows: Map<string, ModelInfo>, names: Names, index: ProjectIndex): Omit<Write, 'call' | 'method'> | undefined {
  const { base, calls } = unwind(receiver);
  const attributes: string[] = [];
  let root = base;
  while (root.type === 'attribute') {
    attributes.unshift(root.childForFieldName('attribute')!.text);
    root = root.childForFieldName('object')!;
  }
  const row = (root.type === 'identifier' ? rows.get(root.text) : undefined) ?? names.instance(root)?.model;
  if (row) {
    let model = row;
    let manager = false;
    for (const name of attributes) {
      const resolved = resolveAttribute(index, model, name);
      if (resolved.kind !== 'relation' || !resolved.step.target) return undefined;
      model = resolved.step.target;
      manager = !resolved.step.single;
    }
    if (MANAGER_ONLY.has(method) && !manager) return undefined;
    return { model, cascades: method === 'delete' && attributes.length === 0 && calls.length === 0 };
  }
  // `Model.objects...` (any attribute after a model): a write through its manager.
  if (base.type !== 'attribute' || attributes.length === 0) return undefined;
  const owner = base.childForFieldName('object')!;
  const model = names.model(owner);
  if (model) return { model, cascades: false };
  // An unresolved `X.objects` is a manager of a model djfix does not know.
  return base.childForFieldName('attribute')!.text === 'objects' ? { model: undefined, cascades: false } : undefined;
}
