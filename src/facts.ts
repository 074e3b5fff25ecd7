// Per-file facts: what the project index needs from one file, extracted from its tree in one pass.
// Facts are plain data: workers compute them, the cache stores them, the main thread merges them.
import { Node, Tree, query, sameNode, stringValue } from './parse';

export type Literal =
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list' | 'tuple'; items: Literal[] }
  | { kind: 'dict'; entries: Array<[Literal, Literal]> }
  | { kind: 'expr'; text: string };

/** Where an import runs: at import time, only when a function is called, or only for type checkers. */
export type ImportScope = 'module' | 'function' | 'type-checking';

export interface ImportFact {
  /** The imported module as written, without the leading dots. */
  module: string;
  /** Number of leading dots of a relative import (0 for absolute). */
  level: number;
  /** `from m import a as b`: [{name: 'a', alias: 'b'}]; `*` for star imports; undefined for `import m`. */
  names?: Array<{ name: string; alias?: string }>;
  /** `import a.b as c`: 'c'. */
  alias?: string;
  scope: ImportScope;
  line: number;
}

export interface CallFact {
  /** The callee as dotted text, e.g. `models.ForeignKey`. */
  callee: string;
  args: Literal[];
  kwargs: Record<string, Literal>;
}

export interface ClassAttributeFact {
  name: string;
  line: number;
  /** Set when the value is a call, e.g. a field or manager. */
  call?: CallFact;
  value: Literal;
}

export interface ClassFact {
  name: string;
  line: number;
  /** Base classes as dotted text. */
  bases: string[];
  attributes: ClassAttributeFact[];
  /** Attributes of the nested `class Meta`. */
  meta: Record<string, Literal>;
  /** Names of methods and properties defined in the body. */
  methods: string[];
}

export interface SettingFact {
  name: string;
  line: number;
  /** `=` for plain assignment, `+=` for augmented, a method name for `NAME.insert(...)` and the like. */
  op: string;
  value: Literal;
  /** Inside an `if`/`try`/`for`/`with` at module level: may or may not run. */
  conditional: boolean;
}

export interface FileFacts {
  imports: ImportFact[];
  classes: ClassFact[];
  /** Top-level function names. */
  functions: string[];
  /** Module-level statements on UPPER_CASE names: candidate settings. */
  settings: SettingFact[];
  /** Values of `os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)`. */
  settingsModuleRefs: string[];
  /** Facts contributed by transforms (keyed by transform id). */
  extra: Record<string, unknown>;
}

