// Key helpers: module-level functions that only return a key built from their parameters
// (`def user_key(user): return f"user:{user.pk}"`). A receiver calls the helper itself, so the key is
// built exactly as the writer builds it.
import type { Node } from '../../src/parse';
import type { HelperFact } from './facts';
import { KeyWalker } from './keys';
import { originOfName } from './origins';
import { Scope } from './scope';

/** `module`: the module's bindings, asked for only when a function has a helper's shape. */
export function keyHelpers(root: Node, module?: () => Scope): HelperFact[] {
  let moduleScope: Scope | undefined;
  const enclosing = module ?? (() => (moduleScope ??= new Scope(root, undefined)));
  const helpers: HelperFact[] = [];
  for (const statement of root.namedChildren) {
    const fn = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (fn?.type !== 'function_definition') continue;
    const returned = returnedKey(fn);
    const helper = returned && keyHelper(fn, returned, new Scope(fn, enclosing));
    if (helper) helpers.push(helper);
  }
  return helpers;
}

/** What a function whose body (after its docstring) is one `return` of an expression with a string in it returns. */
function returnedKey(fn: Node): Node | undefined {
  const body = (fn.childForFieldName('body')?.namedChildren ?? []).filter((node) => node.type !== 'comment');
  const statements = body[0]?.type === 'expression_statement' && body[0].firstNamedChild?.type === 'string' ? body.slice(1) : body;
  const returned = statements.length === 1 && statements[0].type === 'return_statement' ? statements[0].firstNamedChild : undefined;
  return returned && (returned.type === 'string' || returned.descendantsOfType('string').length > 0) ? returned : undefined;
}

function keyHelper(fn: Node, returned: Node, scope: Scope): HelperFact | undefined {
  const params = (fn.childForFieldName('parameters')?.namedChildren ?? [])
    .map((param) => (param.type === 'identifier' ? param : (param.childForFieldName('name') ?? param.namedChildren.find((child) => child.type === 'identifier')))?.text)
    .filter((name): name is string => name !== undefined);
  const helper: HelperFact = { name: fn.childForFieldName('name')!.text, line: fn.startPosition.row + 1, params, source: returned.text };
  const walker = new KeyWalker(returned, scope, true);
  walker.walk(returned);
  const instances = [...new Set(walker.slots.map((slot) => slot.instance))];
  if (walker.problems.length > 0) helper.reason = walker.problems.join('; ');
  else if (instances.length > 1) helper.reason = `it builds the key from ${instances.join(' and ')}`;
  else if (instances.length === 1 && walker.plainParams.has(instances[0])) helper.reason = `it uses ${instances[0]} both whole and through its attributes`;
  else if (instances.length === 1) {
    const origin = originOfName(instances[0], returned, scope);
    helper.instance = { param: instances[0], ...(origin.kind === 'class' ? { annotation: origin.ref } : {}), slots: walker.slots.map(({ instance: _instance, ...slot }) => slot) };
  }
  return helper;
}
