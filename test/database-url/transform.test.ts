// The findings of database-url on small projects: what it says, and each reason it holds back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { djfix } from '../helpers/cli';
import { repoRoot } from '../helpers/django';

interface Reported {
  code: string;
  path: string;
  line: number;
  message: string;
  status: string;
  reason: string | null;
  sources: string[];
}

const MANAGE = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n';

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-dburl-'));
  for (const [file, text] of Object.entries({ 'manage.py': MANAGE, 'mysite/__init__.py': '', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function findings(files: Record<string, string>, extra: string[] = []): Promise<{ findings: Reported[]; diff: string }> {
  const run = await djfix(['--json', '--dry-run', '--only', 'database-url', '--jobs', '1', ...extra, project(files)]);
  const doc = JSON.parse(run.stdout);
  return { findings: doc.findings, diff: doc.changes.map((change: { diff: string }) => change.diff).join('') };
}

const SQLITE = 'from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nDATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.sqlite3",\n        "NAME": BASE_DIR / "db.sqlite3",\n    }\n}\n';
const POSTGRES = (extra = '') => `DATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.postgresql",\n        "NAME": "shop",${extra}\n    }\n}\n`;

test('the message says what was read and where, what each database reads, and what it differs in', async () => {
  const { findings: [finding] } = await findings({ 'mysite/settings.py': SQLITE, 'requirements.txt': 'Django>=4.2\n' });
  expect(finding).toMatchObject({ code: 'convert', path: 'mysite/settings.py', line: 3, status: 'applied' });
  expect(finding.message).toContain('DATABASES at mysite/settings.py:3 is written into the settings');
  expect(finding.message).toContain('(default: DATABASE_URL); with DATABASE_URL unset, DATABASES is what it was');
  expect(finding.message).toContain('plus CONN_MAX_AGE=600 so connections are reused for up to 600 seconds and CONN_HEALTH_CHECKS=True');
  expect(finding.message).toContain('NAME becomes the text of the path `BASE_DIR / "db.sqlite3"`, the same database file');
  expect(finding.message).toContain('requirements.txt gets dj-database-url>=0.5.0');
  expect(finding.message).toContain('only arguments its 0.5.0 release has (default, conn_max_age');
  expect(finding.sources).toContain('docs/ref/databases.txt (persistent connections)');
});

test('a literal password is reported where it is, also through a name', async () => {
  const { findings: [finding] } = await findings({ 'mysite/settings.py': `DB_PASSWORD = "hunter2"\n${POSTGRES('\n        "PASSWORD": DB_PASSWORD,')}` });
  expect(finding.message).toContain('The default password is a literal in the source (mysite/settings.py:1); it stays there');
});

test('--set database-url.conn-max-age=N', async () => {
  const { diff } = await findings({ 'mysite/settings.py': SQLITE }, ['--set', 'database-url.conn-max-age=60']);
  expect(diff).toContain('+            conn_max_age=60,');
  const invalid = await djfix(['--dry-run', '--set', 'database-url.conn-max-age=soon', project({ 'mysite/settings.py': SQLITE })]);
  expect(invalid.code).toBe(2);
  expect(invalid.stderr).toContain('database-url.conn-max-age must be a whole number (got "soon")');
});

test('a changed NAME is held back when project code reads it', async () => {
  const { findings: found } = await findings({ 'mysite/settings.py': SQLITE, 'backup.py': 'from django.conf import settings\n\ndef path():\n    return settings.DATABASES["default"]["NAME"].parent\n' });
  expect(found).toEqual([expect.objectContaining({ code: 'held-back', status: 'not-fixed', reason: expect.stringContaining('backup.py:4 reads NAME') })]);
});

test('two aliases that would read one variable are held back; the others are rewritten', async () => {
  const alias = (name: string) => `    "${name}": {"ENGINE": "django.db.backends.sqlite3", "NAME": "${name}.db"},\n`;
  const { findings: found } = await findings({ 'mysite/settings.py': `DATABASES = {\n${alias('default')}${alias('read-replica')}${alias('read_replica')}}\n` });
  expect(found.map((finding) => [finding.code, finding.status, finding.reason])).toEqual([
    ['convert', 'applied', null],
    ['held-back', 'not-fixed', 'READ_REPLICA_DATABASE_URL would name two databases'],
    ['held-back', 'not-fixed', 'READ_REPLICA_DATABASE_URL would name two databases'],
  ]);
});

test('names djfix would need that are taken hold the alias back', async () => {
  const options = POSTGRES('\n        "OPTIONS": {"sslmode": "require"},');
  const taken = await findings({ 'mysite/settings.py': `_default_database = "mine"\n${options}` });
  expect(taken.findings[0].reason).toContain('the name _default_database, which djfix would hold its config in, is taken');
  const quote = await findings({ 'mysite/settings.py': `from shlex import quote\n${SQLITE}` });
  expect(quote.findings[0].reason).toContain('the name quote is taken');
  const literalOnly = await findings({ 'mysite/settings.py': `from shlex import quote\n${POSTGRES()}` });
  expect(literalOnly.findings[0].status).toBe('applied');
});

test('a dj-database-url older than 0.5 is not written for', async () => {
  const { findings: [finding] } = await findings({ 'mysite/settings.py': POSTGRES(), 'requirements.txt': 'dj-database-url==0.4.2\n' });
  expect(finding.reason).toContain('the project allows dj-database-url 0.4 (requirements.txt), older than 0.5');
});

test('DATABASES built at run time is reported with the reason', async () => {
  const call = await findings({ 'mysite/settings.py': 'DATABASES = load_databases()\n' });
  expect(call.findings).toEqual([expect.objectContaining({ code: 'dynamic', reason: 'DATABASES is `load_databases()`, not a dict written out' })]);
  const spread = await findings({ 'mysite/settings.py': 'DATABASES = {**BASE, "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}}\n' });
  expect(spread.findings[0].reason).toBe('DATABASES has entries djfix cannot read (`**BASE`)');
  const alias = await findings({ 'mysite/settings.py': 'DATABASES = {"default": DATABASE}\n' });
  expect(alias.findings[0]).toMatchObject({ code: 'held-back', reason: 'it is `DATABASE`, whose value djfix does not follow' });
});

test('settings already on dj-database-url: conn_max_age only where nothing sets it, never with a pool', async () => {
  const settings = [
    'import dj_database_url as db_url',
    'db_from_env = db_url.config(conn_max_age=500)',
    'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.db"}}',
    'DATABASES["default"].update(db_from_env)',
    'DATABASES["pooled"] = {**db_url.config("POOLED_URL"), "OPTIONS": {"pool": True}}',
    'DATABASES["spread"] = db_url.config(**DB_ARGS)',
    'DATABASES["plain"] = db_url.parse(os.environ["PLAIN_URL"])',
  ].join('\n');
  const { findings: found, diff } = await findings({ 'mysite/settings.py': `${settings}\n`, 'requirements.txt': 'Django==4.2\ndj-database-url==0.5.0\n' });
  expect(found.map((finding) => [finding.code, finding.line])).toEqual([['conn-max-age', 7]]);
  expect(found[0].message).toContain('dj-database-url takes conn_health_checks only from 1.2 on and the project allows 0.5');
  expect(diff).toContain('+DATABASES["plain"] = db_url.parse(os.environ["PLAIN_URL"], conn_max_age=600)');
});

test('django-environ: no rewrite; the missing CONN_MAX_AGE is reported', async () => {
  const { findings: [finding] } = await findings({ 'mysite/settings.py': 'import environ\nenv = environ.Env()\nDATABASES = {"default": env.db("PRIMARY_URL")}\n' });
  expect(finding).toMatchObject({ code: 'environ', status: 'not-fixed' });
  expect(finding.message).toContain('add ?conn_max_age=600 to PRIMARY_URL');
});

test('native pooling: mentioned when Django 5.1+ and psycopg 3 are there; OPTIONS["pool"] keeps CONN_MAX_AGE at 0', async () => {
  const hint = await findings({ 'mysite/settings.py': POSTGRES(), 'requirements.txt': 'Django>=5.1\npsycopg[binary]>=3.2\n' });
  expect(hint.findings[0].message).toContain('With Django 5.1+ and psycopg 3 (requirements.txt), Django can pool connections itself');
  const pool = await findings({ 'mysite/settings.py': POSTGRES('\n        "OPTIONS": {"pool": True},'), 'requirements.txt': 'Django>=5.1\npsycopg[binary]>=3.2\n' });
  expect(pool.findings[0].message).toContain('OPTIONS["pool"] (mysite/settings.py:5) turns on Django\'s connection pool');
  expect(pool.diff).not.toContain('conn_max_age');
  expect(pool.diff).not.toContain('CONN_HEALTH_CHECKS');
});

test('the example project: a fix next to middleware-order\'s in the same file', async () => {
  const run = await djfix(['--json', '--dry-run', '--jobs', '1', path.join(repoRoot(), 'fixtures', 'example-project')]);
  const doc = JSON.parse(run.stdout);
  expect(doc.findings.filter((finding: Reported & { transform: string }) => finding.status === 'applied').map((finding: { transform: string }) => finding.transform)).toEqual(expect.arrayContaining(['middleware-order', 'database-url']));
});

test('test settings and in-memory SQLite are left as they are', async () => {
  const test = await findings({ 'mysite/settings/__init__.py': '', 'mysite/settings/test.py': POSTGRES() });
  expect(test.findings).toEqual([expect.objectContaining({ code: 'test-settings', status: 'not-fixed', reason: expect.stringContaining('CI services often set one') })]);
  const memory = await findings({ 'mysite/settings.py': 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n' });
  expect(memory.findings).toEqual([]);
});

test('settings of a project nested in another (a library\'s example project): no dependency edit at the root', async () => {
  const { findings: [finding], diff } = await findings({
    'pyproject.toml': '[project]\nname = "library"\ndependencies = ["Django>=4.2"]\n',
    'examples/site/manage.py': MANAGE,
    'examples/site/mysite/__init__.py': '',
    'examples/site/mysite/settings.py': SQLITE,
  });
  expect(finding.status).toBe('applied');
  expect(finding.message).toContain('the settings belong to the project in examples/site/ (its manage.py) and djfix reads dependency files only where it runs');
  expect(diff).not.toContain('pyproject.toml');
});

test('names as alias keys are fine when their values already come from a URL', async () => {
  const settings = 'import dj_database_url\nPRIMARY = "default"\nDATABASES = {PRIMARY: dj_database_url.config(conn_max_age=60)}\n';
  expect((await findings({ 'mysite/settings.py': settings })).findings).toEqual([]);
});

test('the message warns that a variable already set takes over', async () => {
  const { findings: [finding] } = await findings({ 'mysite/settings.py': POSTGRES() });
  expect(finding.message).toContain('Where DATABASE_URL is already set (Heroku, Render and many CI services set DATABASE_URL), Django connects to that database from now on');
});

test('a name is followed to its assignment before the statement that uses it', async () => {
  const settings = 'import os\nDATABASES = {}\nDB_NAME = os.environ.get("DB_NAME", "shop")\nDATABASES["default"] = {"ENGINE": "django.db.backends.postgresql", "NAME": DB_NAME}\n';
  const { findings: [finding], diff } = await findings({ 'mysite/settings.py': settings });
  expect(finding.status).toBe('applied');
  expect(diff).toContain('quote(DB_NAME)');
});

test('a read of a changed key inside a function of the settings file holds the alias back too', async () => {
  const { findings: [finding] } = await findings({ 'mysite/settings.py': `${SQLITE}\ndef backup_dir():\n    return DATABASES["default"]["NAME"].parent\n` });
  expect(finding).toMatchObject({ code: 'held-back', reason: expect.stringContaining('mysite/settings.py:11 reads NAME') });
});

test('dj_database_url from a star import counts as dj_database_url', async () => {
  const { findings: [finding] } = await findings({
    'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.production")\n',
    'mysite/base.py': 'import dj_database_url\nDATABASES = {"default": dj_database_url.config(conn_max_age=60)}\n',
    'mysite/production.py': 'from .base import *\nDATABASES["default"] = dj_database_url.config(env="PRODUCTION_DATABASE_URL")\n',
  });
  expect(finding).toMatchObject({ code: 'conn-max-age', path: 'mysite/production.py', status: 'applied' });
});

test('a pinned dj-database-url decides the keywords: conn_health_checks and no engine= from 1.2 on', async () => {
  const { findings: [finding], diff } = await findings({ 'mysite/settings.py': POSTGRES(), 'requirements.txt': 'Django==4.2.16\ndj-database-url==2.1.0\n' });
  expect(diff).toContain('+    "default": dj_database_url.config(\n+        default="postgres:///shop",\n+        conn_max_age=600,\n+        conn_health_checks=True,\n+    )');
  expect(diff).not.toContain('requirements.txt');
  expect(finding.message).toContain('The call uses only arguments dj-database-url 2.1 and later have (default, conn_max_age, conn_health_checks)');
});
