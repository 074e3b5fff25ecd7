// What settings code looks like to the MIDDLEWARE evaluator (effective.ts): the shapes of statements
// that write a name, the names a value is built from, and how to describe an expression in a message.
// Plain functions over tree-sitter nodes; nothing here evaluates anything.
import type { Node } from '../../src/parse';

export const SETTING = 'MIDDLEWARE';

const APPENDING_METHODS = new Set(['append', 'extend']);

/** MIDDLEWARE members of module-level classes: `MIDDLEWARE = ...` in the body, or `def MIDDLEWARE(self)`. */
export function classMembers(root: Node, only?: Node): Array<{ owner: string; node: Node; value?: Node }> {
  return root.namedChildren.flatMap((child) => {
    const definition = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (definition?.type !== 'class_definition' || (only && child.startIndex !== only.startIndex)) return [];
    const owner = definition.childForFieldName('name')?.text ?? '';
    return (definition.childForFieldName('body')?.namedChildren ?? []).flatMap((member) => {
      const inner = member.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
      if (inner?.type === 'function_definition' && inner.childForFieldName('name')?.text === SETTING) return [{ owner, node: member }];
      const assignment = member.type === 'expression_statement' ? member.firstNamedChild : null;
      if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== SETTING) return [];
      return [{ owner, node: member, value: assignment.childForFieldName('right') ?? undefined }];
    });
  });
}

/** Names whose values flow into a tracked name, added until nothing new turns up. */
export function addTrackedNames(root: Node, tracked: Set<string>): void {
  for (let size = -1; size !== tracked.size; ) {
    size = tracked.size;
    for (const statement of moduleStatements(root)) {
      for (const value of valuesWritten(statement, tracked)) valueNames(value).forEach((name) => tracked.add(name));
    }
  }
}

/** Module-level expression statements, including those inside if/try/with/loop blocks, never inside functions or classes. */
function moduleStatements(container: Node): Node[] {
  return container.namedChildren.flatMap((child) => {
    if (child.type === 'function_definition' || child.type === 'class_definition' || child.type === 'decorated_definition') return [];
    if (child.type === 'expression_statement') return [child];
    return moduleStatements(child);
  });
}

/** The value expressions a statement writes into tracked names (an insert's position included). */
function valuesWritten(statement: Node, tracked: Set<string>): Node[] {
  const expression = statement.firstNamedChild;
  if (!expression) return [];
  if (expression.type === 'assignment' || expression.type === 'augmented_assignment') {
    const { targets, value } = assignmentParts(expression);
    return value && targets.some((target) => target.type === 'identifier' && tracked.has(target.text)) ? [value] : [];
  }
  const method = listMethodCall(expression);
  return method && tracked.has(method.name) ? method.args : [];
}

/** Identifiers in the positions that make up a value: items, splats, operands, list()/tuple()/len() arguments. */
export function valueNames(node: Node): string[] {
  switch (node.type) {
    case 'identifier':
      return [node.text];
    case 'list':
    case 'tuple':
    case 'parenthesized_expression':
    case 'list_splat':
    case 'unary_operator':
      return node.namedChildren.flatMap(valueNames);
    case 'binary_operator':
      return [node.childForFieldName('left'), node.childForFieldName('right')].flatMap((side) => (side ? valueNames(side) : []));
    case 'conditional_expression':
      return [node.namedChildren[0], node.namedChildren[2]].flatMap((side) => (side ? valueNames(side) : []));
    case 'call': {
      const method = listMethodCall(node);
      if (method?.method === 'index') return [method.name];
      const callee = node.childForFieldName('function')?.text;
      return callee === 'list' || callee === 'tuple' || callee === 'len' ? callArguments(node).flatMap(valueNames) : [];
    }
    default:
      return [];
  }
}

export function assignmentParts(expression: Node): { targets: Node[]; value?: Node } {
  const targets: Node[] = [];
  let value: Node | null = expression;
  while (value && (value.type === 'assignment' || value.type === 'augmented_assignment')) {
    const left = value.childForFieldName('left');
    if (left) targets.push(left);
    value = value.childForFieldName('right');
  }
  return { targets, value: value ?? undefined };
}

/** `NAME.method(args)`, for a plain name. */
export function listMethodCall(expression: Node): { name: string; method: string; args: Node[] } | undefined {
  if (expression.type !== 'call') return undefined;
  const callee = expression.childForFieldName('function');
  const object = callee?.childForFieldName('object');
  const method = callee?.childForFieldName('attribute');
  if (callee?.type !== 'attribute' || object?.type !== 'identifier' || !method) return undefined;
  return { name: object.text, method: method.text, args: callArguments(expression) };
}

export function callArguments(call: Node): Node[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((child) => child.type !== 'comment') ?? [];
}

export function brief(node: Node): string {
  const text = node.text.replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** An expression as a reader recognises it, with list contents elided: `[...] + ([...] if DEBUG else [])`. */
export function shape(node: Node): string {
  const inner = node.namedChildren.filter((child) => child.type !== 'comment');
  switch (node.type) {
    case 'list':
      return inner.length === 0 ? '[]' : '[...]';
    case 'tuple':
      return inner.length === 0 ? '()' : '(...)';
    case 'parenthesized_expression':
      return inner.length === 1 ? `(${shape(inner[0])})` : brief(node);
    case 'binary_operator':
      return `${shape(node.childForFieldName('left')!)} ${node.childForFieldName('operator')?.text} ${shape(node.childForFieldName('right')!)}`;
    case 'conditional_expression':
      return `${shape(inner[0])} if ${brief(inner[1])} else ${shape(inner[2])}`;
    case 'list_comprehension':
      return '[... for ...]';
    case 'call':
      return `${brief(node.childForFieldName('function') ?? node)}(...)`;
    default:
      return brief(node);
  }
}

/** The statements in a loop that write `name`, and whether each only appends to it. */
export function writesIn(loop: Node, name: string): Array<{ appends: boolean }> {
  const writes: Array<{ appends: boolean }> = [];
  for (const statement of moduleStatements(loop)) {
    const expression = statement.firstNamedChild;
    const method = expression && listMethodCall(expression);
    if (method?.name === name) writes.push({ appends: APPENDING_METHODS.has(method.method) });
    else if (expression?.type === 'assignment' || expression?.type === 'augmented_assignment') {
      const { targets } = assignmentParts(expression);
      if (targets.some((target) => target.descendantsOfType('identifier').some((id) => id.text === name) || target.text === name)) {
        writes.push({ appends: expression.type === 'augmented_assignment' && expression.child(1)?.text === '+=' && targets.length === 1 && targets[0].text === name });
      }
    } else if (expression?.type === 'call' && callArguments(expression).some((arg) => arg.text === name)) {
      writes.push({ appends: false });
    }
  }
  for (const deletion of loop.descendantsOfType('delete_statement')) {
    if (deletion.descendantsOfType('identifier').some((id) => id.text === name)) writes.push({ appends: false });
  }
  return writes;
}
