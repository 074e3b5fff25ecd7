// Where the names a module imports at import time are used, and whether each use can read a model
// lazily: inside a function body (a lookup at the top of the function), as a relation field's target
// (a "label.Model" string), in an annotation (quoted, the import kept for type checkers) — or not at
// all, because it runs while the module is being imported. This reads one file; which names are
// models and which imports form cycles is for the project index to say (see plan.ts).
import { importScope } from '../../src/facts';
import type { Node, Tree } from '../../src/parse';
import { query, stringValue } from '../../src/parse';

/** Where a use sits, and so what its lazy form is. */
export type UseContext =
  /** In a function body: `Model = apps.get_model(...)` at the top of that function. */
  | 'function'
  /** The target of a relation field at import time: the lazy string `"label.Model"`. */
  | 'relation'
  /** An annotation Python evaluates: quoted; the import moves under `if TYPE_CHECKING:`. */
  | 'annotation'
  /** A string annotation, or any annotation under `from __future__ import annotations`: only type checkers read it. */
  | 'type-string'
  /** Runs while the module is imported, or has no room for a lazy form (see `BlockedKind`). */
  | 'blocked';

export type BlockedKind =
  | 'base-class'
  | 'decorator'
  | 'signal-sender'
  | 'default-argument'
  | 'class-body'
  | 'lambda'
  | 'type-alias'
  | 'module-level'
  /** A function whose body starts on its `def` line: no line to put a lookup on. */
  | 'one-line-body'
  /** An annotation that spans lines or holds both kinds of quotes. */
  | 'unquotable-annotation'
  /** A module bound by an import, used on its own rather than through one of its names. */
  | 'module-object';

export interface Placement {
  context: UseContext;
  kind?: BlockedKind;
  /** The expression the lazy form replaces: the name, or `module.Member`. */
  expression: Node;
  /** `function`: the innermost function whose body holds the use. */
  function?: Node;
  /** `function`: the name of the module-level function (not method) that holds it, for import-time call checks. */
  topFunction?: string;
  /** `annotation`: the whole annotation, which is quoted as one. */
  annotation?: Node;
}

export interface UseSite {
  line: number;
  /** The use of the bound name itself (`Order` in `Order.objects.all()`). */
  bare: Placement;
  /** `module.Member` through a module binding (`models.Order`): the member and that expression's placement. */
  member?: string;
  viaMember?: Placement;
}

/** Why the import of a binding cannot be changed whatever its uses are. */
export type BindingProblemKind = 'rebound' | 'exported' | 'star';

export interface BindingProblem {
  line: number;
  kind: BindingProblemKind;
}

export interface ImportBinding {
  statement: Node;
  /** First line of the import statement. */
  line: number;
  /** The module as written, without leading dots, and the number of dots. */
  module: string;
  level: number;
  /** `from m import name [as alias]`: the imported name. */
  name?: string;
  /** `import a.b [as alias]`: the dotted module. */
  dotted?: string;
  alias?: string;
  /** The name bound in this module: the alias, the imported name, or `a` for `import a.b`. */
  local: string;
  /** A direct child of the module (not inside a `try`/`if` block or a class body). */
  topLevel: boolean;
  sites: UseSite[];
  problems: BindingProblem[];
}

export interface FileUses {
  bindings: ImportBinding[];
  futureAnnotations: boolean;
  /** The name lookups call `get_model()` on: `apps`, or the alias the file already imports it as. */
  registry: string;
  /** Line where that name is bound or read other than through `from django.apps import apps`. */
  registryTaken?: number;
  /** The quote the file's strings mostly use. */
  quote: '"' | "'";
  /** Callees (dotted, as written) called or applied as decorators while the module is imported. */
  importTimeCalls: string[];
  /** Every name the file binds or reads, for telling whether a new local name would clash. */
  names: Set<string>;
}

const IMPORTS = query('[(import_statement) (import_from_statement)] @import');
const FUTURE = query('(future_import_statement) @future');
const IDENTIFIERS = query('(identifier) @id');
const STRINGS = query('(string) @string');
const CALLS = query('[(call function: (_) @callee) (decorator . (_) @callee)]');
const ALL_ASSIGNMENT = query('(module (expression_statement (assignment left: (identifier) @name (#eq? @name "__all__") right: (_) @value)))');

