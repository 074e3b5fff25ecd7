// database-url: a DATABASES dict written into the settings becomes dj_database_url.config() calls,
// one environment variable per database, whose default URL is built from the old values so that with
// the variables unset DATABASES stays what it was (plus connection reuse). Settings already on
// dj-database-url get conn_max_age; anything built at run time is reported, never edited.
import type { Finding, TextEdit } from '../../src/model';
import { addImports } from '../../src/imports';
import type { Node } from '../../src/parse';
import { stringValue } from '../../src/parse';
import { atLeast } from '../../src/project/django-version';
import type { ProjectIndex } from '../../src/project/index';
import { lineEnding, positionOf } from '../../src/source';
import type { AnalysisContext, ParsedFile, Transform } from '../types';
import { AliasPlan, AliasSite, planAlias } from './convert';
import { addRequirement, declaredFloor, Dependencies, readDependencies } from './dependencies';
import { addConnectionReuse, existingCalls } from './existing';
import { aliasEffects, layeredOn } from './layers';
import { indentAt, lineStart } from './layout';
import { conversionMessage, dynamicMessage, environMessage, heldBackMessage, POOL_SOURCE, SOURCES } from './messages';
import { renderAlias, urlCode } from './render';
import { fileScope, NameScope } from './scope';
import { collectDatabaseUses, DatabaseStatement, DatabaseUse, databaseStatements } from './statements';
import { usesQuote } from './url';
import { isEnvInstance } from './values';
import { BASELINE, CONFIG_KEYWORDS, configAccepts, floorFor, versionAtLeast } from './versions';

const ID = 'database-url';
const DEFAULT_CONN_MAX_AGE = 600;

export const databaseUrl: Transform = {
  id: ID,
  title: 'DATABASES from an environment URL, with connection reuse',
  explanation:
    'A DATABASES dict written into the settings ties every deployment to one database and, with the ' +
    'default CONN_MAX_AGE of 0, opens a new connection for every request. djfix moves each database to ' +
    'dj_database_url.config() with its own environment variable (DATABASE_URL for default, ' +
    '<ALIAS>_DATABASE_URL for the others) and a default URL built from the old values, so that with the ' +
    'variables unset DATABASES stays what it was: literals become a percent-encoded URL, expressions stay ' +
    'expressions, and keys a URL has no place for (OPTIONS, merged under the URL\'s own; TEST, ' +
    'ATOMIC_REQUESTS, ...) stay as they are. It adds CONN_MAX_AGE (600 seconds unless set; ' +
    '`--set database-url.conn-max-age=N`) and, for Django 4.1+, CONN_HEALTH_CHECKS, never together with ' +
    'OPTIONS["pool"]. It uses only the config() arguments the project\'s dj-database-url has (0.5.0 when ' +
    'unknown), imports dj_database_url and adds it to the dependency file. Settings already on ' +
    'dj-database-url get conn_max_age; DATABASES built at run time is reported, not edited.',
  rules: [
    { id: 'equivalence', strength: 'required', text: 'With the URL variables unset, every key of the old DATABASES keeps its value (a path NAME becomes its text, a PORT may become a number).', sources: ['https://github.com/jazzband/dj-database-url#readme'] },
    { id: 'conn-max-age', strength: 'recommended', text: 'CONN_MAX_AGE > 0 reuses connections between requests; CONN_HEALTH_CHECKS (4.1+) checks them first.', sources: ['docs/ref/databases.txt', 'docs/ref/settings.txt'] },
    { id: 'pool', strength: 'required', text: 'OPTIONS["pool"] (Django 5.1+) cannot be combined with a non-zero CONN_MAX_AGE.', sources: [POOL_SOURCE] },
  ],
  mayApply: (file) => file.role === 'settings' && (file.text.includes('DATABASES') || file.text.includes('dj_database_url')),
  collect: (tree, text) => collectDatabaseUses(tree.rootNode, text),
  analyze,
};

interface Version {
  floor: [number, number];
  known: boolean;
  /** Why the project's dj-database-url is too old to rewrite for. */
  tooOld?: string;
}

