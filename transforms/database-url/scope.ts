// Following a name to the one value it was given: in the settings file itself (a single module-level
// assignment before the point of use) or, for an UPPER_CASE setting, in the settings files it
// star-imports. Anything assigned twice, conditionally or by import is not followed.
import type { Node } from '../../src/parse';
import { parsePython, query } from '../../src/parse';
import type { ProjectIndex } from '../../src/project/index';
import { settingStatements } from '../../src/project/index';
import { positionOf } from '../../src/source';

export interface NameScope {
  /** Module-level import bindings: local name to qualified name. */
  bindings: Record<string, string>;
  /** The value a name was given once, with the scope to read that value in. */
  assigned(name: string): { node: Node; scope: NameScope; where: string } | undefined;
}

const ASSIGNMENTS = query(`[
  (assignment left: (identifier) @name) @assign
  (augmented_assignment left: (identifier) @name) @assign
  (assignment left: (pattern_list (identifier) @name)) @assign
  (assignment left: (tuple_pattern (identifier) @name)) @assign
  (assignment left: (list_pattern (identifier) @name)) @assign
  (for_statement left: (identifier) @name) @assign
  (as_pattern alias: (as_pattern_target (identifier) @name)) @assign
  (function_definition name: (identifier) @name) @assign
  (class_definition name: (identifier) @name) @assign
]`);

function insideDefinition(node: Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type === 'function_definition' || parent.type === 'class_definition' || parent.type === 'lambda') return true;
  }
  return false;
}

/** Every module-level binding statement of a file, by name (assignments nested in blocks included). */
function bindingsByName(root: Node): Map<string, Node[]> {
  const found = new Map<string, Node[]>();
  for (const match of ASSIGNMENTS.matches(root)) {
    const name = match.captures.find((capture) => capture.name === 'name')!.node;
    const statement = match.captures.find((capture) => capture.name === 'assign')!.node;
    // A function's own name is bound at module level; its body is not.
    const definition = statement.type === 'function_definition' || statement.type === 'class_definition';
    if (definition ? statement.parent?.type !== 'module' && insideDefinition(statement) : insideDefinition(statement)) continue;
    found.set(name.text, [...(found.get(name.text) ?? []), statement]);
  }
  return found;
}

/** The scope of a settings file at a point of its text: `scopeAt(offset)` sees assignments that end before it. */
export function fileScope(path: string, text: string, root: Node, module: string, index: ProjectIndex): (before: number) => NameScope {
  const assignments = bindingsByName(root);
  const bindings = index.bindings[module] ?? {};
  return (before) => ({
    bindings,
    assigned(name) {
      if (name in bindings) return undefined;
      const statements = assignments.get(name);
      if (!statements) return starImported(index, path, name);
      if (statements.length !== 1) return undefined;
      const [statement] = statements;
      const top = statement.type === 'assignment' && statement.parent?.type === 'expression_statement' && statement.parent.parent?.type === 'module';
      const value = statement.childForFieldName('right');
      if (!top || !value || statement.endIndex > before || value.type === 'assignment') return undefined;
      return { node: value, scope: this, where: `${path}:${positionOf(text, statement.startIndex).line}` };
    },
  });
}

/** An UPPER_CASE setting a star-imported settings file assigns once, unconditionally. */
function starImported(index: ProjectIndex, path: string, name: string): ReturnType<NameScope['assigned']> {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) return undefined;
  const found = settingStatements(index, path, name);
  if (!found || found.path === path || found.facts.length !== 1) return undefined;
  const [fact] = found.facts;
  if (fact.op !== '=' || fact.conditional) return undefined;
  const source = fact.value.kind === 'expr' ? fact.value.text : undefined;
  const node = source === undefined ? literalNode(fact.value) : parsePython(source).rootNode.firstNamedChild?.firstNamedChild;
  if (!node || node.hasError) return undefined;
  const module = index.files[found.path]?.module ?? '';
  const scope: NameScope = {
    bindings: index.bindings[module] ?? {},
    assigned: (other) => starImported(index, found.path, other),
  };
  return { node, scope, where: `${found.path}:${fact.line}` };
}

/** A tree for a literal setting value the index holds as data (strings and numbers are all that matter here). */
function literalNode(value: { kind: string; value?: unknown }): Node | undefined {
  const source = value.kind === 'str' ? JSON.stringify(value.value) : value.kind === 'num' ? String(value.value) : undefined;
  return source === undefined ? undefined : parsePython(source).rootNode.firstNamedChild?.firstNamedChild ?? undefined;
}
