// Real-Django proof (Debian's Django 3.2 and dj-database-url 0.5.0): for every fixture shape djfix
// rewrites, DATABASES imported from the rewritten settings with the URL variables unset equals the
// old one key by key (the representation changes the finding names aside) and adds only connection
// reuse; with DATABASE_URL set, Django connects where it says; with CONN_MAX_AGE > 0 one connection
// serves two requests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyExampleProject, copyTree, repoRoot, runDjango } from '../helpers/django';
import { djfix } from '../helpers/cli';

const FIXTURES = path.join(repoRoot(), 'fixtures', 'database-url');

type Tagged = { dict: Record<string, Tagged> } | { type: string; text: string };
type Databases = Record<string, Tagged>;

/** DATABASES as the settings give it, and as Django completes it (ensure_defaults, prepare_test_settings). */
const READ_DATABASES = `
  import copy
  from django.conf import settings
  from django.db import connections

  def tag(value):
      if isinstance(value, dict):
          return {"dict": {str(key): tag(item) for key, item in value.items()}}
      return {"type": type(value).__name__, "text": str(value)}

  raw = copy.deepcopy(settings.DATABASES)
  for alias in settings.DATABASES:
      connections.ensure_defaults(alias)
      connections.prepare_test_settings(alias)
  result = {"raw": tag(raw)["dict"], "effective": tag(settings.DATABASES)["dict"]}
`;

function readDatabases(project: string, env: Record<string, string> = {}): { raw: Databases; effective: Databases } {
  const run = runDjango(project, READ_DATABASES, { DJFIX_KEEP_DATABASES: '1', DJFIX_NO_SETUP: '1', ...env });
  if (!run.ok) throw new Error(`${run.error}\n${run.traceback}`);
  return run.result;
}

/** A copy of a fixture's input that targets the dj-database-url installed here (0.5.0): no pin of its own. */
function unpinnedCopy(fixture: string): string {
  const project = copyTree(path.join(FIXTURES, fixture, 'input'));
  for (const file of fs.readdirSync(project).filter((name) => /^requirements.*\.txt$/.test(name))) {
    const full = path.join(project, file);
    fs.writeFileSync(full, fs.readFileSync(full, 'utf8').replace(/^dj-database-url.*\r?\n/gm, ''));
  }
  return project;
}

/**
 * The representation changes a rewrite may make, each named in its finding: a path NAME becomes
 * its text, a PORT may become a number, a host name is lower-cased.
 */
function sameValue(key: string, before: Tagged, after: Tagged): boolean {
  if ('dict' in before || 'dict' in after) return JSON.stringify(before) === JSON.stringify(after);
  if (before.type === after.type && before.text === after.text) return true;
  if (key === 'NAME' && before.type.endsWith('Path')) return after.type === 'str' && after.text === before.text;
  if (key === 'PORT') return ['int', 'str'].includes(after.type) && after.text === before.text;
  if (key === 'HOST') return after.type === 'str' && after.text === before.text.toLowerCase();
  return false;
}

/** Keys whose value differs, alias by alias: every key the old settings had must come back the same. */
function differences(before: Databases, after: Databases, ignore: string[] = []): string[] {
  const found: string[] = [];
  for (const [alias, settings] of Object.entries(before)) {
    const old = 'dict' in settings ? settings.dict : {};
    const current = after[alias] && 'dict' in after[alias] ? (after[alias] as { dict: Record<string, Tagged> }).dict : {};
    for (const [key, value] of Object.entries(old)) {
      if (ignore.includes(key)) continue;
      if (!(key in current) || !sameValue(key, value, current[key])) found.push(`${alias}.${key}: ${JSON.stringify(value)} -> ${JSON.stringify(current[key])}`);
    }
  }
  if (Object.keys(after).join() !== Object.keys(before).join()) found.push(`aliases: ${Object.keys(before)} -> ${Object.keys(after)}`);
  return found;
}

function valueAt(databases: Databases, alias: string, key: string): Tagged | undefined {
  const settings = databases[alias];
  return settings && 'dict' in settings ? settings.dict[key] : undefined;
}

interface Shape {
  fixture: string;
  env?: Record<string, string>;
  settingsModules?: string[];
  /** Aliases whose CONN_MAX_AGE djfix sets to 600 (the others keep theirs), by settings module when there are several. */
  reused: string[] | Record<string, string[]>;
  /** Aliases that get CONN_HEALTH_CHECKS (target Django 4.1+). */
  checked?: string[];
}

