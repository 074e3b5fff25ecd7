// Python name bindings of one function (or of the module), found with one query: what a name in a
// cache key or a cached value was assigned from. Class bodies are not part of their methods' scope,
// as in Python; closures see the names of the functions around them.
import type { Node } from '../../src/parse';
import { query } from '../../src/parse';

export type Binding =
  | { kind: 'param'; name: string; annotation?: Node; line: number }
  | { kind: 'assign'; value: Node; /** Position in a tuple target (`a, b = ...`). */ index?: number; line: number }
  | { kind: 'for'; iterable: Node; index?: number; line: number }
  | { kind: 'import'; module: string; level: number; name: string; line: number }
  | { kind: 'def'; line: number }
  /** `total += value`: followed when slicing a value, never as an instance. */
  | { kind: 'augment'; value: Node; line: number }
  /** `with ... as`, `except ... as`, walrus, `global`, `*args`: nothing djfix follows. */
  | { kind: 'other'; line: number };

const BINDINGS = query(`[
  (assignment left: (_) @target right: (_) @value)
  (augmented_assignment left: (identifier) @augment right: (_) @augment_value)
  (for_statement left: (_) @for_target right: (_) @for_iterable)
  (as_pattern_target (identifier) @other)
  (named_expression name: (identifier) @other)
  (global_statement (identifier) @other)
  (nonlocal_statement (identifier) @other)
  (import_statement) @import
  (import_from_statement) @import
  (function_definition name: (identifier) @def)
  (class_definition name: (identifier) @def)
]`, 'collect');

const SCOPES = ['function_definition', 'class_definition'];
const NESTED_SCOPES = query('[(function_definition) (class_definition)] @scope', 'collect');

/**
 * The spans of the outermost defs and classes among `nodes` (in document order), in order: a
 * binding inside one of them belongs to a nested scope. Comparing positions replaces a walk up the
 * tree per binding.
 */
function outermostSpans(nodes: Node[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const node of nodes) {
    const start = node.startIndex;
    if (spans.length > 0 && start < spans[spans.length - 1][1]) continue;
    spans.push([start, node.endIndex]);
  }
  return spans;
}

/** Whether `position` lies in one of `spans`; on a span's first character only when `atStart`. */
function within(spans: Array<[number, number]>, position: number, atStart: boolean): boolean {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = spans[middle];
    if (position >= end) low = middle + 1;
    else if (position < start || (position === start && !atStart)) high = middle - 1;
    else return true;
  }
  return false;
}

/** The function or class whose scope a node's names belong to; null at module level. */
export function scopeOwner(node: Node): Node | null {
  return node.closest(SCOPES);
}

/** The innermost function around a node (class bodies are skipped, as Python does for names). */
export function enclosingFunction(node: Node): Node | null {
  for (let owner = node.closest(SCOPES); owner; owner = owner.closest(SCOPES)) {
    if (owner.type === 'function_definition') return owner;
  }
  return null;
}

export class Scope {
  private readonly table = new Map<string, Binding[]>();

  private enclosing: Scope | (() => Scope) | undefined;

  /**
   * `node` is a function_definition, or the module for module level. The enclosing scope may be
   * given as a function: it is built only when a name is not bound here.
   */
  constructor(
    readonly node: Node,
    parent: Scope | (() => Scope) | undefined,
  ) {
    this.enclosing = parent;
    const isModule = node.type === 'module';
    if (!isModule) this.addParameters();
    const body = isModule ? node : node.childForFieldName('body');
    if (!body) return;
    const nested = outermostSpans(NESTED_SCOPES.captures(body).map((capture) => capture.node));
    if (!isModule) {
      this.addMatches(body, nested);
      return;
    }
    // Most of a module's text is in its functions and classes, which bind nothing at module level but
    // their names: the query runs on the other statements only.
    for (const statement of body.namedChildren) {
      const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (definition?.type !== 'function_definition' && definition?.type !== 'class_definition') {
        this.addMatches(statement, nested);
        continue;
      }
      for (const decorator of statement.type === 'decorated_definition' ? statement.namedChildren : []) {
        if (decorator.type === 'decorator') this.addMatches(decorator, nested);
      }
      const name = definition.childForFieldName('name');
      if (name) this.addMatch([{ name: 'def', node: name }]);
    }
  }