function projectVersion(dependencies: Dependencies): Version {
  const declared = dependencies.declared.get('dj-database-url');
  const floor = declaredFloor(declared);
  if (!floor) return { floor: BASELINE, known: false };
  if (!versionAtLeast(floor, BASELINE)) return { floor: BASELINE, known: true, tooOld: `the project allows dj-database-url ${floor.join('.')} (${declared![0].path}), older than ${BASELINE.join('.')}, whose URL parsing djfix relies on; require dj-database-url>=${BASELINE.join('.')}.0 first` };
  return { floor, known: true };
}

/** The conn-max-age option, and what the message says when it is not a number of seconds. */
function connMaxAgeOption(value: unknown): { seconds: number; note?: string } {
  if (value === undefined) return { seconds: DEFAULT_CONN_MAX_AGE };
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { seconds: value };
  return { seconds: DEFAULT_CONN_MAX_AGE, note: `conn-max-age "${String(value)}" is not a whole number of seconds, so ${DEFAULT_CONN_MAX_AGE} is used` };
}

function analyze(context: AnalysisContext): Finding[] {
  const { file, index, options, readText } = context;
  const root = file.tree.rootNode;
  const everyUse = databaseStatements(root, file.text);
  const statements = everyUse.filter((statement) => !statement.inFunction);
  const nested = nestedProject(index, file.path);
  // The root's dependency files belong to another project (a library with an example project, say).
  const dependencyFiles = nested === undefined ? index.dependencyFiles : [];
  const dependencies = readDependencies(dependencyFiles, readText);
  const version = projectVersion(dependencies);
  const option = connMaxAgeOption(options['conn-max-age']);
  const connMaxAge = option.seconds;
  const healthChecks = atLeast(index.django, [4, 1]);
  const bindings = index.bindings[file.module] ?? {};
  const findings = addConnectionReuse(file, { floor: version.floor, versionKnown: version.known, connMaxAge, healthChecks, bindings, statements, sources: SOURCES });

  const assignments = statements.filter((statement) => statement.kind === 'assign');
  const items = statements.filter((statement) => statement.kind === 'item' && statement.keys.length === 1 && statement.keys[0] !== null && statement.value);
  if (assignments.length === 0 && items.length === 0) return findings;
  const at = (node: Node) => ({ path: file.path, ...positionOf(file.text, node.startIndex) });
  const where = (node: Node) => `${file.path}:${node.startPosition.row + 1}`;
  const first = [...assignments, ...items].sort((a, b) => a.node.startIndex - b.node.startIndex)[0];
  const scopeAt = fileScope(file.path, file.text, root, file.module, index);
  const scope = scopeAt(first.node.startIndex);
  const callsUrl = (node: Node) => existingCalls(node, bindings).length > 0 || environDatabase(node, scope) !== undefined;
  // `{**holder, ...}` or `.update(holder)` where `holder = dj_database_url.config(...)` is on a URL too.
  const onUrl = (node: Node) =>
    callsUrl(node) ||
    [node, ...node.descendantsOfType('dictionary_splat').map((splat) => splat.firstNamedChild!)].some((name) => {
      const found = name?.type === 'identifier' ? scope.assigned(name.text) : undefined;
      return found !== undefined && callsUrl(found.node);
    });
  const dynamic = (node: Node, reason: string) => findings.push({ transform: ID, code: 'dynamic', location: at(node), message: dynamicMessage(where(node), reason), notFixed: `DATABASES ${reason}`, sources: SOURCES });

  if (assignments.length > 1 || assignments[0]?.conditional) {
    if (assignments.every((assignment) => assignment.value && onUrl(assignment.value))) return findings;
    const lines = assignments.map((assignment) => `line ${assignment.line}${assignment.conditional ? ' inside an if/try/with/for block' : ''}`);
    dynamic(assignments[0].node, `is assigned ${assignments.length > 1 ? 'more than once' : 'inside a block'} (${lines.join('; ')})`);
    return findings;
  }
  const sites: AliasSite[] = [];
  const [assignment] = assignments;
  const dict = assignment?.value;
  if (assignment && dict?.type === 'dictionary') {
    // An entry whose key is a name is fine when its value is already read from a URL (saleor's shape).
    const unreadable = dict.namedChildren.filter((child) => child.type !== 'comment' && (child.type !== 'pair' || (stringValue(child.childForFieldName('key')!) === undefined && !onUrl(child.childForFieldName('value')!))));
    if (unreadable.length > 0) {
      dynamic(assignment.node, `has entries djfix cannot read (${unreadable.map((child) => `\`${child.text.split('\n')[0]}\``).join(', ')})`);
      return findings;
    }
    for (const pair of dict.namedChildren.filter((child) => child.type === 'pair' && stringValue(child.childForFieldName('key')!) !== undefined)) {
      const key = pair.childForFieldName('key')!;
      sites.push({ alias: stringValue(key)!, key, value: pair.childForFieldName('value')!, node: pair, statement: assignment });
    }
  } else if (assignment && !(dict && onUrl(dict))) {
    dynamic(assignment.node, `is \`${dict?.text.split('\n')[0] ?? ''}\`, not a dict written out`);
    return findings;
  }
  // `DATABASES["replica"] = {...}` defines (or replaces) one alias.
  for (const item of items) {
    const key = item.node.childForFieldName('left')!.childForFieldName('subscript')!;
    if (item.conditional) {
      if (item.value!.type === 'dictionary' && !onUrl(item.value!)) {
        const reason = `it is assigned inside an if/try/with/for block at line ${item.line}, so whether it applies is decided when the settings load`;
        findings.push({ transform: ID, code: 'held-back', location: at(item.node), message: heldBackMessage(item.keys[0]!, where(item.node), reason), notFixed: reason, sources: SOURCES });
      }
      continue;
    }
    sites.push({ alias: item.keys[0]!, key, value: item.value!, node: item.node, statement: item });
  }

  const candidates = sites.filter((site) => site.value.type === 'dictionary' && !onUrl(site.value));
  if (isTestSettings(file.path) && candidates.some((site) => !inMemorySqlite(site.value))) {
    const reason = 'these look like test settings: a DATABASE_URL set where tests run (CI services often set one) would move the tests to that database, so djfix leaves test settings as they are';
    findings.push({ transform: ID, code: 'test-settings', location: at(candidates[0].node), message: `DATABASES in ${file.path} stays written into the settings: ${reason}`, notFixed: reason, sources: SOURCES });
    return findings;
  }
  const layers = layeredOn(index, file.path).map((path) => ({ path, uses: (index.extra[ID]?.[path] as DatabaseUse[] | undefined) ?? [] }));
  const planned: Array<{ plan: AliasPlan; site: AliasSite }> = [];
  for (const site of sites) {
    const { alias, value } = site;
    const own = statements.filter((statement) => statement.node.startIndex > site.statement.node.endIndex);
    const held = (reason: string) => findings.push({ transform: ID, code: 'held-back', location: at(site.node), message: heldBackMessage(alias, where(site.node), reason), notFixed: reason, sources: SOURCES });
    const updatedFromUrl = own.some((use) => use.kind === 'method' && use.method === 'update' && use.keys.length === 1 && use.keys[0] === alias && use.node.childForFieldName('arguments')?.namedChildren.some(onUrl));
    if (onUrl(value) || updatedFromUrl) {
      const environ = environDatabase(value, scope);
      const configured = [...own, ...layers.flatMap((layer) => layer.uses)].some((use) => use.kind !== 'read' && use.keys[0] === alias && use.keys[1] === 'CONN_MAX_AGE');
      if (environ && !configured) findings.push({ transform: ID, code: 'environ', location: at(site.node), message: environMessage(alias, where(site.node), environ), notFixed: 'django-environ already reads the database from a URL', sources: SOURCES });
      continue;
    }
    if (value.type === 'dictionary' && inMemorySqlite(value)) continue;
    if (value.type !== 'dictionary') {
      held(`it is \`${value.text.split('\n')[0]}\`, whose value djfix does not follow`);
      continue;
    }
    if (version.tooOld) {
      held(version.tooOld);
      continue;
    }
    const result = planAlias(file.text, site, scopeAt(site.statement.node.startIndex), file.path, {
      floor: version.floor,
      connMaxAge,
      healthChecks,
      effects: aliasEffects(alias, own, layers, file.path),
      reads: relaxedReads(index, file, everyUse, alias),
    });
    if (!result.ok) held(result.reason);
    else if (result.plan.rewrite.holder && new RegExp(`\\b${result.plan.rewrite.holder}\\b`).test(file.text)) held(`the name ${result.plan.rewrite.holder}, which djfix would hold its config in, is taken`);
    else if (usesQuote(result.plan.url) && quoteIsTaken(scope)) held('the name quote is taken in this file, and the default URL needs urllib.parse.quote');
    else planned.push({ plan: result.plan, site });
  }
  const clashes = (entry: { plan: AliasPlan }) => planned.some((other) => other !== entry && other.plan.envVar === entry.plan.envVar && other.plan.alias !== entry.plan.alias);
  for (const { plan, site } of planned.filter(clashes)) {
    findings.push({ transform: ID, code: 'held-back', location: at(site.node), message: heldBackMessage(plan.alias, where(site.node), `another database would read ${plan.envVar} too`), notFixed: `${plan.envVar} would name two databases`, sources: SOURCES });
  }
  const converted = planned.filter((entry) => !clashes(entry));
  if (converted.length > 0) findings.push(conversion(context, converted, dependencies, nested, version, connMaxAge, option.note));
  return findings;
}