const SHAPES: Shape[] = [
  { fixture: 'startproject-sqlite', reused: ['default'] },
  { fixture: 'startproject-django-4-2', reused: ['default'], checked: ['default'] },
  { fixture: 'postgres-literals', reused: ['default'] },
  { fixture: 'env-os-environ', reused: [], env: { DB_USER: 'shop', DB_PASSWORD: 'p@ss:w/rd %?#', DB_PORT: '6432', DB_CONN_MAX_AGE: '30' } },
  { fixture: 'options-test-atomic-requests', reused: ['default'] },
  { fixture: 'several-aliases', reused: ['default', 'replica', 'legacy-crm'], checked: ['default', 'replica', 'legacy-crm'], env: { DB_PASSWORD: 's3cret/:@' } },
  { fixture: 'pool-enabled', reused: [] },
  { fixture: 'comments-crlf-old-template', reused: ['default'] },
  { fixture: 'no-dependency-file', reused: ['default'], checked: ['default'] },
  { fixture: 'requirements-in-pip-tools', reused: ['default'], checked: ['default'] },
  { fixture: 'multiline-name-and-comments', reused: ['default'], checked: ['default'], env: { DEMO_DATABASE: '/srv/demo #1/db?.sqlite3' } },
  { fixture: 'layered-settings', reused: { 'mysite.settings.production': [], 'mysite.settings.local': ['default'] }, checked: ['default'], settingsModules: ['mysite.settings.production', 'mysite.settings.local'] },
  {
    fixture: 'alias-by-item-assignment',
    reused: { 'mysite.settings.production': ['default', 'reports'], 'mysite.settings.base': ['default'] },
    settingsModules: ['mysite.settings.production', 'mysite.settings.base'],
    env: { DB_PASSWORD: 'pass word/%' },
  },
];

describe('with the URL variables unset, the rewritten DATABASES is the old one plus connection reuse', () => {
  for (const shape of SHAPES) {
    test(shape.fixture, async () => {
      // Same directory before and after: paths built from BASE_DIR must match.
      const project = unpinnedCopy(shape.fixture);
      const modules = shape.settingsModules ?? [undefined];
      const envOf = (module: string | undefined) => ({ ...shape.env, ...(module ? { DJANGO_SETTINGS_MODULE: module } : {}) });
      const before = modules.map((module) => readDatabases(project, envOf(module)));
      const run = await djfix(['--write', '--only', 'database-url', '--jobs', '1', project]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Changed [1-9]\d* files?/);
      for (const [i, module] of modules.entries()) {
        const old = before[i];
        const rewritten = readDatabases(project, envOf(module));
        expect(differences(old.raw, rewritten.raw)).toEqual([]);
        expect(differences(old.effective, rewritten.effective, ['CONN_MAX_AGE'])).toEqual([]);
        for (const alias of Object.keys(old.effective)) {
          const reused = (Array.isArray(shape.reused) ? shape.reused : shape.reused[module!]).includes(alias);
          const expected = reused ? { type: 'int', text: '600' } : valueAt(old.effective, alias, 'CONN_MAX_AGE');
          expect({ alias, conn_max_age: valueAt(rewritten.effective, alias, 'CONN_MAX_AGE') }).toEqual({ alias, conn_max_age: expected });
          const checks = valueAt(rewritten.raw, alias, 'CONN_HEALTH_CHECKS');
          expect({ alias, checks }).toEqual({ alias, checks: shape.checked?.includes(alias) ? { type: 'bool', text: 'True' } : valueAt(old.raw, alias, 'CONN_HEALTH_CHECKS') });
        }
      }
    });
  }
});

describe('the example project, rewritten', () => {
  let project: string;
  beforeAll(async () => {
    project = copyExampleProject();
    const run = await djfix(['--write', '--only', 'database-url', '--jobs', '1', project]);
    expect(run.code).toBe(0);
  });

  test('with DATABASE_URL unset, Django uses the same SQLite file as before', () => {
    const run = runDjango(project, 'from django.db import connection\nresult = [str(connection.settings_dict["NAME"]), connection.settings_dict["CONN_MAX_AGE"]]', { DJFIX_KEEP_DATABASES: '1', DJFIX_NO_MIGRATE: '1' });
    expect(run.result).toEqual([path.join(project, 'db.sqlite3'), 600]);
  });

  test('with DATABASE_URL set to another SQLite file, Django connects there', () => {
    const other = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-other-db-')), 'other.sqlite3');
    const snippet = `
      from django.contrib.auth.models import User
      from django.db import connection

      User.objects.create(username="on-the-url-database")
      result = [connection.settings_dict["NAME"], User.objects.count()]
    `;
    const run = runDjango(project, snippet, { DJFIX_KEEP_DATABASES: '1', DATABASE_URL: `sqlite:///${other}` });
    expect(run.error).toBeUndefined();
    expect(run.result).toEqual([other, 1]);
    expect(fs.existsSync(other)).toBe(true);
    expect(fs.existsSync(path.join(project, 'db.sqlite3'))).toBe(false);
  });
});

