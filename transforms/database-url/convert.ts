// Planning the rewrite of one alias: which entries go into the default URL, which stay as they are,
// what config() is called with, and every way the result differs from the old value (or why there is
// no rewrite that keeps it).
import type { Node } from '../../src/parse';
import { stringValue } from '../../src/parse';
import type { Version } from '../../src/project/django-version';
import type { AliasEffects } from './layers';
import { commentText, indentAt, leadingComments, quoteOf, trailingComment } from './layout';
import type { AliasRewrite } from './render';
import type { NameScope } from './scope';
import type { DatabaseStatement } from './statements';
import { buildUrl, CONNECTION_KEYS, ConnectionKey, UrlPart } from './url';
import { classify, Classified } from './values';
import { configAccepts, schemeFor } from './versions';

export interface AliasSettings {
  /** The oldest dj-database-url release the project may run. */
  floor: Version;
  /** CONN_MAX_AGE to use when the alias sets none. */
  connMaxAge: number;
  /** The target Django has CONN_HEALTH_CHECKS (4.1+). */
  healthChecks: boolean;
  effects: AliasEffects;
  /** Places that read a key of this alias's settings, by key (`catalog/backup.py:12`). */
  reads: Map<string, string[]>;
}

export interface AliasPlan {
  alias: string;
  envVar: string;
  rewrite: AliasRewrite;
  url: UrlPart[];
  scheme: string;
  /** How the result differs from the old value, and what the reviewer should know. */
  notes: string[];
  /** Where a literal password is (`shop/settings.py:81`). */
  literalPassword?: string;
  /** CONN_MAX_AGE as written to config(), or undefined when config() leaves it 0 (a pool, or a later statement sets it). */
  connMaxAge?: string;
  /** djfix added CONN_MAX_AGE: the alias had none. */
  addsConnMaxAge: boolean;
  pool?: string;
  healthChecks?: 'keyword' | 'key';
}

export type PlanResult = { ok: true; plan: AliasPlan } | { ok: false; reason: string };

/** Where an alias is defined: an entry of the DATABASES dict, or `DATABASES["alias"] = {...}`. */
export interface AliasSite {
  alias: string;
  /** The alias's key string, whose quote style the new code uses. */
  key: Node;
  value: Node;
  /** The entry or the statement, for the finding's location and the new code's indentation. */
  node: Node;
  /** The statement that defines it: statements after it change it; config holders go before it. */
  statement: DatabaseStatement;
}

/** `DATABASE_URL` for default, `<ALIAS>_DATABASE_URL` for the others. */
export function envVariable(alias: string): string {
  return alias === 'default' ? 'DATABASE_URL' : `${alias.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_DATABASE_URL`;
}

/** The literal ENGINE, directly or through a name assigned once. */
function engineName(node: Node, scope: NameScope): string | undefined {
  const direct = stringValue(node);
  if (direct !== undefined || node.type !== 'identifier') return direct;
  const found = scope.assigned(node.text);
  return found && found.node.type === 'string' ? stringValue(found.node) : undefined;
}

