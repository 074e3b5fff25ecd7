// The statements of a module that run while it is imported, walked without visiting function bodies:
// its import-time imports, the names it binds at module level and where, the callees it calls, and
// its import statements at any depth (found by their lines, not by walking the tree).
import { importScope, isTypeCheckingCondition } from '../../src/facts';
import type { Node, Tree } from '../../src/parse';
import { sameNode, stringValue } from '../../src/parse';

/** Nodes a binding target is nested in (`a, (b, c) = ...`), up to the statement that binds it. */
export const PATTERN_WRAPPERS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'tuple', 'list', 'parenthesized_expression']);

/** Module-level statements that hold other statements, all of which run at import time. */
const CONTAINERS = new Set(['if_statement', 'try_statement', 'with_statement', 'for_statement', 'while_statement', 'else_clause', 'elif_clause', 'except_clause', 'finally_clause', 'block']);
const IMPORT_STATEMENTS = new Set(['import_statement', 'import_from_statement']);

export interface ModuleScan {
  /** Import statements that run at import time: at module level, in module-level blocks and class bodies. */
  imports: Node[];
  futureAnnotations: boolean;
  /** The module-level `from django.apps import apps [as name]`, and the name it binds. */
  registryImport?: Node;
  registry?: string;
  /** The strings of a module-level `__all__ = [...]`: names other modules may import with `*`. */
  exported: Array<{ name: string; line: number }>;
  calls: Set<string>;
}

/**
 * The lines that bind each name at module level, in order: definitions, assignments, imports, loop
 * and `with` targets, in module-level blocks too, but not under `if TYPE_CHECKING:` (which never runs).
 */
export function moduleBindingLines(tree: Tree): Map<string, number[]> {
  const lines = new Map<string, number[]>();
  const bind = (name: string | undefined, node: Node) => {
    if (name) lines.set(name, [...(lines.get(name) ?? []), node.startPosition.row + 1]);
  };
  const bindTargets = (target: Node | null) => {
    if (!target) return;
    if (target.type === 'identifier') bind(target.text, target);
    else if (PATTERN_WRAPPERS.has(target.type) || target.type === 'as_pattern_target') for (const child of target.namedChildren) bindTargets(child);
  };
  const visit = (container: Node) => {
    for (const statement of container.namedChildren) {
      const type = statement.type;
      if (type === 'if_statement' && isTypeCheckingCondition(statement.childForFieldName('condition'))) {
        for (const clause of statement.namedChildren.filter((child) => child.type === 'else_clause' || child.type === 'elif_clause')) visit(clause);
        continue;
      }
      if (CONTAINERS.has(type)) {
        if (type === 'for_statement') bindTargets(statement.childForFieldName('left'));
        for (const item of type === 'with_statement' ? statement.descendantsOfType('as_pattern_target') : []) bindTargets(item);
        visit(statement);
        continue;
      }
      const definition = type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (definition?.type === 'class_definition' || definition?.type === 'function_definition') bind(definition.childForFieldName('name')?.text, statement);
      else if (IMPORT_STATEMENTS.has(type)) for (const item of statement.childrenForFieldName('name')) bind(boundName(statement, item), statement);
      else if (type === 'expression_statement') {
        const expression = statement.firstNamedChild;
        const isBindingAssignment = expression?.type === 'assignment' ? expression.childForFieldName('right') !== null : expression?.type === 'augmented_assignment';
        if (isBindingAssignment) bindTargets(expression!.childForFieldName('left'));
      }
    }
  };
  visit(tree.rootNode);
  return lines;
}

/** The name an imported item binds: its alias, the imported name, or the first part of `import a.b`. */
export function boundName(statement: Node, item: Node): string | undefined {
  if (item.type === 'aliased_import') return item.childForFieldName('alias')?.text;
  return statement.type === 'import_statement' ? item.text.split('.')[0] : item.text;
}

/** Callees (dotted, as written) called or applied as decorators while the module is imported. */
export function importTimeCalls(tree: Tree): string[] {
  return [...scanModule(tree.rootNode).calls].sort();
}