/** Modules that are never project modules: their names are not followed. */
const FOREIGN_ROOTS = new Set(['__future__', 'django', 'typing', 'typing_extensions']);

/** Relation fields whose target may be a lazy `"app_label.Model"` string. */
const RELATION_FIELDS = new Set(['ForeignKey', 'OneToOneField', 'ManyToManyField', 'GenericRelation', 'ParentalKey', 'ParentalManyToManyField', 'TreeForeignKey', 'TreeOneToOneField', 'TreeManyToManyField']);
const RELATION_KEYWORDS = new Set(['to', 'through']);

/** Nodes a binding target is nested in (`a, (b, c) = ...`), up to the statement that binds it. */
const PATTERN_WRAPPERS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'tuple', 'list', 'parenthesized_expression']);

export function findImportUses(tree: Tree, text: string): FileUses {
  const root = tree.rootNode;
  const futureAnnotations = FUTURE.captures(root).some((capture) => capture.node.namedChildren.some((child) => child.text === 'annotations'));
  const quote = preferredQuote(root);
  const bindings = importBindings(root);
  const byLocal = new Map<string, ImportBinding[]>();
  for (const binding of bindings) byLocal.set(binding.local, [...(byLocal.get(binding.local) ?? []), binding]);
  for (const same of byLocal.values()) {
    if (same.length < 2) continue;
    for (const binding of same) for (const other of same) if (other !== binding) binding.problems.push({ line: other.line, kind: 'rebound' });
  }

  const names = new Set<string>();
  const registry = appRegistry(root);
  let registryTaken = registry.taken;
  for (const { node } of IDENTIFIERS.captures(root)) {
    if (isAttributeName(node) || isKeywordName(node)) continue;
    const name = node.text;
    names.add(name);
    if (insideImport(node)) continue;
    const line = node.startPosition.row + 1;
    if (name === registry.name && (!registry.imported || isBinding(node))) registryTaken ??= line;
    for (const binding of byLocal.get(name) ?? []) {
      if (isBinding(node)) {
        binding.problems.push({ line, kind: 'rebound' });
        continue;
      }
      const site = useSite(binding, node, futureAnnotations, quote, text);
      if (site) binding.sites.push(site);
    }
  }
  addStringAnnotations(root, byLocal);
  for (const exported of allNames(root)) {
    for (const binding of byLocal.get(exported.name) ?? []) binding.problems.push({ line: exported.line, kind: 'exported' });
  }
  return { bindings, futureAnnotations, registry: registry.name, registryTaken, quote, importTimeCalls: importTimeCalls(root), names };
}

/** Every name bound by an import that runs at import time, except from modules that are never the project's. */
function importBindings(root: Node): ImportBinding[] {
  const bindings: ImportBinding[] = [];
  for (const { node: statement } of IMPORTS.captures(root)) {
    if (importScope(statement) !== 'module') continue;
    const line = statement.startPosition.row + 1;
    const topLevel = statement.parent?.type === 'module';
    const base = { statement, line, topLevel, sites: [], problems: [] };
    if (statement.type === 'import_statement') {
      for (const item of statement.childrenForFieldName('name')) {
        const dotted = (item.type === 'aliased_import' ? item.childForFieldName('name') : item)?.text ?? '';
        const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
        if (FOREIGN_ROOTS.has(dotted.split('.')[0])) continue;
        bindings.push({ ...base, sites: [], problems: [], module: dotted, level: 0, dotted, alias, local: alias ?? dotted.split('.')[0] });
      }
      continue;
    }
    const moduleNode = statement.childForFieldName('module_name');
    const level = moduleNode?.type === 'relative_import' ? (moduleNode.namedChildren.find((child) => child.type === 'import_prefix')?.text.length ?? 0) : 0;
    const module = (moduleNode?.type === 'relative_import' ? moduleNode.namedChildren.find((child) => child.type === 'dotted_name')?.text : moduleNode?.text) ?? '';
    if (level === 0 && FOREIGN_ROOTS.has(module.split('.')[0])) continue;
    if (statement.namedChildren.some((child) => child.type === 'wildcard_import')) {
      bindings.push({ ...base, sites: [], problems: [{ line, kind: 'star' }], module, level, name: '*', local: '*' });
      continue;
    }
    for (const item of statement.childrenForFieldName('name')) {
      const name = (item.type === 'aliased_import' ? item.childForFieldName('name') : item)?.text ?? '';
      const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
      bindings.push({ ...base, sites: [], problems: [], module, level, name, alias, local: alias ?? name });
    }
  }
  return bindings;
}