const IMPORT_STATEMENTS = new Set(['import_statement', 'import_from_statement']);
/** Indented import lines: in functions, classes or blocks. Module-level ones are found by the walk. */
const INDENTED_IMPORT = /^[ \t]+(?:from[ \t]+[\w.]+[ \t]+)?import\b/gm;
/** `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")` and `os.environ["DJANGO_SETTINGS_MODULE"] = "x"`. */
const SETTINGS_MODULE_REFS = query(`[
  (call
    function: (attribute attribute: (identifier) @method (#eq? @method "setdefault"))
    arguments: (argument_list . (string) @key . (string) @value))
  (assignment
    left: (subscript value: (attribute attribute: (identifier) @environ (#eq? @environ "environ")) subscript: (string) @key)
    right: (string) @value)
]`);
const CONTAINERS = new Set(['if_statement', 'try_statement', 'with_statement', 'for_statement', 'while_statement', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause', 'block']);

export function emptyFacts(): FileFacts {
  return { imports: [], classes: [], functions: [], settings: [], settingsModuleRefs: [], extra: {} };
}

export function extractFacts(tree: Tree, text: string): FileFacts {
  const facts = emptyFacts();
  const root = tree.rootNode;
  const seenImports = new Set<number>();
  // The query walks the whole tree: only files that name the setting can match it.
  const references = text.includes('DJANGO_SETTINGS_MODULE') ? SETTINGS_MODULE_REFS.matches(root) : [];
  for (const match of references) {
    const key = match.captures.find((c) => c.name === 'key')?.node;
    const value = match.captures.find((c) => c.name === 'value')?.node;
    if (key && value && stringValue(key) === 'DJANGO_SETTINGS_MODULE') {
      const module = stringValue(value);
      if (module) facts.settingsModuleRefs.push(module);
    }
  }
  visitModuleStatements(root, false, facts, seenImports);
  // A query for imports would walk every node of every file; imports are lines, so find them by text.
  for (const match of text.matchAll(INDENTED_IMPORT)) {
    const statement = enclosingImport(root.descendantForIndex(match.index! + match[0].search(/\S/)));
    if (statement && !seenImports.has(statement.startIndex)) {
      seenImports.add(statement.startIndex);
      facts.imports.push(...importFacts(statement));
    }
  }
  facts.imports.sort((a, b) => a.line - b.line);
  return facts;
}

function enclosingImport(node: Node): Node | undefined {
  for (let current: Node | null = node, depth = 0; current && depth < 4; current = current.parent, depth++) {
    if (IMPORT_STATEMENTS.has(current.type)) return current;
  }
  return undefined;
}

/** Module-level statements, including those nested in module-level if/try/with blocks. */
function visitModuleStatements(container: Node, conditional: boolean, facts: FileFacts, seenImports: Set<number>): void {
  for (const statement of container.namedChildren) {
    const type = statement.type;
    if (CONTAINERS.has(type)) {
      visitModuleStatements(statement, true, facts, seenImports);
      continue;
    }
    if (IMPORT_STATEMENTS.has(type)) {
      seenImports.add(statement.startIndex);
      facts.imports.push(...importFacts(statement));
      continue;
    }
    const definition = type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    const definitionType = definition?.type;
    if (definitionType === 'class_definition') facts.classes.push(classFact(definition!));
    else if (definitionType === 'function_definition') facts.functions.push(definition!.childForFieldName('name')?.text ?? '');
    else if (type === 'expression_statement') {
      const setting = settingFact(statement.firstNamedChild, conditional);
      if (setting) facts.settings.push(setting);
    }
  }
}

const SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;

function settingFact(expression: Node | null, conditional: boolean): SettingFact | undefined {
  if (!expression) return undefined;
  const line = expression.startPosition.row + 1;
  if (expression.type === 'assignment' || expression.type === 'augmented_assignment') {
    const left = expression.childForFieldName('left');
    const right = expression.childForFieldName('right');
    if (left?.type !== 'identifier' || !SETTING_NAME.test(left.text) || !right) return undefined;
    const op = expression.type === 'assignment' ? '=' : expression.child(1)?.text ?? '+=';
    return { name: left.text, line, op, value: literal(right), conditional };
  }
  if (expression.type === 'call') {
    const callee = expression.childForFieldName('function');
    const object = callee?.childForFieldName('object');
    const method = callee?.childForFieldName('attribute');
    if (callee?.type !== 'attribute' || object?.type !== 'identifier' || !SETTING_NAME.test(object.text) || !method) return undefined;
    const args = expression.childForFieldName('arguments');
    return { name: object.text, line, op: method.text, value: { kind: 'expr', text: args?.text ?? '' }, conditional };
  }
  return undefined;
}

function importFacts(statement: Node): ImportFact[] {
  const scope = importScope(statement);
  const line = statement.startPosition.row + 1;
  if (statement.type === 'import_statement') {
    return statement.childrenForFieldName('name').map((name) =>
      name.type === 'aliased_import'
        ? { module: name.childForFieldName('name')?.text ?? '', level: 0, alias: name.childForFieldName('alias')?.text, scope, line }
        : { module: name.text, level: 0, scope, line },
    );
  }
  const moduleNode = statement.childForFieldName('module_name');
  let module = moduleNode?.text ?? '';
  let level = 0;
  if (moduleNode?.type === 'relative_import') {
    const prefix = moduleNode.namedChildren.find((child) => child.type === 'import_prefix');
    level = prefix?.text.length ?? 0;
    module = moduleNode.namedChildren.find((child) => child.type === 'dotted_name')?.text ?? '';
  }
  const wildcard = statement.namedChildren.some((child) => child.type === 'wildcard_import');
  const names = wildcard
    ? [{ name: '*' }]
    : statement.childrenForFieldName('name').map((name) =>
        name.type === 'aliased_import'
          ? { name: name.childForFieldName('name')?.text ?? '', alias: name.childForFieldName('alias')?.text }
          : { name: name.text },
      );
  return [{ module, level, names, scope, line }];
}

/** Where an import statement runs: the scope an `ImportFact` records. */
export function importScope(statement: Node): ImportScope {
  let child: Node = statement;
  for (let node = statement.parent; node; child = node, node = node.parent) {
    if (node.type === 'function_definition' || node.type === 'lambda') return 'function';
    if (node.type === 'if_statement' && sameNode(child, node.childForFieldName('consequence')) && isTypeCheckingCondition(node.childForFieldName('condition'))) {
      return 'type-checking';
    }
  }
  return 'module';
}

/** `if TYPE_CHECKING:` and its spellings (`typing.TYPE_CHECKING`, `TYPE_CHECKING is True`): a block only type checkers read. */
export function isTypeCheckingCondition(condition: Node | null): boolean {
  return condition !== null && /^(typing\.)?TYPE_CHECKING(\s+is\s+True|\s*==\s*True)?$/.test(condition.text);
}

function classFact(definition: Node): ClassFact {
  const superclasses = definition.childForFieldName('superclasses');
  const bases = (superclasses?.namedChildren ?? []).filter((arg) => arg.type !== 'keyword_argument').map((arg) => arg.text);
  const fact: ClassFact = { name: definition.childForFieldName('name')?.text ?? '', line: definition.startPosition.row + 1, bases, attributes: [], meta: {}, methods: [] };
  for (const statement of definition.childForFieldName('body')?.namedChildren ?? []) {
    const inner = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (inner?.type === 'function_definition') fact.methods.push(inner.childForFieldName('name')?.text ?? '');
    else if (inner?.type === 'class_definition' && inner.childForFieldName('name')?.text === 'Meta') {
      for (const meta of inner.childForFieldName('body')?.namedChildren ?? []) {
        const assignment = meta.firstNamedChild;
        const left = assignment?.childForFieldName('left');
        const right = assignment?.childForFieldName('right');
        if (assignment?.type === 'assignment' && left?.type === 'identifier' && right) fact.meta[left.text] = literal(right);
      }
    } else if (statement.type === 'expression_statement') {
      const assignment = statement.firstNamedChild;
      const left = assignment?.childForFieldName('left');
      const right = assignment?.childForFieldName('right');
      if (assignment?.type !== 'assignment' || left?.type !== 'identifier' || !right) continue;
      fact.attributes.push({ name: left.text, line: statement.startPosition.row + 1, value: literal(right), call: right.type === 'call' ? callFact(right) : undefined });
    }
  }
  return fact;
}

function callFact(call: Node): CallFact {
  const fact: CallFact = { callee: call.childForFieldName('function')?.text ?? '', args: [], kwargs: {} };
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) fact.kwargs[name] = literal(value);
    } else if (arg.type !== 'comment') {
      fact.args.push(literal(arg));
    }
  }
  return fact;
}