/** Walks the statements that run at import time; function bodies are skipped. */
export function scanModule(root: Node): ModuleScan {
  const scan: ModuleScan = { imports: [], futureAnnotations: false, exported: [], calls: new Set() };
  const visit = (container: Node) => {
    for (const statement of container.namedChildren) {
      const type = statement.type;
      if (type === 'future_import_statement') {
        if (statement.namedChildren.some((child) => child.text === 'annotations')) scan.futureAnnotations = true;
      } else if (IMPORT_STATEMENTS.has(type)) {
        if (importScope(statement) !== 'module') continue;
        scan.imports.push(statement);
        if (sameNode(container, root) && type === 'import_from_statement' && statement.childForFieldName('module_name')?.text === 'django.apps') {
          const item = statement.childrenForFieldName('name').find((name) => (name.type === 'aliased_import' ? name.childForFieldName('name')?.text : name.text) === 'apps');
          if (item && !scan.registryImport) {
            scan.registryImport = statement;
            scan.registry = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : 'apps';
          }
        }
      } else if (CONTAINERS.has(type)) {
        // Conditions, `with` items and loop iterables run too: the walk takes them as expressions.
        visit(statement);
      } else {
        visitDefinition(statement, scan, visit);
        if (sameNode(container, root)) scan.exported.push(...allNames(statement));
      }
    }
  };
  visit(root);
  return scan;
}

/** Classes run their bodies at import time; functions only their decorators and default values; anything else runs. */
function visitDefinition(statement: Node, scan: ModuleScan, visit: (container: Node) => void): void {
  let definition = statement;
  if (statement.type === 'decorated_definition') {
    for (const decorator of statement.namedChildren.filter((child) => child.type === 'decorator')) {
      const applied = decorator.firstNamedChild;
      if (applied && (applied.type === 'identifier' || applied.type === 'attribute')) scan.calls.add(applied.text);
      addCalls(decorator, scan.calls);
    }
    definition = statement.childForFieldName('definition') ?? statement;
  }
  if (definition.type === 'class_definition') {
    const superclasses = definition.childForFieldName('superclasses');
    if (superclasses) addCalls(superclasses, scan.calls);
    const body = definition.childForFieldName('body');
    if (body) visit(body);
  } else if (definition.type === 'function_definition') {
    const parameters = definition.childForFieldName('parameters');
    if (parameters) addCalls(parameters, scan.calls);
  } else {
    addCalls(definition, scan.calls);
  }
}

/** Callees of the calls in an expression that runs now (not in the body of a lambda in it). */
function addCalls(node: Node, calls: Set<string>): void {
  const lambdas = node.text.includes('lambda');
  for (const call of node.descendantsOfType('call')) {
    const callee = call.childForFieldName('function');
    if (!callee || (callee.type !== 'identifier' && callee.type !== 'attribute')) continue;
    if (!lambdas || !insideLambdaBody(call, node)) calls.add(callee.text);
  }
}

function insideLambdaBody(node: Node, top: Node): boolean {
  let child = node;
  for (let parent = node.parent; parent && !sameNode(child, top); child = parent, parent = parent.parent) {
    if (parent.type === 'lambda' && sameNode(child, parent.childForFieldName('body'))) return true;
  }
  return false;
}

const IMPORT_LINE = /^[ \t]*(?:from[ \t]+[.\w]+[ \t]+)?import\b/gm;

/**
 * Every import statement of the file (at any depth), found by its line rather than by walking the
 * tree, as a lookup from a text offset to the statement that holds it.
 */
export function importStatementsOf(root: Node, text: string): (offset: number) => Node | undefined {
  const statements: Node[] = [];
  for (const match of text.matchAll(IMPORT_LINE)) {
    let node: Node | null = root.descendantForIndex(match.index! + match[0].search(/\S/));
    for (let depth = 0; node && depth < 4 && !IMPORT_STATEMENTS.has(node.type) && node.type !== 'future_import_statement'; depth++) node = node.parent;
    if (node && (IMPORT_STATEMENTS.has(node.type) || node.type === 'future_import_statement')) statements.push(node);
  }
  return (offset) => statements.find((statement) => statement.startIndex <= offset && offset < statement.endIndex);
}

/** The strings of `__all__ = [...]`, if `statement` is that assignment. */
function allNames(statement: Node): Array<{ name: string; line: number }> {
  const assignment = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== '__all__') return [];
  const names: Array<{ name: string; line: number }> = [];
  for (const item of assignment.childForFieldName('right')?.namedChildren ?? []) {
    const name = stringValue(item);
    if (name) names.push({ name, line: item.startPosition.row + 1 });
  }
  return names;
}

