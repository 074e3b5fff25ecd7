// Where a settings file defines its databases: the entries of one `DATABASES = {...}` written out in
// full, and `DATABASES["alias"] = {...}` statements. Anything else is already read from a URL (left to
// existing.ts) or built at run time (reported).
import type { Finding } from '../../src/model';
import type { Node } from '../../src/parse';
import { stringValue } from '../../src/parse';
import { positionOf } from '../../src/source';
import type { AliasSite } from './convert';
import { existingCalls } from './existing';
import { dynamicMessage, heldBackMessage, SOURCES } from './messages';
import type { NameScope } from './scope';
import type { DatabaseStatement } from './statements';
import { isEnvInstance } from './values';

const ID = 'database-url';

/** Tells code that already reads a database URL from code that does not. */
export interface UrlReaders {
  /** Whether a value is read from a URL: a dj_database_url or django-environ call, or a name holding one, spread or not. */
  onUrl(node: Node): boolean;
  /** The variable a django-environ `env.db()` call reads, when the value is one. */
  environ(node: Node): string | undefined;
}

export function urlReaders(bindings: Record<string, string>, scope: NameScope): UrlReaders {
  const environ = (node: Node) => environDatabase(node, scope);
  const calls = (node: Node) => existingCalls(node, bindings).length > 0 || environ(node) !== undefined;
  return {
    environ,
    // `{**holder, ...}` where `holder = dj_database_url.config(...)` is on a URL too.
    onUrl: (node) =>
      calls(node) ||
      [node, ...node.descendantsOfType('dictionary_splat').map((splat) => splat.firstNamedChild!)].some((name) => {
        const found = name?.type === 'identifier' ? scope.assigned(name.text) : undefined;
        return found !== undefined && calls(found.node);
      }),
  };
}

function environDatabase(node: Node, scope: NameScope): string | undefined {
  if (node.type !== 'call') return undefined;
  const callee = node.childForFieldName('function');
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
  const method = callee?.childForFieldName('attribute')?.text;
  if (!object || !['db', 'db_url'].includes(method ?? '') || !isEnvInstance(object, scope)) return undefined;
  const first = node.childForFieldName('arguments')?.namedChildren.find((arg) => arg.type !== 'keyword_argument' && arg.type !== 'comment');
  return (first && stringValue(first)) ?? 'DATABASE_URL';
}

export interface FoundSites {
  sites: AliasSite[];
  /** Why DATABASES (or an alias) is not rewritten. */
  findings: Finding[];
}

export function findSites(path: string, text: string, statements: DatabaseStatement[], readers: UrlReaders): FoundSites {
  const found: FoundSites = { sites: [], findings: [] };
  const where = (node: Node) => `${path}:${node.startPosition.row + 1}`;
  const location = (node: Node) => ({ path, ...positionOf(text, node.startIndex) });
  const dynamic = (node: Node, reason: string) => {
    found.findings.push({ transform: ID, code: 'dynamic', location: location(node), message: dynamicMessage(where(node), reason), notFixed: `DATABASES ${reason}`, sources: SOURCES });
    return found;
  };

  const assignments = statements.filter((statement) => statement.kind === 'assign');
  if (assignments.length > 1 || assignments[0]?.conditional) {
    if (assignments.every((assignment) => assignment.value && readers.onUrl(assignment.value))) return found;
    const lines = assignments.map((assignment) => `line ${assignment.line}${assignment.conditional ? ' inside an if/try/with/for block' : ''}`);
    return dynamic(assignments[0].node, `is assigned ${assignments.length > 1 ? 'more than once' : 'inside a block'} (${lines.join('; ')})`);
  }
  const [assignment] = assignments;
  const dict = assignment?.value;
  if (assignment && dict?.type === 'dictionary') {
    const keyOf = (pair: Node) => stringValue(pair.childForFieldName('key')!);
    // An entry whose key is a name is fine when its value is already read from a URL (saleor's shape).
    const unreadable = dict.namedChildren.filter((child) => child.type !== 'comment' && (child.type !== 'pair' || (keyOf(child) === undefined && !readers.onUrl(child.childForFieldName('value')!))));
    if (unreadable.length > 0) return dynamic(assignment.node, `has entries djfix cannot read (${unreadable.map((child) => `\`${child.text.split('\n')[0]}\``).join(', ')})`);
    for (const pair of dict.namedChildren.filter((child) => child.type === 'pair' && keyOf(child) !== undefined)) {
      const key = pair.childForFieldName('key')!;
      found.sites.push({ alias: keyOf(pair)!, key, value: pair.childForFieldName('value')!, node: pair, statement: assignment });
    }
  } else if (assignment && !(dict && readers.onUrl(dict))) {
    return dynamic(assignment.node, `is \`${dict?.text.split('\n')[0] ?? ''}\`, not a dict written out`);
  }
  // `DATABASES["replica"] = {...}` defines (or replaces) one alias.
  for (const item of statements.filter((statement) => statement.kind === 'item' && statement.keys.length === 1 && statement.keys[0] !== null && statement.value)) {
    const [alias] = item.keys as string[];
    if (!item.conditional) {
      found.sites.push({ alias, key: item.node.childForFieldName('left')!.childForFieldName('subscript')!, value: item.value!, node: item.node, statement: item });
    } else if (item.value!.type === 'dictionary' && !readers.onUrl(item.value!)) {
      const reason = `it is assigned inside an if/try/with/for block at line ${item.line}, so whether it applies is decided when the settings load`;
      found.findings.push({ transform: ID, code: 'held-back', location: location(item.node), message: heldBackMessage(alias, where(item.node), reason), notFixed: reason, sources: SOURCES });
    }
  }
  return found;
}

/** Settings only tests use: a URL variable set where they run (CI services often set DATABASE_URL) must not move them. */
export function isTestSettings(path: string): boolean {
  return /(^|\/)(tests?|testing)\//.test(path) || /(^|\/)(tests?|testing|ci|test_?settings|settings_?tests?|settings_?testing)\.py$/.test(path);
}

/** An SQLite database in memory: only tests use one, and no deployment needs a URL for it. */
export function inMemorySqlite(dict: Node): boolean {
  const value = (key: string) => {
    const pair = dict.namedChildren.find((child) => child.type === 'pair' && stringValue(child.childForFieldName('key')!) === key);
    const node = pair?.childForFieldName('value');
    return node ? stringValue(node) : undefined;
  };
  const name = value('NAME') ?? '';
  return /sqlite|spatialite/.test(value('ENGINE') ?? '') && (name === ':memory:' || (name.startsWith('file:') && name.includes('mode=memory')));
}
