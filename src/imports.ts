// The one place that adds and removes imports, so every transform does it the same way: no
// duplicates, new imports after the docstring and `__future__` imports and within the file's first
// import block, the file's own line endings, and a statement removed only when nothing is left in it.
import type { TextEdit } from './model';
import type { Node, Tree } from './parse';
import { lineEnding } from './source';

export interface ImportSpec {
  /** `from module import name` when name is set, `import module` otherwise. */
  module: string;
  name?: string;
  alias?: string;
}

/** Module-level import statements, in order (those nested in try/if blocks are not a place to add to). */
function topLevelImports(tree: Tree): Node[] {
  return tree.rootNode.namedChildren.filter((node) => node.type === 'import_statement' || node.type === 'import_from_statement' || node.type === 'future_import_statement');
}

function fromModule(statement: Node): string | undefined {
  return statement.type === 'import_from_statement' ? statement.childForFieldName('module_name')?.text : undefined;
}

function importedNames(statement: Node): Array<{ node: Node; name: string; alias?: string }> {
  return statement.childrenForFieldName('name').map((node) =>
    node.type === 'aliased_import'
      ? { node, name: node.childForFieldName('name')?.text ?? '', alias: node.childForFieldName('alias')?.text }
      : { node, name: node.text },
  );
}

/** Whether the spec's name is already bound at module level by an import. */
export function hasImport(tree: Tree, spec: ImportSpec): boolean {
  const statements = tree.rootNode.descendantsOfType(['import_statement', 'import_from_statement']).filter((node) => !insideFunction(node));
  return statements.some((statement) => {
    if (spec.name === undefined) {
      return statement.type === 'import_statement' && importedNames(statement).some((item) => item.name === spec.module && item.alias === spec.alias);
    }
    return fromModule(statement) === spec.module && importedNames(statement).some((item) => item.name === spec.name && item.alias === spec.alias);
  });
}

function insideFunction(node: Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) if (parent.type === 'function_definition' || parent.type === 'class_definition') return true;
  return false;
}

/** Edits that import `spec` at module level; none if it is imported already. */
export function addImport(text: string, tree: Tree, spec: ImportSpec): TextEdit[] {
  return addImports(text, tree, [spec]);
}

/**
 * Edits that import every spec at module level, as one change: names join an existing from-import
 * of their module, new statements go together in the given order (new from-imports of one module as
 * one statement), and nothing already imported is imported again.
 */
export function addImports(text: string, tree: Tree, specs: ImportSpec[]): TextEdit[] {
  const imports = topLevelImports(tree);
  const joins = new Map<number, string>();
  const statements = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const spec of specs) {
    const item = spec.alias ? `${spec.name ?? spec.module} as ${spec.alias}` : (spec.name ?? spec.module);
    const key = `${spec.module}|${spec.name ?? ''}|${spec.alias ?? ''}`;
    if (seen.has(key) || hasImport(tree, spec)) continue;
    seen.add(key);
    if (spec.name === undefined) {
      statements.set(`import ${item}`, []);
      continue;
    }
    const existing = imports.find((statement) => fromModule(statement) === spec.module && !statement.namedChildren.some((c) => c.type === 'wildcard_import'));
    if (existing) {
      const names = importedNames(existing);
      const end = names[names.length - 1].node.endIndex;
      joins.set(end, `${joins.get(end) ?? ''}, ${item}`);
    } else {
      const from = `from ${spec.module} import`;
      statements.set(from, [...(statements.get(from) ?? []), item]);
    }
  }
  const edits: TextEdit[] = [...joins].map(([at, joined]) => ({ start: at, end: at, text: joined }));
  const lines = [...statements].map(([head, names]) => (names.length > 0 ? `${head} ${names.join(', ')}` : head));
  if (lines.length === 0) return edits;
  const added = newStatements(text, tree, imports, lines);
  // A joined name and new statements can land on the same point (a last line without a line break):
  // one insertion keeps their order.
  const samePoint = edits.find((edit) => edit.start === added.start);
  if (samePoint) samePoint.text += added.text;
  else edits.push(added);
  return edits;
}

/** The edit that adds whole import statements: after the first import block, else after the preamble. */
function newStatements(text: string, tree: Tree, imports: Node[], lines: string[]): TextEdit {
  const eol = lineEnding(text);
  const statements = lines.join(eol);
  const block = firstImportBlock(imports);
  if (block) {
    const end = lineEndAfter(text, block[block.length - 1].endIndex);
    // The last import is the file's last line and has no line break: the new ones start a line.
    if (end === text.length && !text.endsWith('\n')) return { start: end, end, text: `${eol}${statements}` };
    return { start: end, end, text: `${statements}${eol}` };
  }
  const at = afterPreamble(text, tree);
  const after = text.slice(at);
  const separator = after.trim() === '' ? '' : /^\r?\n/.test(after) ? '' : eol;
  return { start: at, end: at, text: `${statements}${eol}${separator}` };
}

