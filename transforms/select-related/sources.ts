// Where a loop's rows come from, when djfix can prove it: a queryset chain that starts at a model's
// manager (inline, or through a local variable assigned once), or a related manager of one instance
// (`order.lines.all()` after `order = Order.objects.get(...)`). A loop over a relation of an enclosing
// loop's row is not a source of its own: its reads extend the outer loop's lookups.
import type { Node } from '../../src/parse';
import type { ModelInfo, ProjectIndex } from '../../src/project/index';
import { ChainCall, describeChain, unwind } from './chains';
import { Loop, passThrough } from './loops';
import type { Names } from './names';
import { resolveAttribute } from './relations';
import { calledMethod } from './reads';
import { bindingOf, COMPREHENSIONS, identifiersNamed, isWithin, scopeOf, targetNames } from './scope';

const COMBINATORS = new Set(['union', 'intersection', 'difference']);
const CONFLICTING = new Set(['only', 'defer', ...COMBINATORS]);

/** A use of a queryset variable elsewhere that the new lookups could break: `.only()`, `.defer()`, a combinator. */
export interface VariableUse {
  variable: string;
  node: Node;
  method: string;
}

export interface Chain {
  model: ModelInfo;
  /** The manager the chain starts from (`Order.objects`, `order.lines`): new calls go right after it. */
  manager: Node;
  /** The calls every row goes through, in order: those of the variable's assignment, then the loop's own. */
  calls: ChainCall[];
  /** Calls of `qs = qs.filter(...)` reassignments, which may or may not run before the loop. */
  conditional: ChainCall[];
  /** `Order.objects.filter(...)`, or `users (User.objects.all(), line 9)`. */
  describe: string;
  /** For a variable: a use elsewhere that select_related / prefetch_related would conflict with. */
  conflictingUse?: VariableUse;
}

export type Source =
  | { kind: 'queryset'; chain: Chain }
  /** A related manager of one instance; `prefetchedBy` is a prefetch_related the instance was fetched with. */
  | { kind: 'instance'; chain: Chain; owner: string; prefetchedBy?: ChainCall }
  /** `self.lines.all()` in a model method: the caller may have prefetched the relation. */
  | { kind: 'self'; chain: Chain; owner: ModelInfo; accessor: string }
  /** A relation of an enclosing loop's row. */
  | { kind: 'nested' };

export class Sources {
  constructor(
    private readonly names: Names,
    private readonly index: ProjectIndex,
  ) {}

  of(loop: Loop): Source | undefined {
    const { base, calls } = unwind(loop.iterable);
    if (base.type !== 'identifier') return this.chain(loop, loop.iterable);
    const variable = this.variable(loop, base);
    if (!variable || variable.kind === 'nested') return variable;
    const { chain } = variable;
    return { ...variable, chain: { ...chain, calls: [...chain.calls, ...calls] } };
  }

  /** `users = User.objects.all()` (once; `users = users.filter(...)` may follow) and then `for user in users`. */
  private variable(loop: Loop, name: Node): Source | undefined {
    const scope = this.names.scopes.definingScope(name, name.text);
    if (!scope || scope.id !== scopeOf(loop.node).id) return undefined;
    const bindings = this.names.scopes.bindingsOf(scope, name.text);
    const assignments = bindings.flatMap((binding) => (binding.kind === 'assign' ? [binding] : []));
    if (assignments.length !== bindings.length) return undefined;
    const derives = (value: Node) => {
      const { base } = unwind(value);
      return base.type === 'identifier' && base.text === name.text;
    };
    const roots = assignments.filter((assignment) => !derives(assignment.value));
    if (roots.length !== 1 || roots[0].node.startIndex > loop.node.startIndex) return undefined;
    const source = this.chain(loop, passThrough(roots[0].value));
    if (!source || source.kind === 'nested') return source;
    const line = roots[0].node.startPosition.row + 1;
    const conditional = assignments.filter((assignment) => derives(assignment.value)).flatMap((assignment) => unwind(assignment.value).calls);
    const values = assignments.map((assignment) => assignment.value);
    const conflictingUse = identifiersNamed(scope, name.text)
      .filter((identifier) => !bindingOf(identifier) && !values.some((value) => isWithin(identifier, value)))
      .map((identifier) => conflictingUseOf(identifier))
      .find((use) => use !== undefined);
    return { ...source, chain: { ...source.chain, conditional, conflictingUse, describe: `${name.text} (${source.chain.describe}, line ${line})` } };
  }