// Django's test client keeps the connection open whatever CONN_MAX_AGE says (it disconnects
// close_old_connections around each request), so requests go through the WSGI handler, as under a
// real server: request_started and request_finished close connections that are past their age.
const TWO_REQUESTS = `
  from wsgiref.util import setup_testing_defaults

  from django.core.handlers.wsgi import WSGIHandler
  from django.db import connection

  handler = WSGIHandler()
  after = []

  def get(path):
      environ = {}
      setup_testing_defaults(environ)
      environ["PATH_INFO"] = path
      response = handler(environ, lambda status, headers: None)
      body = b"".join(response).decode()
      response.close()  # the server ends the request: request_finished
      after.append(connection.connection)
      return body

  bodies = [get("/connection/"), get("/connection/")]
  result = {"bodies": bodies, "open": after[0] is not None, "same": after[0] is not None and after[0] is after[1]}
`;

const CONNECTION_VIEW = `from django.db import connection
from django.http import HttpResponse
from django.urls import path


def connection_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok")


urlpatterns = [path("connection/", connection_view)]
`;

test('with CONN_MAX_AGE > 0 one database connection serves two requests (and did not before)', async () => {
  const project = unpinnedCopy('startproject-sqlite');
  fs.writeFileSync(path.join(project, 'mysite', 'urls.py'), CONNECTION_VIEW);
  const env = { DJFIX_KEEP_DATABASES: '1', DJFIX_NO_MIGRATE: '1' };
  const before = runDjango(project, TWO_REQUESTS, env);
  expect(before.result).toEqual({ bodies: ['ok', 'ok'], open: false, same: false });
  expect((await djfix(['--write', '--only', 'database-url', '--jobs', '1', project])).code).toBe(0);
  const after = runDjango(project, TWO_REQUESTS, env);
  expect(after.result).toEqual({ bodies: ['ok', 'ok'], open: true, same: true });
});

test('with a URL variable set, the URL decides the connection: OPTIONS merged under its query, other keys kept, other aliases untouched', async () => {
  const project = unpinnedCopy('options-test-atomic-requests');
  expect((await djfix(['--write', '--only', 'database-url', '--jobs', '1', project])).code).toBe(0);
  const url = 'postgres://reporting:p%40ss@replica.example.com:6432/orders_ro?sslmode=require&application_name=from-url';
  const { raw } = readDatabases(project, { DATABASE_URL: url });
  const settings = (raw.default as { dict: Record<string, Tagged> }).dict;
  const text = (key: string) => (settings[key] && 'text' in settings[key] ? (settings[key] as { text: string }).text : settings[key]);
  expect([text('NAME'), text('USER'), text('PASSWORD'), text('HOST'), text('PORT')]).toEqual(['orders_ro', 'reporting', 'p@ss', 'replica.example.com', '6432']);
  expect(settings.OPTIONS).toEqual({ dict: { connect_timeout: { type: 'int', text: '5' }, application_name: { type: 'str', text: 'from-url' }, sslmode: { type: 'str', text: 'require' } } });
  expect([text('ATOMIC_REQUESTS'), text('DISABLE_SERVER_SIDE_CURSORS'), text('CONN_MAX_AGE')]).toEqual(['True', 'True', '600']);

  const aliases = unpinnedCopy('several-aliases');
  expect((await djfix(['--write', '--only', 'database-url', '--jobs', '1', aliases])).code).toBe(0);
  const unset = readDatabases(aliases).raw;
  const replicaSet = readDatabases(aliases, { REPLICA_DATABASE_URL: 'postgres://ro@standby/shop' }).raw;
  expect(replicaSet.default).toEqual(unset.default);
  expect(replicaSet['legacy-crm']).toEqual(unset['legacy-crm']);
  expect(valueAt(replicaSet, 'replica', 'HOST')).toEqual({ type: 'str', text: 'standby' });
  expect(valueAt(replicaSet, 'replica', 'TEST')).toEqual(valueAt(unset, 'replica', 'TEST'));
});
