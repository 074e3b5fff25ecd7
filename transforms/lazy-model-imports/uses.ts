// Where the names a module imports at import time are used, and whether each use can read a model
// lazily: inside a function body (a lookup at the top of the function), as a relation field's target
// (a "label.Model" string), in an annotation (quoted, the import kept for type checkers) — or not at
// all, because it runs while the module is being imported. This reads one file; which names are
// models and which imports form cycles is for the project index to say (see plan.ts).
import { isTypeCheckingCondition } from '../../src/facts';
import type { Node, Tree } from '../../src/parse';
import { sameNode } from '../../src/parse';
import { bodyInsertion, quoteFor } from './layout';
import { boundName, importStatementsOf, PATTERN_WRAPPERS, scanModule } from './module-scan';

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

/** Uses that run while the module is imported (the others have no room for a lazy form, but run later). */
export const IMPORT_TIME_KINDS: ReadonlySet<BlockedKind> = new Set<BlockedKind>(['base-class', 'decorator', 'signal-sender', 'default-argument', 'class-body', 'module-level']);

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
  /** Callees (dotted, as written) called or applied as decorators while the module is imported. */
  importTimeCalls: string[];
  /** Whether the file reads or binds `name` (not as an attribute or keyword): a new local `name` would clash. */
  hasName(name: string): boolean;
}

/** Modules that are never project modules: their names are not followed. */
const FOREIGN_ROOTS = new Set(['__future__', 'django', 'typing', 'typing_extensions']);

/** Relation fields whose target may be a lazy `"app_label.Model"` string. */
const RELATION_FIELDS = new Set(['ForeignKey', 'OneToOneField', 'ManyToManyField', 'GenericRelation', 'ParentalKey', 'ParentalManyToManyField', 'TreeForeignKey', 'TreeOneToOneField', 'TreeManyToManyField']);
const RELATION_KEYWORDS = new Set(['to', 'through']);

/**
 * The file's import-time imports and every use of the names they bind. Only module-level statements
 * are walked (a query would visit every node of every file); uses are found by searching the text
 * for each imported name, then reading the tree where it occurs.
 */
export function findImportUses(tree: Tree, text: string): FileUses {
  const root = tree.rootNode;
  const scan = scanModule(root);
  const enclosingImport = importStatementsOf(root, text);
  const bindings = scan.imports.flatMap(importBindings);
  const byLocal = new Map<string, ImportBinding[]>();
  for (const binding of bindings) byLocal.set(binding.local, [...(byLocal.get(binding.local) ?? []), binding]);
  for (const same of byLocal.values()) {
    if (same.length < 2) continue;
    for (const binding of same) for (const other of same) if (other !== binding) binding.problems.push({ line: other.line, kind: 'rebound' });
  }
  for (const [local, sharing] of byLocal) {
    for (const { node, index } of occurrences(root, text, local)) {
      const line = node.startPosition.row + 1;
      if (node.type !== 'identifier') {
        for (const binding of sharing) addStringAnnotation(binding, node, index, text);
        continue;
      }
      if (isAttributeName(node) || isKeywordName(node)) continue;
      const statement = enclosingImport(index);
      for (const binding of sharing) {
        if (sameNode(statement, binding.statement)) continue;
        if (statement ? bindsName(statement, local) : isBinding(node)) {
          binding.problems.push({ line, kind: 'rebound' });
          continue;
        }
        if (statement) continue;
        const site = useSite(binding, node, scan.futureAnnotations, text);
        if (site) binding.sites.push(site);
      }
    }
  }
  for (const exported of scan.exported) {
    for (const binding of byLocal.get(exported.name) ?? []) binding.problems.push({ line: exported.line, kind: 'exported' });
  }
  const registry = scan.registry ?? 'apps';
  const registryTaken = occurrences(root, text, registry).find(({ node, index }) => {
    if (node.type !== 'identifier' || isAttributeName(node) || isKeywordName(node)) return false;
    const statement = enclosingImport(index);
    if (statement) return !sameNode(statement, scan.registryImport) && bindsName(statement, registry);
    return scan.registryImport === undefined || isBinding(node);
  });
  const hasName = (name: string) => occurrences(root, text, name).some(({ node }) => node.type === 'identifier' && !isAttributeName(node) && !isKeywordName(node));
  return {
    bindings,
    futureAnnotations: scan.futureAnnotations,
    registry,
    registryTaken: registryTaken && registryTaken.node.startPosition.row + 1,
    importTimeCalls: [...scan.calls].sort(),
    hasName,
  };
}