/**
 * The name the file reaches Django's app registry by: the name `from django.apps import apps [as x]`
 * binds at module level, else `apps` (to be imported). `taken` is the line of the first import that
 * binds that name to anything else, anywhere: a function's own import of it would shadow a lookup put
 * at the function's top.
 */
function appRegistry(root: Node): { name: string; imported: boolean; taken?: number } {
  let found: { name: string; imported: boolean } | undefined;
  const others: Array<{ bound: string; line: number }> = [];
  for (const { node: statement } of IMPORTS.captures(root)) {
    const module = statement.childForFieldName('module_name')?.text;
    for (const item of statement.childrenForFieldName('name')) {
      const name = (item.type === 'aliased_import' ? item.childForFieldName('name') : item)?.text;
      const bound = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : item.text.split('.')[0];
      if (!bound) continue;
      if (module === 'django.apps' && name === 'apps' && statement.parent?.type === 'module') found ??= { name: bound, imported: true };
      else others.push({ bound, line: statement.startPosition.row + 1 });
    }
  }
  const registry = found ?? { name: 'apps', imported: false };
  return { ...registry, taken: others.find((other) => other.bound === registry.name)?.line };
}

/** The use that identifier `node` makes of `binding`, if it goes through it. */
function useSite(binding: ImportBinding, node: Node, future: boolean, quote: string, text: string): UseSite | undefined {
  const line = node.startPosition.row + 1;
  if (binding.dotted !== undefined && binding.alias === undefined) {
    // `import a.b` binds `a`; its uses are the chains `a.b.Member`.
    let chain = node;
    for (const part of binding.dotted.split('.').slice(1)) {
      const parent = chain.parent;
      if (parent?.type !== 'attribute' || parent.childForFieldName('object') !== chain || parent.childForFieldName('attribute')?.text !== part) return undefined;
      chain = parent;
    }
    return moduleUse(chain, line, future, quote, text, true);
  }
  return moduleUse(node, line, future, quote, text, binding.dotted !== undefined);
}

function moduleUse(expression: Node, line: number, future: boolean, quote: string, text: string, isModule: boolean): UseSite {
  const bare = place(expression, future, quote, text);
  const parent = expression.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('object') === expression) {
    const member = parent.childForFieldName('attribute')?.text;
    if (member) return { line, bare, member, viaMember: place(parent, future, quote, text) };
  }
  // A module binding used on its own (passed around, or `getattr`): no member to make lazy.
  return isModule ? { line, bare: { ...bare, context: 'blocked', kind: 'module-object' } } : { line, bare };
}

/** The placement of an expression that reads an imported name. */
export function place(expression: Node, future: boolean, quote: string, text: string): Placement {
  const relation = isRelationTarget(expression);
  let annotation: Node | undefined;
  let kind: BlockedKind | undefined;
  let child = expression;
  for (let node = expression.parent; node; child = node, node = node.parent) {
    switch (node.type) {
      case 'type':
        annotation = node;
        if (node.parent?.type === 'type_alias_statement') kind ??= 'type-alias';
        break;
      case 'function_definition':
        if (child === node.childForFieldName('body')) {
          if (annotation) return annotationPlacement(expression, annotation, future, quote);
          if (bodyInsertion(node, text) === undefined) return { context: 'blocked', kind: 'one-line-body', expression, function: node };
          return { context: 'function', expression, function: node, topFunction: topLevelFunctionName(node) };
        }
        if (child === node.childForFieldName('parameters')) kind ??= 'default-argument';
        break;
      case 'lambda':
        kind ??= child === node.childForFieldName('body') ? 'lambda' : 'default-argument';
        break;
      case 'keyword_argument':
        if (child === node.childForFieldName('value') && node.childForFieldName('name')?.text === 'sender') kind ??= 'signal-sender';
        break;
      case 'decorator':
        kind ??= 'decorator';
        break;
      case 'class_definition':
        if (child === node.childForFieldName('superclasses')) kind ??= 'base-class';
        else if (child === node.childForFieldName('body')) kind ??= 'class-body';
        break;
    }
  }
  if (annotation && kind !== 'type-alias') return annotationPlacement(expression, annotation, future, quote);
  if (relation && (kind === undefined || kind === 'class-body')) return { context: 'relation', expression };
  return { context: 'blocked', kind: kind ?? 'module-level', expression };
}

