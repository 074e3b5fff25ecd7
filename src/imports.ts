// The one place that adds and removes imports, so every transform does it the same way: no
// duplicates, new imports after the docstring and `__future__` imports and within the file's first
// import block, the file's own line endings, and a statement removed only when nothing is left in it.
import { isTypeCheckingCondition } from './facts';
import type { TextEdit } from './model';
import type { Node, Tree } from './parse';
import { sameNode } from './parse';
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
    if (!sameNode(previous.nextNamedSibling, regular[i]) && !isCommentBetween(previous, regular[i])) break;
    block.push(regular[i]);
  }
  return block;
}

function isCommentBetween(a: Node, b: Node): boolean {
  for (let node = a.nextNamedSibling; node && !sameNode(node, b); node = node.nextNamedSibling) if (node.type !== 'comment') return false;
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
    const isDocstring = sameNode(node, tree.rootNode.firstNamedChild) && node.type === 'expression_statement' && node.firstNamedChild?.type === 'string';
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
  return removeImportedNames(text, statement, [name]);
}

/**
 * Edits that stop `statement` from importing each of `names` (matched by the name it binds or the
 * name it imports): each goes with its comma; the whole statement (with its line) goes when nothing
 * is left in it.
 */
export function removeImportedNames(text: string, statement: Node, names: string[]): TextEdit[] {
  const items = importedNames(statement);
  const removed = items.map((item) => names.includes(item.alias ?? item.name) || names.includes(item.name));
  if (!removed.includes(true)) return [];
  if (removed.every(Boolean)) return removeStatement(text, statement);
  const edits: TextEdit[] = [];
  for (let first = 0; first < items.length; first++) {
    if (!removed[first]) continue;
    let last = first;
    while (last + 1 < items.length && removed[last + 1]) last++;
    // A run followed by a kept name takes the commas after it; a run at the end, the comma before it.
    if (last < items.length - 1) edits.push({ start: items[first].node.startIndex, end: items[last + 1].node.startIndex, text: '' });
    else edits.push({ start: items[first - 1].node.endIndex, end: items[last].node.endIndex, text: '' });
    first = last;
  }
  return edits;
}