export function planAlias(text: string, site: AliasSite, scope: NameScope, path: string, settings: AliasSettings): PlanResult {
  const { alias, key: aliasKey, value: dict } = site;
  const entries = new Map<string, Node>();
  for (const child of dict.namedChildren) {
    if (child.type === 'comment') continue;
    const key = child.type === 'pair' ? child.childForFieldName('key') : null;
    const name = key ? stringValue(key) : undefined;
    if (name === undefined) return { ok: false, reason: `the ${alias} database has an entry djfix cannot read (\`${child.text.split('\n')[0]}\`)` };
    if (entries.has(name)) return { ok: false, reason: `the ${alias} database sets ${name} twice` };
    entries.set(name, child);
  }
  const valueOf = (key: string) => entries.get(key)?.childForFieldName('value') ?? undefined;
  const at = (key: string) => `${path}:${entries.get(key)!.startPosition.row + 1}`;

  if (settings.effects.blocking.length > 0) return { ok: false, reason: settings.effects.blocking.join('; ') };
  const engineNode = valueOf('ENGINE');
  if (!engineNode) return { ok: false, reason: `the ${alias} database sets no ENGINE` };
  const engine = engineName(engineNode, scope);
  if (engine === undefined) return { ok: false, reason: `ENGINE of the ${alias} database is \`${engineNode.text}\`, chosen when the settings load; the URL's scheme picks the backend, so djfix cannot write one URL for it` };
  const scheme = schemeFor(engine, settings.floor);
  if (!scheme) return { ok: false, reason: `ENGINE "${engine}" has no dj-database-url scheme` };

  const values: Partial<Record<ConnectionKey, Classified>> = {};
  for (const key of CONNECTION_KEYS) {
    const node = valueOf(key);
    if (node) values[key] = classify(node, scope);
  }
  const quote = quoteOf(aliasKey);
  const url = buildUrl({ scheme: scheme.scheme, values, floor: settings.floor, quote });
  if (!url.ok) return { ok: false, reason: url.reason };
  for (const note of url.notes) {
    const reads = settings.reads.get(note.key) ?? [];
    if (reads.length > 0) return { ok: false, reason: `in a URL, ${note.key} ${note.text}; ${reads.join(', ')} read${reads.length === 1 ? 's' : ''} ${note.key}, so djfix leaves it as it is` };
  }
  const notes = url.notes.map((note) => `${note.key} ${note.text}`);
  if (scheme.needsEngine) {
    notes.push(`engine= keeps ENGINE "${engine}", also when the URL variable is set, because dj-database-url releases the project allows map ${scheme.scheme}:// to "${scheme.differs}"`);
  }

  const options = valueOf('OPTIONS');
  let pool = settings.effects.pool;
  if (options?.type === 'dictionary') {
    const poolEntry = options.namedChildren.find((child) => child.type === 'pair' && stringValue(child.childForFieldName('key')!) === 'pool');
    if (poolEntry && poolEntry.childForFieldName('value')?.type !== 'false') pool ??= `${path}:${poolEntry.startPosition.row + 1}`;
    if (options.namedChildren.some((child) => child.type === 'dictionary_splat')) pool ??= `${path}:${options.startPosition.row + 1}`;
  } else if (options) {
    pool ??= `${path}:${options.startPosition.row + 1}`;
  }

  const connMaxAgeNode = valueOf('CONN_MAX_AGE');
  let connMaxAge: string | undefined;
  if (connMaxAgeNode) connMaxAge = connMaxAgeNode.text;
  else if (settings.effects.connMaxAge) connMaxAge = undefined; // set by a later statement, which stays
  else if (pool && options && options.type !== 'dictionary') return { ok: false, reason: `OPTIONS of the ${alias} database is \`${options.text}\`, built when the settings load: djfix cannot tell whether it turns on connection pooling, which forbids CONN_MAX_AGE` };
  else if (!pool) connMaxAge = String(settings.connMaxAge);

  const args: Array<[string, string]> = [];
  if (alias !== 'default') args.push(['env', `${quote}${envVariable(alias)}${quote}`]);
  args.push(['default', '']);
  if (scheme.needsEngine) args.push(['engine', engineNode.text]);
  if (connMaxAge !== undefined) args.push(['conn_max_age', connMaxAge]);

  const added: string[] = [];
  let healthChecks: AliasPlan['healthChecks'];
  const persistent = connMaxAge !== undefined && connMaxAge !== '0';
  if (settings.healthChecks && persistent && !pool && !entries.has('CONN_HEALTH_CHECKS') && !settings.effects.healthChecks) {
    if (configAccepts('conn_health_checks', settings.floor)) {
      args.push(['conn_health_checks', 'True']);
      healthChecks = 'keyword';
    } else {
      added.push(`${quote}CONN_HEALTH_CHECKS${quote}: True`);
      healthChecks = 'key';
    }
  }

  const urlKeys = new Set<string>(['ENGINE', 'CONN_MAX_AGE', ...CONNECTION_KEYS]);
  const kept = [...entries].filter(([key]) => !urlKeys.has(key)).map(([, node]) => node);
  const dropped = [...entries].filter(([key]) => urlKeys.has(key)).map(([, node]) => node);
  const password = values.PASSWORD;
  return {
    ok: true,
    plan: {
      alias,
      envVar: envVariable(alias),
      url: url.parts,
      scheme: scheme.scheme,
      notes,
      literalPassword: typeof password?.literal === 'string' && password.literal !== '' ? at('PASSWORD') : password?.literalVia,
      connMaxAge,
      addsConnMaxAge: connMaxAge !== undefined && !connMaxAgeNode,
      pool,
      healthChecks,
      rewrite: {
        value: dict,
        base: indentAt(text, site.node.startIndex),
        arguments: args,
        kept,
        added,
        moved: movedComments(dict, dropped),
        holder: options ? `_${alias.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_database` : undefined,
        quote,
      },
    },
  };
}

/**
 * Comments that belonged to entries now in the URL, and those after the last entry, in order. A comment
 * that ended an entry's line is named after its key, since that line is gone.
 */
function movedComments(dict: Node, dropped: Node[]): string[] {
  const moved: Array<{ at: number; text: string }> = [];
  for (const pair of dropped) {
    for (const comment of leadingComments(pair)) moved.push({ at: comment.startIndex, text: commentText(comment) });
    const trailing = trailingComment(pair);
    const key = stringValue(pair.childForFieldName('key')!);
    if (trailing) moved.push({ at: trailing.startIndex, text: `# ${key}: ${commentText(trailing).replace(/^#\s*/, '')}` });
  }
  const entries = dict.namedChildren.filter((child) => child.type !== 'comment');
  const last = entries[entries.length - 1];
  for (const child of dict.namedChildren) {
    if (child.type === 'comment' && (!last || child.startIndex > last.endIndex) && child.id !== (last && trailingComment(last)?.id)) moved.push({ at: child.startIndex, text: commentText(child) });
  }
  return moved.sort((a, b) => a.at - b.at).map((comment) => comment.text);
}