/** The directory of the Django project a settings file belongs to (its nearest manage.py), when it is not the root. */
function nestedProject(index: ProjectIndex, path: string): string | undefined {
  const parts = path.split('/').slice(0, -1);
  for (let depth = parts.length; depth > 0; depth--) {
    const dir = parts.slice(0, depth).join('/');
    if (index.files[`${dir}/manage.py`]) return dir;
  }
  return undefined;
}

/** Settings only tests use: a URL variable set where they run (CI services often set DATABASE_URL) must not move them. */
function isTestSettings(path: string): boolean {
  return /(^|\/)(tests?|testing)\//.test(path) || /(^|\/)(tests?|testing|ci|test_?settings|settings_?tests?|settings_?testing)\.py$/.test(path);
}

/** An SQLite database in memory: only tests use one, and no deployment needs a URL for it. */
function inMemorySqlite(dict: Node): boolean {
  const value = (key: string) => {
    const pair = dict.namedChildren.find((child) => child.type === 'pair' && stringValue(child.childForFieldName('key')!) === key);
    const node = pair?.childForFieldName('value');
    return node ? stringValue(node) : undefined;
  };
  const name = value('NAME') ?? '';
  return /sqlite|spatialite/.test(value('ENGINE') ?? '') && (name === ':memory:' || (name.startsWith('file:') && name.includes('mode=memory')));
}

