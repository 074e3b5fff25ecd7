// database-url: a DATABASES dict written into the settings becomes dj_database_url.config() calls,
// one environment variable per database, whose default URL is built from the old values so that with
// the variables unset DATABASES stays what it was (plus connection reuse). Settings already on
// dj-database-url get conn_max_age; anything built at run time is reported, never edited.
import type { Finding } from '../../src/model';
import { atLeast } from '../../src/project/django-version';
import type { ProjectIndex } from '../../src/project/index';
import { positionOf } from '../../src/source';
import type { Node } from '../../src/parse';
import type { AnalysisContext, ParsedFile, Transform } from '../types';
import { conversion, ProjectRelease } from './conversion';
import { AliasPlan, AliasSite, planAlias } from './convert';
import { declaredFloor, Dependencies, readDependencies } from './dependencies';
import { addConnectionReuse } from './existing';
import { aliasEffects, layeredOn } from './layers';
import { environMessage, heldBackMessage, POOL_SOURCE, SOURCES } from './messages';
import { fileScope, NameScope } from './scope';
import { findSites, inMemorySqlite, isTestSettings, urlReaders } from './sites';
import { collectDatabaseUses, DatabaseStatement, DatabaseUse, databaseStatements } from './statements';
import { usesQuote } from './url';
import { BASELINE, versionAtLeast } from './versions';

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
    'dj-database-url get conn_max_age; DATABASES built at run time is reported, not edited; test settings ' +
    'and in-memory SQLite databases are left alone.',
  rules: [
    { id: 'equivalence', strength: 'required', text: 'With the URL variables unset, every key of the old DATABASES keeps its value (a path NAME becomes its text, a PORT may become a number, a host name is lower-cased; each is named in the finding).', sources: ['https://github.com/jazzband/dj-database-url#readme'] },
    { id: 'conn-max-age', strength: 'recommended', text: 'CONN_MAX_AGE > 0 reuses connections between requests; CONN_HEALTH_CHECKS (4.1+) checks them first.', sources: ['docs/ref/databases.txt', 'docs/ref/settings.txt'] },
    { id: 'pool', strength: 'required', text: 'OPTIONS["pool"] (Django 5.1+) cannot be combined with a non-zero CONN_MAX_AGE.', sources: [POOL_SOURCE] },
  ],
  options: [
    {
      name: 'conn-max-age',
      type: 'integer',
      default: DEFAULT_CONN_MAX_AGE,
      description: 'CONN_MAX_AGE, in seconds, given to databases that do not set it (0 closes connections after each request)',
      check: (value) => ((value as number) < 0 ? `must be 0 or more seconds (got ${value})` : undefined),
    },
  ],
  screen: (text) => text.includes('DATABASES') || text.includes('dj_database_url'),
  mayApply: (file) => file.role === 'settings' && file.screened,
  collect: (tree, text) => collectDatabaseUses(tree.rootNode, text),
  analyze,
};

function projectRelease(dependencies: Dependencies): ProjectRelease {
  const declared = dependencies.declared.get('dj-database-url');
  const floor = declaredFloor(declared);
  if (!floor) return { floor: BASELINE, known: false };
  if (!versionAtLeast(floor, BASELINE)) return { floor: BASELINE, known: true, tooOld: `the project allows dj-database-url ${floor.join('.')} (${declared![0].path}), older than ${BASELINE.join('.')}, whose URL parsing djfix relies on; require dj-database-url>=${BASELINE.join('.')}.0 first` };
  return { floor, known: true };
}