  /** The bindings the query finds in `node`, but for those inside the nested defs and classes. */
  private addMatches(node: Node, nested: Array<[number, number]>): void {
    for (const match of BINDINGS.matches(node)) {
      const capture = match.captures[0];
      // A def binds its name in the scope around it, not in its own: its own span starts at the def.
      const inNested = capture.name === 'def' ? within(nested, capture.node.parent!.startIndex, false) : within(nested, capture.node.startIndex, true);
      if (inNested) continue;
      this.addMatch(match.captures.map((c) => ({ name: c.name, node: c.node })));
    }
  }

  get parent(): Scope | undefined {
    if (typeof this.enclosing === 'function') this.enclosing = this.enclosing();
    return this.enclosing;
  }

  /** The bindings of a name in the nearest scope (this function, the functions around it, the module) that binds it. */
  lookup(name: string): { scope: Scope; bindings: Binding[] } | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      const bindings = scope.table.get(name);
      if (bindings) return { scope, bindings };
    }
    return undefined;
  }

  /** Bindings of this scope only. */
  own(name: string): Binding[] {
    return this.table.get(name) ?? [];
  }

  get isModule(): boolean {
    return this.node.type === 'module';
  }

  /** Every binding of this scope, for searches over its assignments. */
  entries(): Array<[string, Binding[]]> {
    return [...this.table.entries()];
  }

  /** `Class.method` for a method of a module-level class, the function name otherwise. */
  get displayName(): string | undefined {
    if (this.isModule) return undefined;
    const name = this.node.childForFieldName('name')?.text ?? '';
    const cls = this.className;
    return cls ? `${cls}.${name}` : name;
  }

  /** The class this function is a method of, when that class is defined at module level. */
  get className(): string | undefined {
    return this.classNode?.childForFieldName('name')?.text;
  }

  get classNode(): Node | undefined {
    if (this.isModule) return undefined;
    const owner = scopeOwner(this.node.parent?.type === 'decorated_definition' ? this.node.parent : this.node);
    return owner?.type === 'class_definition' && scopeOwner(owner) === null ? owner : undefined;
  }

  /** Whether `name` is assigned a literal in the body of this method's class (`CACHE_KEY = "x"`). */
  isClassConstant(name: string): boolean {
    const body = this.classNode?.childForFieldName('body');
    return (body?.namedChildren ?? []).some((statement) => {
      const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
      const right = assignment?.type === 'assignment' ? assignment.childForFieldName('right') : null;
      return assignment?.childForFieldName('left')?.text === name && right !== null && ['string', 'integer', 'concatenated_string'].includes(right.type);
    });
  }

  private add(name: string, binding: Binding): void {
    const list = this.table.get(name);
    if (list) list.push(binding);
    else this.table.set(name, [binding]);
  }

  private addParameters(): void {
    for (const param of this.node.childForFieldName('parameters')?.namedChildren ?? []) {
      const line = param.startPosition.row + 1;
      if (param.type === 'identifier') this.add(param.text, { kind: 'param', name: param.text, line });
      else if (param.type === 'typed_parameter') {
        const name = param.namedChildren.find((child) => child.type === 'identifier');
        if (name) this.add(name.text, { kind: 'param', name: name.text, annotation: param.childForFieldName('type') ?? undefined, line });
      } else if (param.type === 'default_parameter' || param.type === 'typed_default_parameter') {
        const name = param.childForFieldName('name');
        if (name) this.add(name.text, { kind: 'param', name: name.text, annotation: param.childForFieldName('type') ?? undefined, line });
      } else if (param.type === 'list_splat_pattern' || param.type === 'dictionary_splat_pattern') {
        const name = param.namedChildren.find((child) => child.type === 'identifier');
        if (name) this.add(name.text, { kind: 'other', line });
      }
    }
  }

  private addMatch(captures: Array<{ name: string; node: Node }>): void {
    const get = (name: string) => captures.find((capture) => capture.name === name)?.node;
    const first = captures[0];
    const line = first.node.startPosition.row + 1;
    switch (first.name) {
      case 'target': {
        let value = get('value')!;
        // `a = b = value`: both names get the innermost value.
        while (value.type === 'assignment' && value.childForFieldName('right')) value = value.childForFieldName('right')!;
        this.addTargets(first.node, (index) => ({ kind: 'assign', value, index, line }));
        break;
      }
      case 'for_target':
        this.addTargets(first.node, (index) => ({ kind: 'for', iterable: get('for_iterable')!, index, line }));
        break;
      case 'import':
        this.addImport(first.node, line);
        break;
      case 'def':
        this.add(first.node.text, { kind: 'def', line });
        break;
      case 'augment':
        this.add(first.node.text, { kind: 'augment', value: get('augment_value')!, line });
        break;
      default:
        this.add(first.node.text, { kind: 'other', line });
    }
  }

  private addTargets(target: Node, binding: (index?: number) => Binding): void {
    if (target.type === 'identifier') {
      this.add(target.text, binding());
      return;
    }
    if (!['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list'].includes(target.type)) return;
    target.namedChildren.forEach((item, index) => {
      if (item.type === 'identifier') this.add(item.text, binding(index));
      else for (const name of item.descendantsOfType('identifier')) this.add(name.text, { kind: 'other', line: binding().line });
    });
  }

  private addImport(statement: Node, line: number): void {
    if (statement.type === 'import_statement') {
      for (const name of statement.childrenForFieldName('name')) {
        const dotted = name.type === 'aliased_import' ? name.childForFieldName('name')?.text ?? '' : name.text;
        const alias = name.type === 'aliased_import' ? name.childForFieldName('alias')?.text : undefined;
        // `import a.b` binds `a`; `import a.b as c` binds c to a.b.
        this.add(alias ?? dotted.split('.')[0], { kind: 'import', module: alias ? dotted : dotted.split('.')[0], level: 0, name: '', line });
      }
      return;
    }
    const moduleNode = statement.childForFieldName('module_name');
    let module = moduleNode?.text ?? '';
    let level = 0;
    if (moduleNode?.type === 'relative_import') {
      level = moduleNode.namedChildren.find((child) => child.type === 'import_prefix')?.text.length ?? 0;
      module = moduleNode.namedChildren.find((child) => child.type === 'dotted_name')?.text ?? '';
    }
    for (const name of statement.childrenForFieldName('name')) {
      const imported = name.type === 'aliased_import' ? name.childForFieldName('name')?.text ?? '' : name.text;
      const alias = name.type === 'aliased_import' ? name.childForFieldName('alias')?.text : undefined;
      this.add(alias ?? imported, { kind: 'import', module, level, name: imported, line });
    }
  }
}

/** Bindings of comprehension variables between `node` and its scope: `p` in `{key(p): v for p in qs}`. */
export function comprehensionBinding(name: string, node: Node): Binding | undefined {
  for (let parent = node.parent; parent && !SCOPES.includes(parent.type); parent = parent.parent) {
    if (!/comprehension$|^generator_expression$/.test(parent.type)) continue;
    for (const clause of parent.namedChildren.filter((child) => child.type === 'for_in_clause')) {
      const left = clause.childForFieldName('left');
      const right = clause.childForFieldName('right');
      if (!left || !right) continue;
      const line = clause.startPosition.row + 1;
      if (left.type === 'identifier' && left.text === name) return { kind: 'for', iterable: right, line };
      const index = left.namedChildren.findIndex((item) => item.type === 'identifier' && item.text === name);
      if (index !== -1) return { kind: 'for', iterable: right, index, line };
    }
  }
  return undefined;
}
