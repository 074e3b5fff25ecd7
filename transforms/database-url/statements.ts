// Every place a file uses DATABASES: the assignment djfix may rewrite, the statements that change it
// afterwards (here or in settings files layered on top), and reads of its values anywhere. The same
// extraction serves the file being fixed (with its nodes) and, through `collect`, every other file.
import type { Node } from '../../src/parse';
import { query, stringValue } from '../../src/parse';
import { positionOf } from '../../src/source';

export type UseKind = 'assign' | 'augment' | 'item' | 'method' | 'delete' | 'read';

/** One use of DATABASES, as plain data (it crosses into the index through `collect`). */
export interface DatabaseUse {
  kind: UseKind;
  /** Literal subscript keys below DATABASES (`DATABASES["default"]["HOST"]` -> default, HOST); null for a key that is not a literal. */
  keys: Array<string | null>;
  /** `DATABASES["default"].update(...)`: update. */
  method?: string;
  /** The keys an item assignment's dict value or an update() call sets; null for one djfix cannot read; undefined when unknown altogether. */
  setsKeys?: Array<string | null>;
  line: number;
  /** Inside an if/try/with/for/while at module level. */
  conditional: boolean;
  /** Inside a function or class body: runs later, if ever. */
  inFunction: boolean;
}

/** A use in the file being analysed, with its nodes. */
export interface DatabaseStatement extends DatabaseUse {
  /** The statement's expression (assignment, call, delete). */
  node: Node;
  /** The assigned value, for assignments. */
  value?: Node;
}

const NAMES = query('((identifier) @name (#eq? @name "DATABASES"))', 'collect');
const BLOCKS = /^(if|try|with|for|while)_statement$|^(else|elif|except|finally)_clause$/;

/** Every use of DATABASES in a tree, in source order. */
export function databaseStatements(root: Node, text: string): DatabaseStatement[] {
  const found: DatabaseStatement[] = [];
  for (const capture of NAMES.captures(root)) {
    const use = useOf(capture.node, text);
    if (use) found.push(use);
  }
  return found;
}

function useOf(name: Node, text: string): DatabaseStatement | undefined {
  let top = name;
  const parent = name.parent;
  // `settings.DATABASES`: the project's settings, read (at run time) from any module.
  const viaSettings = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === name.id;
  if (viaSettings) {
    top = parent!;
  } else if ((parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === name.id) || (parent?.type === 'pair' && parent.childForFieldName('key')?.id === name.id)) {
    // `dict(DATABASES=...)`, `{DATABASES: ...}`: the word, not the setting.
    return undefined;
  }
  const keys: Array<string | null> = [];
  while (top.parent?.type === 'subscript' && top.parent.childForFieldName('value')?.id === top.id) {
    const subscript = top.parent.childForFieldName('subscript');
    keys.push(subscript ? (stringValue(subscript) ?? null) : null);
    top = top.parent;
  }
  const holder = top.parent;
  const base = { keys, line: positionOf(text, name.startIndex).line, ...placement(name) };
  if (!viaSettings && holder && (holder.type === 'assignment' || holder.type === 'augmented_assignment') && holder.childForFieldName('left')?.id === top.id) {
    const value = holder.childForFieldName('right') ?? undefined;
    const kind: UseKind = keys.length > 0 ? 'item' : holder.type === 'assignment' ? 'assign' : 'augment';
    return { ...base, kind, node: holder, value, setsKeys: value?.type === 'dictionary' ? dictKeys(value) : undefined };
  }
  if (!viaSettings && holder?.type === 'attribute' && holder.childForFieldName('object')?.id === top.id && holder.parent?.type === 'call') {
    const call = holder.parent;
    const method = holder.childForFieldName('attribute')?.text;
    return { ...base, kind: 'method', method, node: call, setsKeys: method === 'update' ? updateKeys(call) : undefined };
  }
  if (!viaSettings && holder?.type === 'delete_statement') return { ...base, kind: 'delete', node: holder };
  return { ...base, kind: 'read', node: top };
}

function placement(node: Node): { conditional: boolean; inFunction: boolean } {
  let conditional = false;
  let inFunction = false;
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type === 'function_definition' || parent.type === 'class_definition' || parent.type === 'lambda') inFunction = true;
    if (BLOCKS.test(parent.type)) conditional = true;
  }
  return { conditional, inFunction };
}

/** The literal keys of a dict display; null for a non-literal key or a `**` entry. */
export function dictKeys(dict: Node): Array<string | null> {
  return dict.namedChildren
    .filter((child) => child.type !== 'comment')
    .map((child) => {
      const key = child.type === 'pair' ? child.childForFieldName('key') : null;
      return key ? (stringValue(key) ?? null) : null;
    });
}

/** The keys `update(...)` sets: a dict display's keys and keyword arguments; undefined when unknown. */
function updateKeys(call: Node): Array<string | null> | undefined {
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((arg) => arg.type !== 'comment');
  const keys: Array<string | null> = [];
  for (const arg of args) {
    if (arg.type === 'dictionary') keys.push(...dictKeys(arg));
    else if (arg.type === 'keyword_argument') keys.push(arg.childForFieldName('name')?.text ?? null);
    else return undefined;
  }
  return keys;
}

/** The `collect` hook: every file's uses of DATABASES, for layered settings and for reads elsewhere. */
export function collectDatabaseUses(root: Node, text: string): DatabaseUse[] | undefined {
  if (!text.includes('DATABASES')) return undefined;
  const uses = databaseStatements(root, text).map(({ node: _node, value: _value, ...use }) => use);
  return uses.length > 0 ? uses : undefined;
}