function annotationPlacement(expression: Node, annotation: Node, future: boolean, quote: string): Placement {
  if (future) return { context: 'type-string', expression, annotation };
  if (quoteFor(annotation.text, quote) === undefined) return { context: 'blocked', kind: 'unquotable-annotation', expression, annotation };
  return { context: 'annotation', expression, annotation };
}

/** The quote that can wrap `text` as a string annotation: the file's own unless the text holds it. */
export function quoteFor(text: string, preferred: string): string | undefined {
  if (/[\r\n\\]/.test(text)) return undefined;
  const other = preferred === '"' ? "'" : '"';
  if (!text.includes(preferred)) return preferred;
  return text.includes(other) ? undefined : other;
}

function isRelationTarget(expression: Node): boolean {
  let args = expression.parent;
  if (args?.type === 'keyword_argument') {
    if (args.childForFieldName('value') !== expression || !RELATION_KEYWORDS.has(args.childForFieldName('name')?.text ?? '')) return false;
    args = args.parent;
  } else if (args?.type === 'argument_list') {
    const positional = args.namedChildren.filter((child) => child.type !== 'comment' && child.type !== 'keyword_argument');
    if (positional[0] !== expression) return false;
  } else {
    return false;
  }
  const call = args?.type === 'argument_list' ? args.parent : null;
  const callee = call?.type === 'call' ? call.childForFieldName('function')?.text : undefined;
  return callee !== undefined && RELATION_FIELDS.has(callee.split('.').pop()!);
}

/**
 * Where a line that looks a model up goes at the top of a function's body: after its docstring,
 * before its first statement, with that statement's indentation; undefined when the body starts on
 * the `def` line or shares a line with the docstring.
 */
export function bodyInsertion(definition: Node, text: string): { at: number; indent: string } | undefined {
  const body = definition.childForFieldName('body');
  const statements = body?.namedChildren.filter((node) => node.type !== 'comment') ?? [];
  const parameters = definition.childForFieldName('parameters');
  if (!body || statements.length === 0 || !parameters) return undefined;
  const headerRow = (definition.childForFieldName('return_type') ?? parameters).endPosition.row;
  const [first, second] = statements;
  if (first.startPosition.row === headerRow) return undefined;
  const indent = text.slice(lineStartOf(text, first.startIndex), first.startIndex);
  if (indent.trim() !== '') return undefined;
  if (!isDocstring(first)) return { at: lineStartOf(text, first.startIndex), indent };
  if (second && second.startPosition.row === first.endPosition.row) return undefined;
  const newline = text.indexOf('\n', first.endIndex);
  if (!/^[ \t]*(#[^\n]*)?\r?$/.test(text.slice(first.endIndex, newline === -1 ? text.length : newline))) return undefined;
  return { at: newline === -1 ? text.length : newline + 1, indent };
}

function isDocstring(statement: Node): boolean {
  return statement.type === 'expression_statement' && statement.namedChildren.length === 1 && statement.firstNamedChild?.type === 'string';
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The name of the module-level function that holds `definition` (itself included); undefined inside classes. */
function topLevelFunctionName(definition: Node): string | undefined {
  let outermost = definition;
  for (let node = definition.parent; node; node = node.parent) {
    if (node.type === 'class_definition') return undefined;
    if (node.type === 'function_definition') outermost = node;
  }
  const parent = outermost.parent?.type === 'decorated_definition' ? outermost.parent.parent : outermost.parent;
  return parent?.type === 'module' ? outermost.childForFieldName('name')?.text : undefined;
}

function isAttributeName(node: Node): boolean {
  return node.parent?.type === 'attribute' && node.parent.childForFieldName('attribute') === node;
}

function isKeywordName(node: Node): boolean {
  return node.parent?.type === 'keyword_argument' && node.parent.childForFieldName('name') === node;
}

function insideImport(node: Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type === 'import_statement' || parent.type === 'import_from_statement' || parent.type === 'future_import_statement') return true;
    if (parent.type.endsWith('statement') || parent.type === 'block' || parent.type === 'module') return false;
  }
  return false;
}

/** Whether the identifier is assigned, deleted, declared global, or is a parameter or a definition's name. */
function isBinding(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'parameters':
    case 'lambda_parameters':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'delete_statement':
      return true;
    case 'typed_parameter':
      return parent.firstNamedChild === node;
    case 'default_parameter':
    case 'typed_default_parameter':
    case 'named_expression':
    case 'function_definition':
    case 'class_definition':
      return parent.childForFieldName('name') === node;
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
      if (['parameters', 'lambda_parameters', 'typed_parameter'].includes(parent.parent?.type ?? '')) return true;
  }
  let target = node;
  while (target.parent && PATTERN_WRAPPERS.has(target.parent.type)) target = target.parent;
  const holder = target.parent;
  if (!holder) return false;
  if (holder.type === 'as_pattern_target') return true;
  if (holder.type === 'assignment' || holder.type === 'augmented_assignment' || holder.type === 'for_statement' || holder.type === 'for_in_clause') {
    return holder.childForFieldName('left') === target;
  }
  return false;
}