/** The URL variable a django-environ `env.db()` / `env.db_url()` call reads, when `node` is one. */
function environDatabase(node: Node, scope: NameScope): string | undefined {
  if (node.type !== 'call') return undefined;
  const callee = node.childForFieldName('function');
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
  const method = callee?.childForFieldName('attribute')?.text;
  if (!object || !['db', 'db_url'].includes(method ?? '') || !isEnvInstance(object, scope)) return undefined;
  const first = node.childForFieldName('arguments')?.namedChildren.find((arg) => arg.type !== 'keyword_argument' && arg.type !== 'comment');
  return (first && stringValue(first)) ?? 'DATABASE_URL';
}

function quoteIsTaken(scope: NameScope): boolean {
  const bound = scope.bindings.quote;
  return (bound !== undefined && bound !== 'urllib.parse.quote') || scope.assigned('quote') !== undefined;
}

/** Places in the project that read DATABASES[alias][KEY], by KEY. */
function relaxedReads(index: ProjectIndex, file: ParsedFile, statements: DatabaseStatement[], alias: string): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  const collected = Object.entries(index.extra[ID] ?? {}).filter(([path]) => path !== file.path) as Array<[string, DatabaseUse[]]>;
  for (const [path, uses] of [...collected, [file.path, statements] as [string, DatabaseUse[]]]) {
    for (const use of uses) {
      if (use.kind !== 'read' || use.keys.length < 2 || (use.keys[0] !== alias && use.keys[0] !== null) || !use.keys[1]) continue;
      reads.set(use.keys[1], [...(reads.get(use.keys[1]) ?? []), `${path}:${use.line}`]);
    }
  }
  return reads;
}

