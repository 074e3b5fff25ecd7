// Cache keys: which model instance a key is built from, and where in the key's text, for f-strings,
// `%` formatting, `.format()`, concatenation and key helper functions. A key djfix can rebuild in a
// receiver uses one instance through its attributes, literals and module-level names only; anything
// else (a parameter, the time, the language) is a reason to hold back.
import type { Node } from '../../src/parse';
import type { HelperCallFact, KeyFact, OriginFact, Slot } from './facts';
import { isLocal, isRequestUser, originOfName, pkAlias, short } from './origins';
import { comprehensionBinding, Scope } from './scope';

/** Conversions whose result depends only on their argument. */
const BUILTINS = new Set(['str', 'int', 'repr']);
const STRING_METHODS = new Set(['format', 'join', 'lower', 'upper', 'strip', 'replace']);
const LITERALS = new Set(['integer', 'float', 'true', 'false', 'none', 'comment', 'escape_sequence', 'string_content', 'string_start', 'string_end']);
const CONTAINERS = new Set(['concatenated_string', 'parenthesized_expression', 'tuple', 'list', 'dictionary', 'pair', 'expression_list']);

type FoundSlot = Slot & { instance: string };

/** Walks one key expression; in a helper's body, the helper's parameters may also be used as plain values. */
export class KeyWalker {
  readonly slots: FoundSlot[] = [];
  readonly helpers: HelperCallFact[] = [];
  readonly names = new Set<string>();
  readonly problems: string[] = [];
  /** Helper parameters used as plain values. */
  readonly plainParams = new Set<string>();
  readonly origins = new Map<string, OriginFact>();
  readonly pkNames = new Map<string, string>();

  constructor(private readonly base: Node, private readonly scope: Scope, private readonly helperMode: boolean) {}

  walk(node: Node): void {
    if (LITERALS.has(node.type)) return;
    if (node.type === 'string') {
      for (const interpolation of node.namedChildren.filter((child) => child.type === 'interpolation')) {
        const expression = interpolation.childForFieldName('expression');
        if (expression) this.walk(expression);
        for (const nested of interpolation.childForFieldName('format_specifier')?.descendantsOfType('interpolation') ?? []) {
          const inner = nested.childForFieldName('expression');
          if (inner) this.walk(inner);
        }
      }
      return;
    }
    if (CONTAINERS.has(node.type)) {
      for (const child of node.namedChildren) this.walk(child);
      return;
    }
    switch (node.type) {
      case 'binary_operator': {
        const operator = node.childForFieldName('operator')?.type;
        if (operator !== '+' && operator !== '%') return this.problem(`combines its parts with \`${operator}\``);
        this.walk(node.childForFieldName('left')!);
        this.walk(node.childForFieldName('right')!);
        return;
      }
      case 'call':
        return this.call(node);
      case 'attribute':
        return this.attribute(node);
      case 'identifier':
        return this.identifier(node);
      default:
        this.problem(`uses ${short(node.text, 40)}, which djfix does not follow`);
    }
  }

  private problem(reason: string): void {
    if (!this.problems.includes(reason)) this.problems.push(reason);
  }

  private isInstanceName(name: string, at: Node): boolean {
    return comprehensionBinding(name, at) !== undefined || isLocal(name, this.scope);
  }

  private addSlot(instance: string, node: Node, rootEnd: number, extra: Partial<Slot> = {}): void {
    const start = node.startIndex - this.base.startIndex;
    const end = node.endIndex - this.base.startIndex;
    const tail = extra.tail ?? this.base.text.slice(rootEnd - this.base.startIndex, node.endIndex - this.base.startIndex);
    this.slots.push({ instance, start, end, ...extra, tail });
  }

