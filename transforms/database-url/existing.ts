// Settings already on dj-database-url: a config() or parse() call without conn_max_age gets it (and
// conn_health_checks where the target Django and the dj-database-url release allow), unless the
// settings set CONN_MAX_AGE themselves or use Django's connection pool.
import type { Finding } from '../../src/model';
import type { Node } from '../../src/parse';
import { query, stringValue } from '../../src/parse';
import type { Version } from '../../src/project/django-version';
import { lineEnding, positionOf } from '../../src/source';
import type { ParsedFile } from '../types';
import { appendEntries } from './layout';
import { dictKeys, DatabaseStatement } from './statements';
import { configAccepts } from './versions';

const CALLS = query('(call function: [(identifier) (attribute)] @callee) @call');
const FUNCTIONS = new Set(['dj_database_url.config', 'dj_database_url.parse']);

export interface ExistingSettings {
  floor: Version;
  versionKnown: boolean;
  connMaxAge: number;
  healthChecks: boolean;
  bindings: Record<string, string>;
  statements: DatabaseStatement[];
  sources: string[];
}

/** dj_database_url.config/parse calls at module level: their nodes and the name they are called by. */
export function existingCalls(root: Node, bindings: Record<string, string>): Array<{ call: Node; name: string }> {
  const found: Array<{ call: Node; name: string }> = [];
  for (const match of CALLS.matches(root)) {
    const call = match.captures.find((capture) => capture.name === 'call')!.node;
    const callee = match.captures.find((capture) => capture.name === 'callee')!.node;
    const [head, ...rest] = callee.text.split('.');
    // A name no import binds comes from a star import (`from .base import *`): it is what it says.
    const qualified = bindings[head] ? [bindings[head], ...rest].join('.') : callee.text;
    if (qualified && FUNCTIONS.has(qualified) && !insideDefinition(call)) found.push({ call, name: qualified });
  }
  return found;
}

function insideDefinition(node: Node): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) if (parent.type === 'function_definition' || parent.type === 'class_definition' || parent.type === 'lambda') return true;
  return false;
}

const SPREAD_NAMES = query('(dictionary (dictionary_splat (identifier) @name)) @dict');

/**
 * The dict a call's result is spread into: `{**dj_database_url.config(), "CONN_MAX_AGE": 60}`, or
 * `{**holder, ...}` for `holder = dj_database_url.config()` at module level (how djfix merges OPTIONS).
 */
function enclosingDict(call: Node, root: Node): Node | undefined {
  const splat = call.parent?.type === 'dictionary_splat' ? call.parent : undefined;
  if (splat?.parent?.type === 'dictionary') return splat.parent;
  const assignment = call.parent?.type === 'assignment' ? call.parent : undefined;
  const name = assignment?.childForFieldName('left');
  if (name?.type !== 'identifier' || assignment?.parent?.parent?.type !== 'module') return undefined;
  const match = SPREAD_NAMES.matches(root).find((candidate) => candidate.captures.some((capture) => capture.name === 'name' && capture.node.text === name.text));
  return match?.captures.find((capture) => capture.name === 'dict')?.node;
}

export function addConnectionReuse(file: ParsedFile, settings: ExistingSettings): Finding[] {
  const findings: Finding[] = [];
  const laterSets = (key: string) => settings.statements.some((statement) => statement.kind !== 'read' && statement.keys[1] === key);
  for (const { call, name } of existingCalls(file.tree.rootNode, settings.bindings)) {
    const args = call.childForFieldName('arguments');
    if (!args || args.namedChildren.some((arg) => arg.type === 'dictionary_splat' || arg.type === 'list_splat')) continue;
    const keywords = new Set(args.namedChildren.filter((arg) => arg.type === 'keyword_argument').map((arg) => arg.childForFieldName('name')?.text));
    const dict = enclosingDict(call, file.tree.rootNode);
    const dictSets = (key: string) => (dict ? dictKeys(dict).includes(key) : false);
    if (keywords.has('conn_max_age') || dictSets('CONN_MAX_AGE') || laterSets('CONN_MAX_AGE')) continue;
    if (usesPool(dict) || settings.statements.some((statement) => statement.keys[1] === 'OPTIONS' && statement.keys[2] === 'pool')) continue;
    const items = [`conn_max_age=${settings.connMaxAge}`];
    const checks = settings.healthChecks && !keywords.has('conn_health_checks') && !dictSets('CONN_HEALTH_CHECKS') && !laterSets('CONN_HEALTH_CHECKS');
    let healthNote = '';
    if (checks && configAccepts('conn_health_checks', settings.floor)) {
      items.push('conn_health_checks=True');
      healthNote = ', and conn_health_checks=True has Django check a reused connection before it uses it';
    } else if (checks) {
      healthNote = `. The target Django has CONN_HEALTH_CHECKS, but dj-database-url takes conn_health_checks only from 1.2 on and ${settings.versionKnown ? `the project allows ${settings.floor.join('.')}` : "the project's version is not pinned"}; set it once that is sure`;
    }
    const line = positionOf(file.text, call.startIndex).line;
    const variable = envOf(call, name);
    findings.push({
      transform: 'database-url',
      code: 'conn-max-age',
      location: { path: file.path, ...positionOf(file.text, call.startIndex) },
      message:
        `${name}() at ${file.path}:${line}${variable ? ` (${variable})` : ''} sets no conn_max_age, so Django closes the database connection at the end of every request ` +
        `and opens a new one for the next (CONN_MAX_AGE defaults to 0). conn_max_age=${settings.connMaxAge} keeps each connection open for up to ${settings.connMaxAge} seconds${healthNote}.`,
      sources: settings.sources,
      change: { safety: 'review', files: [{ path: file.path, kind: 'edit', edits: appendEntries(file.text, args, items, lineEnding(file.text)) }] },
    });
  }
  return findings;
}

/** Which variable a config() call reads, for the message. */
function envOf(call: Node, name: string): string | undefined {
  if (name !== 'dj_database_url.config') return undefined;
  const args = call.childForFieldName('arguments')!.namedChildren;
  const env = args.find((arg) => arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'env')?.childForFieldName('value') ?? args.find((arg) => arg.type !== 'keyword_argument' && arg.type !== 'comment');
  const value = env ? stringValue(env) : 'DATABASE_URL';
  return value === undefined ? undefined : `reads ${value}`;
}

function usesPool(dict: Node | undefined): boolean {
  const options = dict?.namedChildren.find((child) => child.type === 'pair' && stringValue(child.childForFieldName('key')!) === 'OPTIONS')?.childForFieldName('value');
  if (!options) return false;
  if (options.type !== 'dictionary') return true;
  return dictKeys(options).some((key) => key === 'pool' || key === null);
}