/** The first run of consecutive top-level import statements that is not only `__future__` imports. */
function firstImportBlock(imports: Node[]): Node[] | undefined {
  const regular = imports.filter((node) => node.type !== 'future_import_statement');
  if (regular.length === 0) return undefined;
  const block = [regular[0]];
  for (let i = 1; i < regular.length; i++) {
    const previous = block[block.length - 1];
    if (previous.nextNamedSibling !== regular[i] && !isCommentBetween(previous, regular[i])) break;
    block.push(regular[i]);
  }
  return block;
}

function isCommentBetween(a: Node, b: Node): boolean {
  for (let node = a.nextNamedSibling; node && node !== b; node = node.nextNamedSibling) if (node.type !== 'comment') return false;
  return true;
}

function lineEndAfter(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/** Where a first import goes: after the module docstring, `__future__` imports and leading comments. */
function afterPreamble(text: string, tree: Tree): number {
  let at = 0;
  for (const node of tree.rootNode.namedChildren) {
    const isDocstring = node === tree.rootNode.firstNamedChild && node.type === 'expression_statement' && node.firstNamedChild?.type === 'string';
    if (node.type === 'comment' || isDocstring || node.type === 'future_import_statement') at = lineEndAfter(text, node.endIndex);
    else break;
  }
  return at;
}

/**
 * Edits that stop `statement` from importing `name`: the name and its comma go; the whole statement
 * (with its line) goes when it imported nothing else.
 */
export function removeImportedName(text: string, statement: Node, name: string): TextEdit[] {
  const names = importedNames(statement);
  const index = names.findIndex((item) => (item.alias ?? item.name) === name || item.name === name);
  if (index === -1) return [];
  if (names.length === 1) {
    // The only statement of a block (`if TYPE_CHECKING:`) must leave something behind.
    const siblings = statement.parent?.type === 'block' ? statement.parent.namedChildren.filter((node) => node.type !== 'comment') : [];
    if (siblings.length === 1) return [{ start: statement.startIndex, end: statement.endIndex, text: 'pass' }];
    const start = text.lastIndexOf('\n', statement.startIndex - 1) + 1;
    const onlyStatementOnLine = text.slice(start, statement.startIndex).trim() === '' && /^[ \t]*(#[^\n]*)?(\r?\n|$)/.test(text.slice(statement.endIndex));
    if (onlyStatementOnLine) return [{ start, end: lineEndAfter(text, statement.endIndex), text: '' }];
    return [{ start: statement.startIndex, end: statement.endIndex, text: 'pass' }];
  }
  const node = names[index].node;
  if (index < names.length - 1) return [{ start: node.startIndex, end: names[index + 1].node.startIndex, text: '' }];
  return [{ start: names[index - 1].node.endIndex, end: node.endIndex, text: '' }];
}

/**
 * Edits that import `spec` at the top of a function body (after its docstring): imports that must run
 * late, like a signals module imported in `AppConfig.ready()`. None if the body imports it already;
 * undefined when the body shares the `def` line, where no statement can be put above the others.
 */
export function addLocalImport(text: string, body: Node, spec: ImportSpec, comment?: string): TextEdit[] | undefined {
  const statements = body.namedChildren.filter((node) => node.type !== 'comment');
  if (statements.some((node) => bindsSpec(node, spec))) return [];
  const first = statements[0];
  if (!first || body.parent === null || first.startPosition.row === body.parent.startPosition.row) return undefined;
  const lineStart = text.lastIndexOf('\n', first.startIndex - 1) + 1;
  const indent = text.slice(lineStart, first.startIndex);
  if (indent.trim() !== '') return undefined;
  const item = spec.alias ? `${spec.name ?? spec.module} as ${spec.alias}` : (spec.name ?? spec.module);
  const statement = `${indent}${spec.name !== undefined ? `from ${spec.module} import ${item}` : `import ${item}`}${comment ? `  # ${comment}` : ''}${lineEnding(text)}`;
  const isDocstring = first.type === 'expression_statement' && first.firstNamedChild?.type === 'string';
  const at = isDocstring ? lineEndAfter(text, first.endIndex) : lineStart;
  // A docstring that is the file's last line without a line break: the import starts a new line.
  if (at === text.length && !text.endsWith('\n')) return [{ start: at, end: at, text: `${lineEnding(text)}${statement.replace(/\r?\n$/, '')}` }];
  return [{ start: at, end: at, text: statement }];
}

function bindsSpec(statement: Node, spec: ImportSpec): boolean {
  if (statement.type === 'import_statement') return spec.name === undefined && importedNames(statement).some((item) => item.name === spec.module && item.alias === spec.alias);
  if (statement.type !== 'import_from_statement' || spec.name === undefined) return false;
  return fromModule(statement) === spec.module && importedNames(statement).some((item) => item.name === spec.name && item.alias === spec.alias);
}