function analyze(context: AnalysisContext): Finding[] {
  const { file, index, options, readText } = context;
  const root = file.tree.rootNode;
  const everyUse = databaseStatements(root, file.text);
  const statements = everyUse.filter((statement) => !statement.inFunction);
  const nested = nestedProject(index, file.path);
  // The root's dependency files belong to another project then (a library with an example project, say).
  const dependencies = readDependencies(nested === undefined ? index.dependencyFiles : [], readText);
  const release = projectRelease(dependencies);
  // Checked against the declaration before the run: a whole number of seconds, 0 or more.
  const connMaxAge = (options['conn-max-age'] as number | undefined) ?? DEFAULT_CONN_MAX_AGE;
  const healthChecks = atLeast(index.django, [4, 1]);
  const bindings = index.bindings[file.module] ?? {};
  const findings = addConnectionReuse(file, { floor: release.floor, versionKnown: release.known, connMaxAge, healthChecks, bindings, statements, sources: SOURCES });

  const defining = statements.filter((statement) => statement.kind === 'assign' || (statement.kind === 'item' && statement.keys.length === 1));
  if (defining.length === 0) return findings;
  const scopeAt = fileScope(file.path, file.text, root, file.module, index);
  const scope = scopeAt(defining[0].node.startIndex);
  const readers = urlReaders(bindings, scope);
  const found = findSites(file.path, file.text, statements, readers);
  findings.push(...found.findings);
  const at = (node: Node) => ({ path: file.path, ...positionOf(file.text, node.startIndex) });
  const where = (node: Node) => `${file.path}:${node.startPosition.row + 1}`;

  const candidates = found.sites.filter((site) => site.value.type === 'dictionary' && !readers.onUrl(site.value) && !inMemorySqlite(site.value));
  if (isTestSettings(file.path) && candidates.length > 0) {
    const reason = 'these look like test settings: a DATABASE_URL set where tests run (CI services often set one) would move the tests to that database, so djfix leaves test settings as they are';
    findings.push({ transform: ID, code: 'test-settings', location: at(candidates[0].node), message: `DATABASES in ${file.path} stays written into the settings: ${reason}`, notFixed: reason, sources: SOURCES });
    return findings;
  }
  const layers = layeredOn(index, file.path).map((path) => ({ path, uses: (index.extra[ID]?.[path] as DatabaseUse[] | undefined) ?? [] }));
  const planned: Array<{ plan: AliasPlan; site: AliasSite }> = [];
  for (const site of found.sites) {
    const { alias, value } = site;
    const own = statements.filter((statement) => statement.node.startIndex > site.statement.node.endIndex);
    const held = (reason: string) => findings.push({ transform: ID, code: 'held-back', location: at(site.node), message: heldBackMessage(alias, where(site.node), reason), notFixed: reason, sources: SOURCES });
    // `DATABASES["default"].update(dj_database_url.config())`: Heroku's documented shape.
    const updatedFromUrl = own.some((use) => use.kind === 'method' && use.method === 'update' && use.keys[0] === alias && use.keys.length === 1 && use.node.childForFieldName('arguments')?.namedChildren.some(readers.onUrl));
    if (readers.onUrl(value) || updatedFromUrl) {
      const environ = readers.environ(value);
      const configured = [...own, ...layers.flatMap((layer) => layer.uses)].some((use) => use.kind !== 'read' && use.keys[0] === alias && use.keys[1] === 'CONN_MAX_AGE');
      if (environ && !configured) findings.push({ transform: ID, code: 'environ', location: at(site.node), message: environMessage(alias, where(site.node), environ), notFixed: 'django-environ already reads the database from a URL', sources: SOURCES });
      continue;
    }
    if (value.type === 'dictionary' && inMemorySqlite(value)) continue;
    if (value.type !== 'dictionary') {
      held(`it is \`${value.text.split('\n')[0]}\`, whose value djfix does not follow`);
      continue;
    }
    if (release.tooOld) {
      held(release.tooOld);
      continue;
    }
    const result = planAlias(file.text, site, scopeAt(site.statement.node.startIndex), file.path, {
      floor: release.floor,
      connMaxAge,
      healthChecks,
      effects: aliasEffects(alias, own, layers, file.path),
      reads: keyReads(index, file, everyUse, alias),
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
  if (converted.length > 0) findings.push(conversion(context, { converted, dependencies, nested, release, connMaxAge }));
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

function quoteIsTaken(scope: NameScope): boolean {
  const bound = scope.bindings.quote;
  return (bound !== undefined && bound !== 'urllib.parse.quote') || scope.assigned('quote') !== undefined;
}

/** Places in the project that read DATABASES[alias][KEY], by KEY: code that may notice a value's new type. */
function keyReads(index: ProjectIndex, file: ParsedFile, statements: DatabaseStatement[], alias: string): Map<string, string[]> {
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
