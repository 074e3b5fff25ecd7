// The configuration file: [tool.djfix] of pyproject.toml or a --config file, every key checked,
// the command line winning over the file and --set over the option tables.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { djfix } from '../helpers/cli';
import { main } from '../../src/cli';
import { testTransform, withTransform } from '../helpers/transforms';

const MISORDERED = 'MIDDLEWARE = [\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n';
/** Out of order for a required rule, and with SecurityMiddleware (a recommendation) last. */
const RECOMMENDED_ONLY = 'MIDDLEWARE = [\n    "django.contrib.sessions.middleware.SessionMiddleware",\n    "django.middleware.security.SecurityMiddleware",\n]\n';
const SQLITE = 'DATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.sqlite3",\n        "NAME": "db.sqlite3",\n    }\n}\n';

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-config-'));
  for (const [file, text] of Object.entries({ 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n', 'mysite/__init__.py': '', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function json(args: string[]): Promise<{ code: number; doc: { findings: Array<{ transform: string; path: string; status: string }>; changes: Array<{ path: string; diff: string }>; django: { version: string; source: string }; skipped: Array<{ path: string }> } }> {
  const run = await djfix(['--json', '--dry-run', ...args]);
  expect(run.stderr).toBe('');
  return { code: run.code, doc: JSON.parse(run.stdout) };
}

describe('[tool.djfix] in the project root pyproject.toml', () => {
  test('sets what the flags set: transforms, globs, target Django, file size, transform options', async () => {
    const dir = project({
      'pyproject.toml': [
        '[project]\nname = "mysite"\n',
        '[tool.djfix]',
        'only = ["middleware-order", "database-url"]',
        'exclude = ["legacy/**"]',
        'target-django = "4.2"',
        'max-file-size = 5000',
        '',
        '[tool.djfix.database-url]',
        'conn-max-age = 60',
        '',
      ].join('\n'),
      'mysite/settings.py': `${MISORDERED}${SQLITE}`,
      'legacy/settings.py': MISORDERED,
      'mysite/big.py': `x = 1\n${'# padding\n'.repeat(600)}`,
    });
    const { doc } = await json([dir]);
    expect(doc.django).toEqual({ version: '4.2', source: expect.stringMatching(/pyproject\.toml$/) });
    expect([...new Set(doc.findings.map((finding) => finding.transform))].sort()).toEqual(['database-url', 'middleware-order']);
    expect(doc.findings.every((finding) => finding.path === 'mysite/settings.py')).toBe(true);
    expect(doc.changes.map((change) => change.diff).join('')).toContain('conn_max_age=60');
    expect(doc.skipped).toEqual([expect.objectContaining({ path: 'mysite/big.py' })]);
  });

  test('flags win over the file; --only/--skip replace both only and skip; --set wins over the table', async () => {
    const dir = project({
      'pyproject.toml': '[tool.djfix]\nskip = ["middleware-order"]\nexclude = ["mysite/**"]\ntarget-django = "3.2"\n[tool.djfix.database-url]\nconn-max-age = 60\n',
      'mysite/settings.py': `${MISORDERED}${SQLITE}`,
    });
    expect((await json([dir])).doc.findings).toEqual([]);
    const { doc } = await json(['--exclude', 'nothing/**', '--only', 'middleware-order,database-url', '--target-django', '5.0', '--set', 'database-url.conn-max-age=30', dir]);
    expect(doc.django).toEqual({ version: '5.0', source: '--target-django' });
    expect([...new Set(doc.findings.map((finding) => finding.transform))].sort()).toEqual(['database-url', 'middleware-order']);
    expect(doc.changes.map((change) => change.diff).join('')).toContain('conn_max_age=30');
  });

  test('per-transform options in their table: middleware-order.required-only', async () => {
    const dir = project({ 'mysite/settings.py': RECOMMENDED_ONLY });
    expect((await json(['--only', 'middleware-order', dir])).doc.changes).toHaveLength(1);
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.djfix.middleware-order]\nrequired-only = true\n');
    expect((await json(['--only', 'middleware-order', dir])).doc.changes).toEqual([]);
  });

  test('a pyproject.toml without [tool.djfix] is no configuration', async () => {
    const dir = project({ 'pyproject.toml': '[tool.ruff]\nline-length = 100\n', 'mysite/settings.py': MISORDERED });
    expect((await djfix(['--dry-run', dir])).code).toBe(1);
  });

  test('cache-dir, relative to the project root, unless --no-cache', async () => {
    const dir = project({ 'pyproject.toml': '[tool.djfix]\ncache-dir = "build-cache/djfix"\n', 'mysite/settings.py': MISORDERED });
    const quiet = { stdout: () => undefined, stderr: () => undefined, isTTY: false };
    expect(await main(['node', 'djfix', '--dry-run', '--jobs', '1', dir], quiet)).toBe(1);
    expect(fs.existsSync(path.join(dir, 'build-cache', 'djfix', 'CACHEDIR.TAG'))).toBe(true);
    fs.rmSync(path.join(dir, 'build-cache'), { recursive: true });
    expect(await main(['node', 'djfix', '--dry-run', '--jobs', '1', '--no-cache', dir], quiet)).toBe(1);
    expect(fs.existsSync(path.join(dir, 'build-cache'))).toBe(false);
  });
});

test('edit-migrations = true lets fixes change migrations', async () => {
  // No transform of djfix proposes edits to migrations today: a test transform does.
  const renameInMigrations = testTransform({
    id: 'test-migration-edit',
    screen: (text) => text.includes('old_name'),
    analyze: ({ file }) => [{ transform: 'test-migration-edit', code: 'rename', location: { path: file.path, line: 1, column: 1 }, message: 'rename', change: { safety: 'safe', files: [{ path: file.path, kind: 'edit', edits: [{ start: 0, end: 8, text: 'new_name' }] }] } }],
  });
  await withTransform(renameInMigrations, async () => {
    const dir = project({ 'shop/migrations/0001_initial.py': 'old_name = 1\n' });
    const held = await json(['--only', 'test-migration-edit', dir]);
    expect(held.doc.findings).toEqual([expect.objectContaining({ status: 'not-fixed' })]);
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.djfix]\nedit-migrations = true\n');
    const allowed = await json(['--only', 'test-migration-edit', dir]);
    expect(allowed.doc.findings).toEqual([expect.objectContaining({ status: 'applied' })]);
  });
});