/** Where `name` occurs in the text as a whole word: the smallest node there, an identifier or a string's content. */
function occurrences(root: Node, text: string, name: string): Array<{ node: Node; index: number }> {
  const found: Array<{ node: Node; index: number }> = [];
  for (let index = text.indexOf(name); index !== -1; index = text.indexOf(name, index + name.length)) {
    // `x.name` is an attribute, never the name itself: no need to look at the tree.
    if (isNameCharacter(text[index - 1]) || isNameCharacter(text[index + name.length]) || text[index - 1] === '.') continue;
    const node = root.descendantForIndex(index, index + name.length);
    if (node.type === 'identifier' ? node.startIndex === index : node.type === 'string_content') found.push({ node, index });
  }
  return found;
}

function isNameCharacter(character: string | undefined): boolean {
  if (character === undefined) return false;
  return /[A-Za-z0-9_]/.test(character) || (character > '\x7f' && /[\p{L}\p{N}]/u.test(character));
}

/** Whether an import statement binds `name` (`import name`, `import name.x`, `from m import name`, `... as name`). */
function bindsName(statement: Node, name: string): boolean {
  return statement.childrenForFieldName('name').some((item) => boundName(statement, item) === name);
}

/** Every name bound by an import statement, except from modules that are never the project's. */
function importBindings(statement: Node): ImportBinding[] {
  const line = statement.startPosition.row + 1;
  const topLevel = statement.parent?.type === 'module';
  const base = { statement, line, topLevel };
  if (statement.type === 'import_statement') {
    return statement.childrenForFieldName('name').flatMap((item) => {
      const dotted = (item.type === 'aliased_import' ? item.childForFieldName('name') : item)?.text ?? '';
      const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
      if (FOREIGN_ROOTS.has(dotted.split('.')[0])) return [];
      return [{ ...base, sites: [], problems: [], module: dotted, level: 0, dotted, alias, local: alias ?? dotted.split('.')[0] }];
    });
  }
  const moduleNode = statement.childForFieldName('module_name');
  const level = moduleNode?.type === 'relative_import' ? (moduleNode.namedChildren.find((child) => child.type === 'import_prefix')?.text.length ?? 0) : 0;
  const module = (moduleNode?.type === 'relative_import' ? moduleNode.namedChildren.find((child) => child.type === 'dotted_name')?.text : moduleNode?.text) ?? '';
  if (level === 0 && FOREIGN_ROOTS.has(module.split('.')[0])) return [];
  if (statement.namedChildren.some((child) => child.type === 'wildcard_import')) {
    return [{ ...base, sites: [], problems: [{ line, kind: 'star' }], module, level, name: '*', local: '*' }];
  }
  return statement.childrenForFieldName('name').map((item) => {
    const name = (item.type === 'aliased_import' ? item.childForFieldName('name') : item)?.text ?? '';
    const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
    return { ...base, sites: [], problems: [], module, level, name, alias, local: alias ?? name };
  });
}

/** The use that identifier `node` makes of `binding`, if it goes through it. */
function useSite(binding: ImportBinding, node: Node, future: boolean, text: string): UseSite | undefined {
  const line = node.startPosition.row + 1;
  if (binding.dotted !== undefined && binding.alias === undefined) {
    // `import a.b` binds `a`; its uses are the chains `a.b.Member`.
    let chain = node;
    for (const part of binding.dotted.split('.').slice(1)) {
      const parent = chain.parent;
      if (parent?.type !== 'attribute' || !sameNode(parent.childForFieldName('object'), chain) || parent.childForFieldName('attribute')?.text !== part) return undefined;
      chain = parent;
    }
    return moduleUse(chain, line, future, text, true);
  }
  return moduleUse(node, line, future, text, binding.dotted !== undefined);
}

function moduleUse(expression: Node, line: number, future: boolean, text: string, isModule: boolean): UseSite {
  const bare = place(expression, future, text);
  const parent = expression.parent;
  if (parent?.type === 'attribute' && sameNode(parent.childForFieldName('object'), expression)) {
    const member = parent.childForFieldName('attribute')?.text;
    if (member) return { line, bare, member, viaMember: place(parent, future, text) };
  }
  // A module binding used on its own (passed around, or `getattr`): no member to make lazy.
  return isModule ? { line, bare: { ...bare, context: 'blocked', kind: 'module-object' } } : { line, bare };
}