function conversion(context: AnalysisContext, converted: Array<{ plan: AliasPlan; site: AliasSite }>, dependencies: Dependencies, nested: string | undefined, version: Version, connMaxAge: number, optionNote?: string): Finding {
  const { file, index, readText } = context;
  const eol = lineEnding(file.text);
  const plans = converted.map(({ plan }) => plan);
  const edits: TextEdit[] = [];
  for (const { plan, site } of converted) {
    const statement = site.statement.node;
    const rendered = renderAlias(file.text, plan.rewrite, urlCode(plan.url, plan.rewrite.quote), indentAt(file.text, statement.startIndex), eol);
    edits.push({ start: plan.rewrite.value.startIndex, end: plan.rewrite.value.endIndex, text: rendered.value });
    // The config holder goes right above the statement that defines the alias.
    if (rendered.statement) edits.push({ start: lineStart(file.text, statement.startIndex), end: lineStart(file.text, statement.startIndex), text: rendered.statement });
  }
  const first = converted.map(({ site }) => site.statement).sort((a, b) => a.node.startIndex - b.node.startIndex)[0];
  const imports = addImports(file.text, file.tree, [{ module: 'dj_database_url' }, ...(plans.some((plan) => usesQuote(plan.url)) ? [{ module: 'urllib.parse', name: 'quote' }] : [])]);
  const files = [{ path: file.path, kind: 'edit' as const, edits: joinInsertions([...imports, ...edits]) }];

  const used = new Set(plans.flatMap((plan) => plan.rewrite.arguments.map(([name]) => name)));
  const keywords = CONFIG_KEYWORDS.filter((keyword) => used.has(keyword));
  let dependency: string;
  const declared = dependencies.declared.get('dj-database-url');
  if (declared) {
    dependency = `dj-database-url is already a dependency (${declared[0].path}: ${declared[0].text})`;
  } else {
    const floor = floorFor(keywords);
    const addition: ReturnType<typeof addRequirement> =
      nested === undefined
        ? addRequirement(index.dependencyFiles, dependencies, readText, 'dj-database-url', floor)
        : { ok: false, reason: `the settings belong to the project in ${nested}/ (its manage.py) and djfix reads dependency files only where it runs; add dj-database-url>=${floor.join('.')}.0 to that project's dependencies, or run djfix in ${nested}/` };
    if (addition.ok) {
      files.push({ ...addition.change, kind: 'edit', edits: addition.change.kind === 'edit' ? addition.change.edits : [] });
      dependency = `${addition.path} gets dj-database-url>=${floor.join('.')}.0${addition.followUp ? `; ${addition.followUp}` : ''}`;
    } else {
      dependency = `dj-database-url is not added to a dependency file: ${addition.reason}`;
    }
  }
  const versionText = version.known
    ? `The call uses only arguments dj-database-url ${version.floor.join('.')} and later have (${keywords.join(', ')})`
    : `The project does not pin dj-database-url, so the call uses only arguments its ${BASELINE.join('.')}.0 release has (${keywords.join(', ')}; Debian 12 ships 0.5.0)${plans.some((plan) => plan.healthChecks === 'key') && !configAccepts('conn_health_checks', version.floor) ? '; CONN_HEALTH_CHECKS is set as a key since config() takes conn_health_checks only from 1.2 on' : ''}`;
  const postgres = plans.some((plan) => plan.scheme === 'postgres' || plan.scheme === 'postgis');
  const psycopg = ['psycopg', 'psycopg-binary', 'psycopg-c'].map((name) => dependencies.declared.get(name)?.[0]).find((entry) => entry !== undefined);
  const poolHint =
    postgres && psycopg && atLeast(index.django, [5, 1]) && !plans.some((plan) => plan.pool)
      ? `With Django 5.1+ and psycopg 3 (${psycopg.path}), Django can pool connections itself: OPTIONS={"pool": True} with CONN_MAX_AGE 0 instead of persistent connections, worth it under many workers; djfix does not switch to it`
      : undefined;
  return {
    transform: ID,
    code: 'convert',
    location: { path: file.path, ...positionOf(file.text, first.node.startIndex) },
    message: conversionMessage({ where: `${file.path}:${first.line}`, plans, connMaxAge, dependency, version: versionText, poolHint, optionNote }),
    sources: plans.some((plan) => plan.pool) || poolHint ? [...SOURCES, POOL_SOURCE] : SOURCES,
    change: { safety: 'review', files },
  };
}

/** Insertions at the same point as one edit, in the order given (the runner rejects two at one point). */
function joinInsertions(edits: TextEdit[]): TextEdit[] {
  const joined: TextEdit[] = [];
  for (const edit of edits) {
    const same = edit.start === edit.end ? joined.find((other) => other.start === other.end && other.start === edit.start) : undefined;
    if (same) same.text += edit.text;
    else joined.push({ ...edit });
  }
  return joined;
}