function removeStatement(text: string, statement: Node): TextEdit[] {
  // The only statement of a block (`if TYPE_CHECKING:`) must leave something behind.
  const siblings = statement.parent?.type === 'block' ? statement.parent.namedChildren.filter((node) => node.type !== 'comment') : [];
  if (siblings.length === 1) return [{ start: statement.startIndex, end: statement.endIndex, text: 'pass' }];
  const start = lineStart(text, statement.startIndex);
  const onlyStatementOnLine = text.slice(start, statement.startIndex).trim() === '' && /^[ \t]*(#[^\n]*)?(\r?\n|$)/.test(text.slice(statement.endIndex));
  if (onlyStatementOnLine) {
    const end = lineEndAfter(text, statement.endIndex);
    // Between two blank lines, one of them goes too, so the blank lines around it do not add up.
    const previous = start > 0 ? lineStart(text, start - 1) : start;
    const blankAround = previous < start && text.slice(previous, start).trim() === '' && end < text.length && text.slice(end, lineEndAfter(text, end)).trim() === '';
    return [{ start: blankAround ? previous : start, end, text: '' }];
  }
  return [{ start: statement.startIndex, end: statement.endIndex, text: 'pass' }];
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The text of the statement that imports `spec`. */
export function importStatementText(spec: ImportSpec): string {
  const item = spec.alias ? `${spec.name ?? spec.module} as ${spec.alias}` : (spec.name ?? spec.module);
  return spec.name !== undefined ? `from ${spec.module} import ${item}` : `import ${item}`;
}

/**
 * Edits that import `specs` for type checkers only: after the imports of the module's `if TYPE_CHECKING:` block, or
 * into a new one after the run of top-level imports that holds `near` (a top-level import statement),
 * with `from typing import TYPE_CHECKING` added when the module lacks it. Statements the block already
 * holds are not repeated. `alongside` are the caller's other edits (the removal of `near`, an import
 * added where the block goes), so that the block's blank lines fit the result; an insertion of the
 * caller's at the same offset must come before the block's.
 */
export function addTypeCheckingImports(text: string, tree: Tree, specs: ImportSpec[], near: Node, alongside: TextEdit[] = []): TextEdit[] {
  const eol = lineEnding(text);
  const statements = groupedStatements(specs);
  const existing = typeCheckingBlock(tree);
  if (existing) {
    const present = new Set(existing.namedChildren.map((node) => node.text));
    const missing = statements.filter((statement) => !present.has(statement));
    if (missing.length === 0) return [];
    // After the block's own leading imports, before anything else it holds (aliases built from these names).
    const indent = text.slice(lineStart(text, existing.startIndex), existing.startIndex);
    let lastImport: Node | undefined;
    for (const node of existing.namedChildren) {
      if (node.type === 'import_statement' || node.type === 'import_from_statement') lastImport = node;
      else if (node.type !== 'comment') break;
    }
    const at = lastImport ? lineEndAfter(text, lastImport.endIndex) : lineStart(text, existing.startIndex);
    const lead = at === text.length && !text.endsWith('\n') ? eol : '';
    return [{ start: at, end: at, text: lead + missing.map((statement) => `${indent}${statement}${eol}`).join('') }];
  }
  const run = importRunOf(near);
  let at = lineEndAfter(text, run[run.length - 1].endIndex);
  const typing = hasImport(tree, { module: 'typing', name: 'TYPE_CHECKING' }) ? [] : addImport(text, tree, { module: 'typing', name: 'TYPE_CHECKING' });
  const edits: TextEdit[] = [];
  let prefix = '';
  for (const edit of typing) {
    const joins = edit.text.startsWith(', ');
    if (!joins && edit.start >= at) {
      // `from typing import TYPE_CHECKING` lands where the block goes: one insertion, typing first.
      at = edit.start;
      prefix = edit.text.endsWith('\n') ? edit.text : `${edit.text}${eol}`;
    } else {
      // The typing import joins a statement further down: the block goes below that statement.
      const statement = tree.rootNode.namedChildren.find((node) => node.startIndex <= edit.start && edit.start <= node.endIndex);
      if (joins && statement && edit.start >= at) at = lineEndAfter(text, statement.endIndex);
      edits.push(edit);
    }
  }
  const before = lineBefore(text, at, alongside);
  const alreadyBlank = prefix === '' && (before === undefined || before.trim() === '');
  // `from __future__` imports stand apart: a new typing import does not join them.
  if (prefix !== '' && before !== undefined && /^from\s+__future__\s/.test(before)) prefix = `${eol}${prefix}`;
  const after = text.slice(at);
  const lead = prefix === '' && at === text.length && !text.endsWith('\n') ? eol : '';
  const blankAfter = after === '' || /^[ \t]*\r?\n/.test(after) ? '' : eol;
  const unit = indentUnit(text);
  const block = `if TYPE_CHECKING:${eol}${statements.map((statement) => `${unit}${statement}${eol}`).join('')}`;
  edits.push({ start: at, end: at, text: `${lead}${prefix}${alreadyBlank ? '' : eol}${block}${blankAfter}` });
  return edits;
}

/** One statement per module for from-imports (`from m import a, b`), in the order the specs come; no repeats. */
function groupedStatements(specs: ImportSpec[]): string[] {
  const statements: Array<{ module: string; items: string[] } | { text: string }> = [];
  for (const spec of specs) {
    if (spec.name === undefined) {
      const text = importStatementText(spec);
      if (!statements.some((statement) => 'text' in statement && statement.text === text)) statements.push({ text });
      continue;
    }
    const item = spec.alias ? `${spec.name} as ${spec.alias}` : spec.name;
    const grouped = statements.find((statement): statement is { module: string; items: string[] } => 'module' in statement && statement.module === spec.module);
    if (!grouped) statements.push({ module: spec.module, items: [item] });
    else if (!grouped.items.includes(item)) grouped.items.push(item);
  }
  return statements.map((statement) => ('text' in statement ? statement.text : `from ${statement.module} import ${statement.items.join(', ')}`));
}

/**
 * The line that, once `edits` are applied, ends at offset `at` (`''` when an edit inserts there,
 * undefined at the start of the file).
 */
function lineBefore(text: string, at: number, edits: TextEdit[]): string | undefined {
  const inserted = edits.find((edit) => edit.start === at && edit.end === at && edit.text !== '');
  if (inserted) return inserted.text.split(/\r?\n/).filter((line) => line !== '').pop() ?? '';
  let end = at;
  const removedUpTo = (offset: number) => edits.find((edit) => edit.end === offset && edit.start < offset && edit.text === '');
  for (let removed = removedUpTo(end); removed; removed = removedUpTo(end)) end = removed.start;
  return end === 0 ? undefined : text.slice(lineStart(text, end - 1), end);
}

/** The body of the module-level `if TYPE_CHECKING:` block whose statements start on their own lines. */
function typeCheckingBlock(tree: Tree): Node | undefined {
  for (const node of tree.rootNode.namedChildren) {
    if (node.type !== 'if_statement') continue;
    const condition = node.childForFieldName('condition');
    const body = node.childForFieldName('consequence');
    if (condition && isTypeCheckingCondition(condition) && body && body.startPosition.row > condition.startPosition.row) return body;
  }
  return undefined;
}

/** The consecutive top-level import statements (comments may sit between them) around `statement`. */
function importRunOf(statement: Node): Node[] {
  const isImport = (node: Node | null) => node?.type === 'import_statement' || node?.type === 'import_from_statement' || node?.type === 'future_import_statement';
  const run = [statement];
  const step = (node: Node, forward: boolean): Node | null => {
    let next = forward ? node.nextNamedSibling : node.previousNamedSibling;
    while (next?.type === 'comment') next = forward ? next.nextNamedSibling : next.previousNamedSibling;
    return isImport(next) ? next : null;
  };
  for (let node = step(statement, false); node; node = step(node, false)) run.unshift(node);
  for (let node = step(statement, true); node; node = step(node, true)) run.push(node);
  return run;
}

/** The file's indentation step: the indentation of the first block (a line after one ending in `:`), else four spaces. */
function indentUnit(text: string): string {
  return /:[ \t]*(#[^\n]*)?\r?\n([ \t]+)\S/.exec(text)?.[2] ?? '    ';
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