describe('--config FILE', () => {
  test('a djfix.toml holds the configuration at its top level; the root pyproject.toml is then not read', async () => {
    const dir = project({ 'pyproject.toml': '[tool.djfix]\nonly = ["database-url"]\n', 'mysite/settings.py': MISORDERED });
    const config = path.join(dir, 'ci', 'djfix.toml');
    fs.mkdirSync(path.dirname(config));
    fs.writeFileSync(config, 'only = ["middleware-order"]\n\n[middleware-order]\nrequired-only = true\n');
    expect((await json([dir])).doc.findings).toEqual([]);
    const { doc } = await json(['--config', config, dir]);
    expect(doc.findings).toEqual([expect.objectContaining({ transform: 'middleware-order', status: 'applied' })]);
  });

  test('a pyproject.toml given with --config is read at [tool.djfix], and must have it', async () => {
    const dir = project({ 'mysite/settings.py': MISORDERED });
    const other = path.join(dir, 'other', 'pyproject.toml');
    fs.mkdirSync(path.dirname(other));
    fs.writeFileSync(other, '[tool.djfix]\nonly = ["database-url"]\n');
    expect((await json(['--config', other, dir])).doc.findings).toEqual([]);
    fs.writeFileSync(other, '[project]\nname = "x"\n');
    const run = await djfix(['--dry-run', '--config', other, dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/other\/pyproject\.toml has no \[tool\.djfix\] table/);
  });

  test('a missing file is an error', async () => {
    const run = await djfix(['--dry-run', '--config', '/nonexistent/djfix.toml', project({})]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read the configuration file');
    expect(run.stderr).toContain('ENOENT');
  });
});

describe('mistakes in the configuration stop the run (exit 2) naming the file and the key', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['an unknown top-level key', '[tool.djfix]\ndatabse-url = 1\n', /pyproject\.toml: unknown key "tool\.djfix\.databse-url" \(known: include, exclude, only, skip, target-django, jobs, max-file-size, cache-dir, edit-migrations, \[tool\.djfix\.middleware-order\]/],
    ['an unknown transform table', '[tool.djfix.databse-url]\nconn-max-age = 1\n', /unknown key "tool\.djfix\.databse-url"/],
    ['an unknown option', '[tool.djfix.database-url]\nconn-max-ag = 1\n', /pyproject\.toml: unknown key "tool\.djfix\.database-url\.conn-max-ag" \(known: conn-max-age\)/],
    ['an option of a transform that has none', '[tool.djfix.select-related]\nfast = true\n', /unknown key "tool\.djfix\.select-related\.fast" \(select-related has no options\)/],
    ['an option of the wrong type', '[tool.djfix.database-url]\nconn-max-age = "60"\n', /tool\.djfix\.database-url\.conn-max-age must be a whole number \(got "60"\)/],
    ['an option the transform rejects', '[tool.djfix.database-url]\nconn-max-age = -5\n', /tool\.djfix\.database-url\.conn-max-age must be 0 or more seconds \(got -5\)/],
    ['a transform table that is not a table', '[tool.djfix]\nmiddleware-order = true\n', /tool\.djfix\.middleware-order must be a table of middleware-order's options \(known: required-only\)/],
    ['a list of the wrong type', '[tool.djfix]\nexclude = "tests/**"\n', /tool\.djfix\.exclude must be an array of strings/],
    ['an unknown transform id', '[tool.djfix]\nonly = ["middleware"]\n', /tool\.djfix\.only names unknown transform "middleware"/],
    ['an empty only', '[tool.djfix]\nonly = []\n', /tool\.djfix\.only is empty, so no transform would run/],
    ['a version as a number', '[tool.djfix]\ntarget-django = 4.2\n', /tool\.djfix\.target-django must be a version string such as "4\.2" \(got 4\.2\)/],
    ['no jobs', '[tool.djfix]\njobs = 0\n', /tool\.djfix\.jobs must be a whole number of 1 or more \(got 0\)/],
    ['edit-migrations as a string', '[tool.djfix]\nedit-migrations = "yes"\n', /tool\.djfix\.edit-migrations must be true or false \(got "yes"\)/],
    ['[tool.djfix] that is not a table', '[tool]\ndjfix = 3\n', /pyproject\.toml: tool\.djfix must be a table/],
    ['malformed TOML, with the line', '[tool.djfix]\nonly = ["middleware-order"\nskip = []\n', /pyproject\.toml:3:\d+: invalid TOML: /],
  ];
  test.each(cases)('%s', async (_name, toml, message) => {
    const dir = project({ 'pyproject.toml': toml, 'mysite/settings.py': MISORDERED });
    const run = await djfix(['--dry-run', dir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^djfix: /);
    expect(run.stderr).toMatch(message);
    expect(fs.readFileSync(path.join(dir, 'mysite/settings.py'), 'utf8')).toBe(MISORDERED);
  });

  test('a djfix.toml names keys without the tool.djfix prefix', async () => {
    const dir = project({ 'djfix.toml': 'jbos = 2\n' });
    const run = await djfix(['--dry-run', '--config', path.join(dir, 'djfix.toml'), dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/djfix\.toml: unknown key "jbos" \(known: include,.*\[middleware-order\]/);
  });
});

describe('--set and --explain go by the same declarations', () => {
  test('--set rejects unknown options and wrong values', async () => {
    const unknown = await djfix(['--dry-run', '--set', 'middleware-order.requried-only=true', '.']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option "requried-only" of middleware-order (known: required-only)');
    const wrong = await djfix(['--dry-run', '--set', 'middleware-order.required-only=yes', '.']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('middleware-order.required-only must be true or false (got "yes")');
  });

  test('--explain lists the options with their type and default', async () => {
    const run = await djfix(['--explain', 'database-url']);
    expect(run.stdout).toContain('Options (--set ID.NAME=VALUE, or NAME = VALUE in [tool.djfix.ID]):');
    expect(run.stdout).toMatch(/^ {2}conn-max-age \(integer, default 600\): /m);
  });
});