  private attribute(node: Node): void {
    const object = node.childForFieldName('object')!;
    const attribute = node.childForFieldName('attribute')!.text;
    if (isRequestUser(node, this.scope)) return this.problem(`formats the whole ${node.text}`);
    if (isRequestUser(object, this.scope)) return this.addSlot(object.text, node, object.endIndex, { attribute });
    if (object.type === 'identifier') {
      const constant = object.text === 'self' && this.scope.isClassConstant(attribute);
      if (this.isInstanceName(object.text, object)) return this.addSlot(object.text, node, object.endIndex, { attribute, ...(constant ? { constant } : {}) });
      return this.moduleName(object);
    }
    let root = object;
    while (root.type === 'attribute') root = root.childForFieldName('object')!;
    if (root.type === 'identifier' && !this.isInstanceName(root.text, root)) return this.moduleName(root);
    this.problem(`reads ${short(node.text, 40)} through a related object, which a receiver may have to query`);
  }

  private identifier(node: Node): void {
    const name = node.text;
    if (this.isInstanceName(name, node)) {
      if (this.helperMode && this.scope.own(name).some((binding) => binding.kind === 'param')) {
        this.plainParams.add(name);
        return;
      }
      const alias = this.helperMode ? undefined : pkAlias(name, this.scope);
      if (alias) {
        this.origins.set(alias.instance, alias.origin);
        if (alias.instance !== name) this.pkNames.set(alias.instance, name);
        const operand = node.parent?.type === 'binary_operator' && node.parent.childForFieldName('operator')?.type === '+';
        this.addSlot(alias.instance, node, node.endIndex, { tail: `.${alias.attribute}`, attribute: alias.attribute, wrapStr: operand || undefined });
        return;
      }
      const where = this.scope.own(name).some((binding) => binding.kind === 'param') ? `a parameter of ${this.scope.displayName}()` : 'a local variable';
      return this.problem(`uses \`${name}\` (${where}), not an attribute of a model instance, so a receiver cannot rebuild it`);
    }
    this.moduleName(node);
  }

  private moduleName(node: Node): void {
    const found = this.scope.lookup(node.text);
    if (found?.scope.isModule) this.names.add(node.text);
    else this.problem(`uses \`${node.text}\`, which is not defined in this file`);
  }

  private call(node: Node): void {
    const callee = node.childForFieldName('function')!;
    const args = node.childForFieldName('arguments');
    if (args?.type !== 'argument_list') return this.problem(`calls ${short(callee.text, 40)}() with a generator`);
    const argList = args.namedChildren.filter((arg) => arg.type !== 'comment');
    if (callee.type === 'attribute') {
      const object = callee.childForFieldName('object')!;
      const method = callee.childForFieldName('attribute')!.text;
      const onInstance = (object.type === 'identifier' && this.isInstanceName(object.text, object)) || isRequestUser(object, this.scope);
      if (onInstance && !STRING_METHODS.has(method)) {
        if (argList.length > 0) return this.problem(`calls ${short(node.text, 40)} with arguments`);
        return this.addSlot(object.text, node, object.endIndex, { attribute: method, call: true });
      }
      if (STRING_METHODS.has(method)) {
        this.walk(object);
        for (const arg of argList) this.walk(arg.type === 'keyword_argument' ? arg.childForFieldName('value')! : arg);
        return;
      }
    } else if (callee.type === 'identifier' && BUILTINS.has(callee.text) && !this.scope.lookup(callee.text)) {
      for (const arg of argList) this.walk(arg);
      return;
    } else if (callee.type !== 'identifier') {
      return this.problem(`calls ${short(callee.text, 40)}(), which djfix does not follow`);
    }
    this.helperCall(callee, argList);
  }