/** The placement of an expression that reads an imported name. */
export function place(expression: Node, future: boolean, text: string): Placement {
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
        if (sameNode(child, node.childForFieldName('body'))) {
          if (annotation) return annotationPlacement(expression, annotation, future);
          if (bodyInsertion(node, text) === undefined) return { context: 'blocked', kind: 'one-line-body', expression, function: node };
          return { context: 'function', expression, function: node, topFunction: topLevelFunctionName(node) };
        }
        if (sameNode(child, node.childForFieldName('parameters'))) kind ??= 'default-argument';
        break;
      case 'lambda':
        kind ??= sameNode(child, node.childForFieldName('body')) ? 'lambda' : 'default-argument';
        break;
      case 'keyword_argument':
        if (sameNode(child, node.childForFieldName('value')) && node.childForFieldName('name')?.text === 'sender') kind ??= 'signal-sender';
        break;
      case 'decorator':
        kind ??= 'decorator';
        break;
      case 'class_definition':
        if (sameNode(child, node.childForFieldName('superclasses'))) kind ??= 'base-class';
        else if (sameNode(child, node.childForFieldName('body'))) kind ??= 'class-body';
        break;
      case 'if_statement':
        // `if TYPE_CHECKING:` never runs: what it holds is for type checkers only.
        if (sameNode(child, node.childForFieldName('consequence')) && isTypeCheckingCondition(node.childForFieldName('condition'))) return { context: 'type-string', expression };
        break;
    }
  }
  if (annotation && kind !== 'type-alias') return annotationPlacement(expression, annotation, future);
  if (relation && (kind === undefined || kind === 'class-body')) return { context: 'relation', expression };
  return { context: 'blocked', kind: kind ?? 'module-level', expression };
}

function annotationPlacement(expression: Node, annotation: Node, future: boolean): Placement {
  if (future) return { context: 'type-string', expression, annotation };
  // Whichever quote the file prefers, the other serves when the annotation holds it: either both can, or neither.
  if (quoteFor(annotation.text, '"') === undefined) return { context: 'blocked', kind: 'unquotable-annotation', expression, annotation };
  return { context: 'annotation', expression, annotation };
}

function isRelationTarget(expression: Node): boolean {
  let args = expression.parent;
  if (args?.type === 'keyword_argument') {
    if (!sameNode(args.childForFieldName('value'), expression) || !RELATION_KEYWORDS.has(args.childForFieldName('name')?.text ?? '')) return false;
    args = args.parent;
  } else if (args?.type === 'argument_list') {
    const positional = args.namedChildren.filter((child) => child.type !== 'comment' && child.type !== 'keyword_argument');
    if (!sameNode(positional[0], expression)) return false;
  } else {
    return false;
  }
  const call = args?.type === 'argument_list' ? args.parent : null;
  const callee = call?.type === 'call' ? call.childForFieldName('function')?.text : undefined;
  return callee !== undefined && RELATION_FIELDS.has(callee.split('.').pop()!);
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
  return node.parent?.type === 'attribute' && sameNode(node.parent.childForFieldName('attribute'), node);
}

function isKeywordName(node: Node): boolean {
  return node.parent?.type === 'keyword_argument' && sameNode(node.parent.childForFieldName('name'), node);
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
      return sameNode(parent.firstNamedChild, node);
    case 'default_parameter':
    case 'typed_default_parameter':
    case 'named_expression':
    case 'function_definition':
    case 'class_definition':
      return sameNode(parent.childForFieldName('name'), node);
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
    return sameNode(holder.childForFieldName('left'), target);
  }
  return false;
}

/** `"Order"` or `"models.Order"` inside an annotation: a use only type checkers read. */
function addStringAnnotation(binding: ImportBinding, content: Node, index: number, text: string): void {
  // `"app.models.Order"` does not read a binding called `models`.
  if (!insideAnnotation(content) || text[index - 1] === '.') return;
  const placement: Placement = { context: 'type-string', expression: content };
  // `import a.b` is read as `a.b.Member`; other module bindings as `local.Member`.
  const prefix = binding.dotted !== undefined && binding.alias === undefined ? binding.dotted : binding.local;
  const member = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.([\\p{L}_][\\p{L}\\p{N}_]*)`, 'u').exec(text.slice(index, content.endIndex))?.[1];
  if (binding.dotted !== undefined && binding.alias === undefined && member === undefined) return;
  const line = content.startPosition.row + text.slice(content.startIndex, index).split('\n').length;
  binding.sites.push({ line, bare: placement, ...(member ? { member, viaMember: placement } : {}) });
}

function insideAnnotation(node: Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type === 'type') return true;
    if (parent.type === 'block' || parent.type === 'module') return false;
  }
  return false;
}