/** Names mentioned inside string annotations (`x: "Order"`, `Optional["models.Order"]`): uses only type checkers read. */
function addStringAnnotations(root: Node, byLocal: Map<string, ImportBinding[]>): void {
  for (const { node } of STRINGS.captures(root)) {
    if (!insideAnnotation(node)) continue;
    const content = stringValue(node);
    if (content === undefined) continue;
    for (const match of content.matchAll(/[A-Za-z_][\w.]*/g)) {
      const [head, ...rest] = match[0].split('.');
      for (const binding of byLocal.get(head) ?? []) {
        const placement: Placement = { context: 'type-string', expression: node };
        const prefix = binding.dotted !== undefined && binding.alias === undefined ? binding.dotted.split('.').length - 1 : 0;
        const member = rest[prefix];
        binding.sites.push({ line: node.startPosition.row + 1, bare: placement, ...(member ? { member, viaMember: placement } : {}) });
      }
    }
  }
}

function insideAnnotation(node: Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type === 'type') return true;
    if (parent.type === 'block' || parent.type === 'module') return false;
  }
  return false;
}

/** The strings of a module-level `__all__ = [...]`: names other modules may import with `*`. */
function allNames(root: Node): Array<{ name: string; line: number }> {
  const names: Array<{ name: string; line: number }> = [];
  for (const match of ALL_ASSIGNMENT.matches(root)) {
    const value = match.captures.find((capture) => capture.name === 'value')?.node;
    for (const item of value?.namedChildren ?? []) {
      const name = stringValue(item);
      if (name) names.push({ name, line: item.startPosition.row + 1 });
    }
  }
  return names;
}

/** Callees that run while the module is imported: calls and decorators outside function bodies. */
function importTimeCalls(root: Node): string[] {
  const callees = new Set<string>();
  for (const { node } of CALLS.captures(root)) {
    if ((node.type === 'identifier' || node.type === 'attribute') && !insideFunctionBody(node)) callees.add(node.text);
  }
  return [...callees].sort();
}

function insideFunctionBody(node: Node): boolean {
  let child = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === 'function_definition' && child === parent.childForFieldName('body')) return true;
    if (parent.type === 'lambda' && child === parent.childForFieldName('body')) return true;
  }
  return false;
}

/** `"` unless most of the file's one-line strings use `'`. */
function preferredQuote(root: Node): '"' | "'" {
  let single = 0;
  let double = 0;
  for (const { node } of STRINGS.captures(root)) {
    const start = node.firstChild?.text ?? '';
    if (start === "'") single++;
    else if (start === '"') double++;
  }
  return single > double ? "'" : '"';
}