  /** A module-level function called in the key: analysis checks it is a key helper. */
  private helperCall(callee: Node, args: Node[]): void {
    let root = callee;
    while (root.type === 'attribute') root = root.childForFieldName('object')!;
    if (this.helperMode) return this.problem(`calls ${callee.text}()`);
    if (root.type !== 'identifier' || this.isInstanceName(root.text, root)) return this.problem(`calls ${short(callee.text, 40)}(), which djfix does not follow`);
    const found = this.scope.lookup(root.text);
    if (!found) return this.problem(`calls ${callee.text}(), which is not defined in this file`);
    let argument: number | string | undefined;
    let passed: string | undefined;
    let position = 0;
    for (const arg of args) {
      if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') return this.problem(`calls ${callee.text}() with *args`);
      const keyword = arg.type === 'keyword_argument' ? arg.childForFieldName('name')!.text : undefined;
      const value = keyword ? arg.childForFieldName('value')! : arg;
      const at = keyword ?? position++;
      const whole = (value.type === 'identifier' && this.isInstanceName(value.text, value) && !pkAlias(value.text, this.scope)) || isRequestUser(value, this.scope);
      if (!whole) {
        this.walk(value);
        continue;
      }
      if (argument !== undefined) return this.problem(`passes both ${passed} and ${value.text} to ${callee.text}(); a receiver has only the saved instance to build the key from`);
      argument = at;
      passed = value.text;
      this.addSlot(value.text, value, value.endIndex, { tail: '' });
    }
    const binding = found.bindings.length === 1 ? found.bindings[0] : undefined;
    const imported = binding?.kind === 'import' && !found.scope.isModule ? { module: binding.module, level: binding.level, name: binding.name } : undefined;
    if (found.scope.isModule) this.names.add(root.text);
    this.helpers.push({ callee: callee.text, ...(imported ? { imported } : {}), argument: argument ?? -1 });
  }
}

/** The key a cache call is given, followed through one local assignment (`key = f"..."`). */
export function analyzeKey(expr: Node, scope: Scope): KeyFact {
  let node = expr;
  if (node.type === 'identifier' && !comprehensionBinding(node.text, node)) {
    const found = scope.lookup(node.text);
    const line = node.startPosition.row + 1;
    // A module-level name, or one imported in the function: a constant.
    if (found?.scope.isModule || (found?.bindings.length === 1 && found.bindings[0].kind === 'import')) return { kind: 'global', source: node.text, line };
    if (found) {
      const [binding] = found.bindings;
      if (found.bindings.length !== 1 || binding.kind !== 'assign' || binding.index !== undefined) {
        const what = binding.kind === 'param' ? `the parameter \`${node.text}\` of ${found.scope.displayName}()` : found.bindings.length > 1 ? `\`${node.text}\`, assigned ${found.bindings.length} times` : `\`${node.text}\`, bound at line ${binding.line} in a way djfix does not follow`;
        return { kind: 'unresolved', source: node.text, line, reason: `the key is ${what}; djfix cannot tell what it holds` };
      }
      node = binding.value;
    }
  }
  const line = node.startPosition.row + 1;
  const walker = new KeyWalker(node, scope, false);
  walker.walk(node);
  const source = node.text;
  if (walker.problems.length > 0) return { kind: 'unresolved', source, line, reason: `the key ${walker.problems.join('; ')}` };
  const instances = [...new Set(walker.slots.filter((slot) => !slot.constant).map((slot) => slot.instance))];
  if (instances.length === 0) return { kind: 'global', source, line };
  if (instances.length > 1) return { kind: 'unresolved', source, line, reason: `the key is built from ${instances.join(' and ')}; a receiver for one of them cannot know the other` };
  const [instance] = instances;
  const origin = walker.origins.get(instance) ?? instanceOrigin(instance, node, scope);
  const pkName = walker.pkNames.get(instance);
  return {
    kind: 'instance',
    source,
    line,
    instance,
    ...(pkName ? { pkName } : {}),
    origin,
    slots: walker.slots.map(({ instance: _instance, ...slot }) => slot),
    helpers: walker.helpers,
    names: [...walker.names].sort(),
  };
}

function instanceOrigin(instance: string, at: Node, scope: Scope): OriginFact {
  if (/^(self\.)?request\.user$/.test(instance)) return { kind: 'user', how: instance, line: at.startPosition.row + 1 };
  return originOfName(instance, at, scope);
}
