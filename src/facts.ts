// Per-file facts: what the project index needs from one file, extracted from its tree in one pass.
// Facts are plain data: workers compute them, the cache stores them, the main thread merges them.
import { classFact, literalAt } from './class-facts';
import { Cursor, eachChild, eachField, eachNamedChild, fieldName, Node, Tree, query, sameNode, stringValue, typeAt } from './parse';

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
  /** The arguments of a call that may declare a field (see declaresField); other calls' are not read. */
  args: Literal[];
  kwargs: Record<string, Literal>;
}

export interface ClassAttributeFact {
  name: string;
  line: number;
  /** Set when the value is a call, e.g. a field or manager. */
  call?: CallFact;
  /**
   * Strings, numbers, booleans and None as literals, anything else as its text: an app's name and
   * label and Meta's options are all that is read of them, and an admin's nested tuples are long.
   */
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
  /**
   * Transforms whose screen the text passed: whether they may apply is decided without reading it
   * again. Undefined for a test or migration whose facts the index does not need: its text is not
   * screened, and every screen counts as passed.
   */
  screened?: string[];
  /** Whether the text may hold djfix comments: such a file is analysed even when no transform applies. */
  commented: boolean;
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
]`, 'collect');
const CONTAINERS = new Set(['if_statement', 'try_statement', 'with_statement', 'for_statement', 'while_statement', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause', 'block']);

export function emptyFacts(): FileFacts {
  return { imports: [], classes: [], functions: [], settings: [], settingsModuleRefs: [], extra: {}, commented: false };
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
  visitModuleStatements(tree.walk(), { conditional: false, typeChecking: false }, facts, seenImports);
  // A query for imports would walk every node of every file; imports are lines, so find them by text.
  for (const match of text.matchAll(INDENTED_IMPORT)) {
    const statement = enclosingImport(root.descendantForIndex(match.index! + match[0].search(/\S/)));
    if (statement && !seenImports.has(statement.startIndex)) {
      seenImports.add(statement.startIndex);
      facts.imports.push(...importFacts(statement.walk(), importScope(statement)));
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

/** Where a module-level statement sits: in a block that may not run, in an `if TYPE_CHECKING:` block. */
interface Placement {
  conditional: boolean;
  typeChecking: boolean;
}

/** Module-level statements (the cursor on their container), including those nested in module-level if/try/with blocks. */
function visitModuleStatements(cursor: Cursor, placement: Placement, facts: FileFacts, seenImports: Set<number>): void {
  // Only the consequence of `if TYPE_CHECKING:` is for type checkers (importScope says the same).
  const isIf = typeAt(cursor) === 'if_statement';
  let typeCheckingCondition = false;
  eachNamedChild(cursor, (type) => {
    // Only an if statement's children need their field names.
    const field = isIf ? fieldName(cursor) : undefined;
    if (field === 'condition') typeCheckingCondition = isTypeCheckingText(cursor.nodeText);
    if (CONTAINERS.has(type)) {
      const typeChecking = placement.typeChecking || (field === 'consequence' && typeCheckingCondition);
      visitModuleStatements(cursor, { conditional: true, typeChecking }, facts, seenImports);
    } else if (IMPORT_STATEMENTS.has(type)) {
      seenImports.add(cursor.startIndex);
      facts.imports.push(...importFacts(cursor, placement.typeChecking ? 'type-checking' : 'module'));
    } else if (type === 'decorated_definition') {
      eachField(cursor, { definition: () => definitionFact(cursor, facts) });
    } else if (type === 'class_definition' || type === 'function_definition') {
      definitionFact(cursor, facts);
    } else if (type === 'expression_statement') {
      eachNamedChild(cursor, () => {
        const setting = settingFact(cursor, placement.conditional);
        if (setting) facts.settings.push(setting);
        return 'stop';
      });
    }
  });
}
const SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;

/** A class's facts, or a function's name (the cursor on the definition). */
function definitionFact(cursor: Cursor, facts: FileFacts): void {
  const type = typeAt(cursor);
  if (type === 'class_definition') facts.classes.push(classFact(cursor));
  else if (type === 'function_definition') {
    let name = '';
    eachField(cursor, { name: () => (name = cursor.nodeText) });
    facts.functions.push(name);
  }
}

interface Callee {
  type: string;
  object?: { type: string; text: string };
  method?: string;
}

/** `NAME = value`, `NAME += value` or `NAME.method(...)` (the cursor on the expression of a statement). */
function settingFact(cursor: Cursor, conditional: boolean): SettingFact | undefined {
  const type = typeAt(cursor);
  const line = cursor.startPosition.row + 1;
  if (type === 'assignment' || type === 'augmented_assignment') {
    let left: { type: string; text: string } | undefined;
    let right: Literal | undefined;
    // `+=` and the like: the second child, the operator.
    let op = type === 'assignment' ? '=' : undefined;
    let index = 0;
    eachChild(cursor, () => {
      const field = fieldName(cursor);
      if (index++ === 1) op ??= cursor.nodeText;
      if (field === 'left' && !left) left = { type: typeAt(cursor), text: cursor.nodeText };
      // The value is read only for an UPPER_CASE name: `urlpatterns = [...]` is no setting.
      else if (field === 'right' && !right && left?.type === 'identifier' && SETTING_NAME.test(left.text)) right = literalAt(cursor);
    });
    if (left?.type !== 'identifier' || !SETTING_NAME.test(left.text) || !right) return undefined;
    return { name: left.text, line, op: op ?? '+=', value: right, conditional };
  }
  if (type === 'call') {
    let callee: Callee | undefined;
    let args: string | undefined;
    eachField(cursor, {
      function: () => {
        const found: Callee = { type: typeAt(cursor) };
        eachField(cursor, {
          object: () => (found.object = { type: typeAt(cursor), text: cursor.nodeText }),
          attribute: () => (found.method = cursor.nodeText),
        });
        callee = found;
      },
      arguments: () => (args = cursor.nodeText),
    });
    const object = callee?.object;
    const method = callee?.method;
    if (callee?.type !== 'attribute' || object?.type !== 'identifier' || !SETTING_NAME.test(object.text) || method === undefined) return undefined;
    return { name: object.text, line, op: method, value: { kind: 'expr', text: args ?? '' }, conditional };
  }
  return undefined;
}

/**
 * The facts of an import statement (the cursor on it) that runs in `scope`, read from its text: an
 * import is names, dots, commas, parentheses, `as`, `*`, comments and line continuations, so its
 * words say all of it. One call into native code, where walking its children took a dozen.
 */
function importFacts(cursor: Cursor, scope: ImportScope): ImportFact[] {
  const line = cursor.startPosition.row + 1;
  // Comments end at the line's end: an import holds no string a `#` could be in. The split leaves
  // undefined where its captured separator did not match.
  const words = cursor.nodeText
    .replace(/#[^\n]*/g, ' ')
    .split(/([.,()*])|\s+|\\/)
    .filter((word) => word !== undefined && word !== '' && word !== '(' && word !== ')');
  if (words[0] === 'import') {
    return importedNames(words.slice(1)).map(({ name, alias }) => (alias !== undefined ? { module: name, level: 0, alias, scope, line } : { module: name, level: 0, scope, line }));
  }
  // from ..a.b import x as y, z
  const at = words.indexOf('import');
  let level = 0;
  while (words[1 + level] === '.') level++;
  const module = words.slice(1 + level, at).join('');
  const imported = words.slice(at + 1);
  const names = imported[0] === '*' ? [{ name: '*' }] : importedNames(imported).map(({ name, alias }) => (alias !== undefined ? { name, alias } : { name }));
  return [{ module, level, names, scope, line }];
}

/** `a.b as c, d` as words: each dotted name, and its alias. */
function importedNames(words: string[]): Array<{ name: string; alias?: string }> {
  const found: Array<{ name: string; alias?: string }> = [];
  let name = '';
  let alias: string | undefined;
  for (let i = 0; i <= words.length; i++) {
    const word = words[i];
    if (word === undefined || word === ',') {
      if (name !== '') found.push({ name, alias });
      name = '';
      alias = undefined;
    } else if (word === 'as') alias = words[++i];
    else name += word;
  }
  return found;
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
  return condition !== null && isTypeCheckingText(condition.text);
}

function isTypeCheckingText(condition: string): boolean {
  return /^(typing\.)?TYPE_CHECKING(\s+is\s+True|\s*==\s*True)?$/.test(condition);
}

/** The strings of a list/tuple literal, or undefined if any item is not a plain string. */
export function stringItems(value: Literal): string[] | undefined {
  if (value.kind !== 'list' && value.kind !== 'tuple') return undefined;
  const strings = value.items.map((item) => (item.kind === 'str' ? item.value : undefined));
  return strings.every((item): item is string => item !== undefined) ? strings : undefined;
}