  private chain(loop: Loop, expression: Node): Source | undefined {
    const { base, calls } = unwind(expression);
    const chain = (model: ModelInfo): Chain => ({ model, manager: base, calls, conditional: [], describe: describeChain(expression) });
    const managed = this.names.managerModel(base);
    if (managed) return { kind: 'queryset', chain: chain(managed) };
    const owner = base.type === 'attribute' ? base.childForFieldName('object') : null;
    if (owner?.type !== 'identifier') return undefined;
    const accessor = base.childForFieldName('attribute')!.text;
    if (boundByEnclosingLoop(loop.node, owner.text)) return { kind: 'nested' };
    const method = modelMethodOf(owner, this.names);
    const instance = method ? undefined : this.names.instance(owner);
    const ownerModel = method?.model ?? instance?.model;
    const relation = ownerModel && resolveAttribute(this.index, ownerModel, accessor);
    if (relation?.kind !== 'relation' || relation.step.single || !relation.step.target) return undefined;
    if (method) return { kind: 'self', chain: { ...chain(relation.step.target), describe: `${describeChain(expression)} in ${method.model.name}.${method.name}()` }, owner: method.model, accessor };
    return { kind: 'instance', chain: chain(relation.step.target), owner: owner.text, prefetchedBy: instance!.calls.find((call) => call.name === 'prefetch_related') };
  }
}

/** `qs.only(...)`, `qs.defer(...)`, `qs.union(...)`, `other.union(qs)`: what the new lookups would conflict with. */
function conflictingUseOf(identifier: Node): VariableUse | undefined {
  const method = calledMethod(identifier);
  if (method && CONFLICTING.has(method.name)) return { variable: identifier.text, node: method.call, method: method.name };
  const call = identifier.parent?.type === 'argument_list' ? identifier.parent.parent : undefined;
  const callee = call?.childForFieldName('function');
  const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')!.text : undefined;
  return call && name && COMBINATORS.has(name) ? { variable: identifier.text, node: call, method: name } : undefined;
}

/** Whether a loop (or comprehension clause) around `node` binds `name`. */
function boundByEnclosingLoop(node: Node, name: string): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'function_definition' || current.type === 'lambda' || current.type === 'class_definition') return false;
    if (current.type === 'for_statement' && isWithin(node, current.childForFieldName('body')) && targetNames(current.childForFieldName('left')).includes(name)) return true;
    if (COMPREHENSIONS.has(current.type)) {
      const earlier = current.namedChildren.filter((child) => child.type === 'for_in_clause' && child.endIndex <= node.startIndex);
      if (earlier.some((clause) => targetNames(clause.childForFieldName('left')).includes(name))) return true;
    }
  }
  return false;
}

/** `self` in a method of a model class: the model and the method's name. */
function modelMethodOf(owner: Node, names: Names): { model: ModelInfo; name: string } | undefined {
  const scope = names.scopes.definingScope(owner, owner.text);
  if (scope?.type !== 'function_definition') return undefined;
  const parameters = scope.childForFieldName('parameters')?.namedChildren ?? [];
  if (parameters[0]?.type !== 'identifier' || parameters[0].text !== owner.text) return undefined;
  const holder = scope.parent?.type === 'decorated_definition' ? scope.parent : scope;
  if (holder.type === 'decorated_definition' && /@(staticmethod|classmethod)\b/.test(holder.text.slice(0, scope.startIndex - holder.startIndex))) return undefined;
  const cls = holder.parent?.parent;
  const className = cls?.type === 'class_definition' ? cls.childForFieldName('name') : null;
  const model = className ? names.model(className) : undefined;
  return model && { model, name: scope.childForFieldName('name')!.text };
}