/** A Python literal as data, or its source text when it is not a literal. */
export function literal(node: Node): Literal {
  switch (node.type) {
    case 'string': {
      const value = stringValue(node);
      return value === undefined ? { kind: 'expr', text: node.text } : { kind: 'str', value };
    }
    case 'integer':
    case 'float': {
      const value = Number(node.text.replace(/_/g, ''));
      return Number.isFinite(value) ? { kind: 'num', value } : { kind: 'expr', text: node.text };
    }
    case 'true':
    case 'false':
      return { kind: 'bool', value: node.type === 'true' };
    case 'none':
      return { kind: 'none' };
    case 'list':
    case 'tuple':
      return { kind: node.type, items: node.namedChildren.filter((child) => child.type !== 'comment').map(literal) };
    case 'parenthesized_expression': {
      const inner = node.namedChildren.filter((child) => child.type !== 'comment');
      return inner.length === 1 ? literal(inner[0]) : { kind: 'expr', text: node.text };
    }
    case 'dictionary':
      if (node.namedChildren.some((child) => child.type !== 'pair' && child.type !== 'comment')) return { kind: 'expr', text: node.text };
      return {
        kind: 'dict',
        entries: node.namedChildren
          .filter((child) => child.type === 'pair')
          .map((pair) => [literal(pair.childForFieldName('key')!), literal(pair.childForFieldName('value')!)] as [Literal, Literal]),
      };
    default:
      return { kind: 'expr', text: node.text };
  }
}

/** The strings of a list/tuple literal, or undefined if any item is not a plain string. */
export function stringItems(value: Literal): string[] | undefined {
  if (value.kind !== 'list' && value.kind !== 'tuple') return undefined;
  const strings = value.items.map((item) => (item.kind === 'str' ? item.value : undefined));
  return strings.every((item): item is string => item !== undefined) ? strings : undefined;
}
