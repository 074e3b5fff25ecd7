// One tree-sitter parser per thread and compiled queries shared by every caller: crossing into
// native code per node is what makes tree-sitter slow from JS, so analysis runs queries natively.
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';

export type Node = Parser.SyntaxNode;
export type Tree = Parser.Tree;

let parser: Parser | undefined;
let parses = 0;

/** How many files this thread has parsed: lets tests prove that a cached run parses nothing. */
export function parseCount(): number {
  return parses;
}
const queries = new Map<string, Parser.Query>();

/** When a query is first needed: collecting every file's facts, or only analysing files. */
export type QueryPhase = 'collect' | 'analyze';

/**
 * Sources given to query() and not compiled yet, with the phase that first needs them: a test
 * compiles them all, so a typo fails there; a worker compiles each phase's ahead of it.
 */
const declared = new Map<string, QueryPhase>();

function compileQuery(source: string): Parser.Query {
  let compiled = queries.get(source);
  if (!compiled) {
    compiled = new Parser.Query(Python as unknown as Parser.Language, source);
    queries.set(source, compiled);
    declared.delete(source);
  }
  return compiled;
}

/**
 * Compiles the queries declared so far that `phase` needs first (all of them by default); throws on
 * the first that tree-sitter rejects. Each takes a few milliseconds.
 */
export function compileDeclaredQueries(phase?: QueryPhase): number {
  const sources = [...declared].filter(([, first]) => phase === undefined || first === phase).map(([source]) => source);
  for (const source of sources) compileQuery(source);
  return sources.length;
}

/** What callers run: a query's captures or matches over a node. */
export interface CompiledQuery {
  captures(node: Node, options?: Parser.QueryOptions): Parser.QueryCapture[];
  matches(node: Node, options?: Parser.QueryOptions): Parser.QueryMatch[];
}

export function parsePython(text: string): Tree {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  parses++;
  return parser.parse(text);
}

/**
 * A query, compiled once per thread for each source text, at its first use: modules declare their
 * queries at load, and a run answered from the cache never compiles them. `phase`: the queries that
 * collecting facts runs say so, and a worker compiles them before it has files (see worker.ts).
 */
export function query(source: string, phase: QueryPhase = 'analyze'): CompiledQuery {
  let found: Parser.Query | undefined;
  const compiled = () => (found ??= compileQuery(source));
  if (!queries.has(source) && declared.get(source) !== 'collect') declared.set(source, phase);
  return {
    captures: (node, options) => compiled().captures(node, options),
    matches: (node, options) => compiled().matches(node, options),
  };
}

/**
 * Whether two handles are the same tree node. Compare nodes only with this: node-tree-sitter keeps
 * node objects in a cache of weak references, so two handles to one node are the same object or not
 * depending on the garbage collector, and `===` would make results differ from run to run.
 */
export function sameNode(a: Node | null | undefined, b: Node | null | undefined): boolean {
  return !!a && !!b && a.id === b.id;
}

/** Where the first syntax error of a tree is, if it has one. */
export function firstSyntaxError(tree: Tree): Node | undefined {
  if (!tree.rootNode.hasError) return undefined;
  const [capture] = query('[(ERROR) (MISSING)] @error').captures(tree.rootNode);
  return capture?.node ?? tree.rootNode;
}

export function countSyntaxErrors(tree: Tree): number {
  if (!tree.rootNode.hasError) return 0;
  return query('[(ERROR) (MISSING)] @error').captures(tree.rootNode).length;
}

export type Cursor = Parser.TreeCursor;

/**
 * Calls `visit` with the cursor on each child of the node it is on, then puts it back on that node.
 * A visit may walk below its child but must come back to it; returning 'stop' skips the remaining
 * children. Walking with a cursor creates no node objects, which is what makes per-node work from JS
 * cheap; every property read is still a call into native code, so a visit that needs the child's
 * field name asks for it (fieldName).
 */
export function eachChild(cursor: Cursor, visit: () => void | 'stop'): void {
  if (!cursor.gotoFirstChild()) return;
  do {
    if (visit() === 'stop') break;
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}

/**
 * Type and field names by id, learnt from the cursor the first time each id turns up: reading a name
 * from native code makes a new string every time, reading an id does not. There is one language, so
 * an id means the same name in every tree of a thread.
 */
const typeNames: string[] = [];
const fieldNames: string[] = [];

/** The type of the node the cursor is on, as `cursor.nodeType` gives it. */
export function typeAt(cursor: Cursor): string {
  const id = cursor.nodeTypeId;
  return (typeNames[id] ??= cursor.nodeType);
}

/** The field name of the child the cursor is on (`condition`, `body`), if it has one. */
export function fieldName(cursor: Cursor): string | undefined {
  const id = cursor.currentFieldId;
  return id === undefined ? undefined : (fieldNames[id] ??= cursor.currentFieldName);
}

/**
 * Calls the visitor of each field (`{ name: ..., body: ... }`) with the cursor on that field's first
 * child, in the children's order, then puts the cursor back. The children after the last field
 * visited are not walked.
 */
export function eachField(cursor: Cursor, visitors: Record<string, () => void>): void {
  const seen = new Set<string>();
  const wanted = Object.keys(visitors).length;
  eachChild(cursor, () => {
    const field = fieldName(cursor);
    if (field === undefined || seen.has(field) || !visitors[field]) return;
    seen.add(field);
    visitors[field]();
    return seen.size === wanted ? 'stop' : undefined;
  });
}

/** eachChild over the named children only, with their type. */
export function eachNamedChild(cursor: Cursor, visit: (type: string) => void | 'stop'): void {
  eachChild(cursor, () => (cursor.nodeIsNamed ? visit(typeAt(cursor)) : undefined));
}

/** The value of a Python string literal without prefixes and quotes, or undefined for f-strings and concatenations. */
export function stringValue(node: Node): string | undefined {
  return node.type === 'string' ? stringValueAt(node.walk()) : undefined;
}

/**
 * stringValue of the string node the cursor is on, read from its text: a `string` node is its prefix
 * and opening quote, its content, and the closing quote (f-strings hold interpolations, but those are
 * refused by their prefix). Reading the text is one call into native code instead of one per child.
 */
export function stringValueAt(cursor: Cursor): string | undefined {
  const text = cursor.nodeText;
  const prefix = /^[A-Za-z]*/.exec(text)![0];
  if (/[^rRuUbB]/.test(prefix)) return undefined;
  const quote = text.startsWith('"""', prefix.length) || text.startsWith("'''", prefix.length) ? 3 : 1;
  const content = text.slice(prefix.length + quote, text.length - quote);
  // Escapes are rare in the strings djfix reads (dotted paths, labels); not decoding them is safer than guessing.
  if (!/[rR]/.test(prefix) && content.includes('\\')) return undefined;
  return content;
}
