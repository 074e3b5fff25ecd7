// `# djfix: ignore` end to end: suppressed findings are neither fixed nor reported, only counted;
// comments that suppress nothing are listed with --report-unused-ignores (exit 1); the result is the
// same with any --jobs and with a cache filled before the comment was written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { djfix, spawnDjfix } from '../helpers/cli';
import { copyTree, repoRoot } from '../helpers/django';

const MIDDLEWARE = (comment = '') => `MIDDLEWARE = [${comment}\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n`;

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-suppress-'));
  for (const [file, text] of Object.entries({ 'manage.py': '', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function json(args: string[]) {
  const run = await djfix(['--json', '--dry-run', ...args]);
  return { code: run.code, doc: JSON.parse(run.stdout) };
}

test('a suppressed finding is neither fixed nor reported, and counted', async () => {
  const dir = project({ 'shop/settings.py': MIDDLEWARE('  # djfix: ignore[middleware-order]') });
  const { code, doc } = await json(['--only', 'middleware-order', dir]);
  expect(code).toBe(0);
  expect(doc.findings).toEqual([]);
  expect(doc.changes).toEqual([]);
  expect(doc.summary).toMatchObject({ fixes: 0, notFixed: 0, suppressed: 1 });
  const text = await djfix(['--check', dir]);
  expect(text.stdout).toContain('0 not fixed; 1 suppressed;');
});

test('a comment naming another transform, or inside a string, suppresses nothing', async () => {
  const other = project({ 'shop/settings.py': MIDDLEWARE('  # djfix: ignore[select-related]') });
  expect((await json(['--only', 'middleware-order', other])).doc.summary).toMatchObject({ fixes: 1, suppressed: 0 });
  const stringOnFindingLine = project({ 'shop/settings.py': MIDDLEWARE().replace('MIDDLEWARE = [', 'NOTE = "# djfix: ignore"; MIDDLEWARE = [') });
  expect((await json(['--only', 'middleware-order', stringOnFindingLine])).doc.summary).toMatchObject({ fixes: 1, suppressed: 0 });
});

test('unknown transform ids and malformed comments are problems that name them; the run goes on', async () => {
  const dir = project({ 'shop/settings.py': `${MIDDLEWARE('  # djfix: ignore[middleware-ordre]')}X = 1  # djfix: ignore[\n` });
  const run = await djfix(['--write', '--only', 'middleware-order', dir]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('shop/settings.py:1: "# djfix: ignore[middleware-ordre]" names unknown transform "middleware-ordre" (known: middleware-order, select-related');
  expect(run.stdout).toContain('shop/settings.py:5: "# djfix: ignore[" is not a suppression djfix understands (its [ has no closing ]); it suppresses nothing');
  expect(run.stdout).toMatch(/Changed 1 file with 1 fix/);
});

describe('--report-unused-ignores', () => {
  const files = () => ({
    'shop/settings.py': MIDDLEWARE('  # djfix: ignore'),
    'shop/views.py': 'def index(request):  # djfix: ignore[select-related]\n    return None\n',
    // A comment naming only a transform that does not run cannot be judged.
    'shop/urls.py': 'urlpatterns = []  # djfix: ignore[database-url]\n',
  });

  test('lists the comments that suppressed nothing, with where they are, and exits 1', async () => {
    const dir = project(files());
    const run = await djfix(['--write', '--report-unused-ignores', '--only', 'middleware-order,select-related', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Suppressions that suppressed nothing:\n  shop/views.py:1: # djfix: ignore[select-related]\n');
    expect(run.stdout).not.toContain('shop/settings.py:1: #');
    expect(run.stdout).not.toContain('urls.py');
    const { doc } = await json(['--report-unused-ignores', '--only', 'middleware-order,select-related', dir]);
    expect(doc.unusedIgnores).toEqual([{ path: 'shop/views.py', line: 1, comment: '# djfix: ignore[select-related]' }]);
  });

  test('without the option they are in the JSON only, and do not change the exit code', async () => {
    const dir = project(files());
    const run = await djfix(['--write', '--only', 'middleware-order,select-related', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('suppressed nothing');
    expect((await json(['--only', 'middleware-order,select-related', dir])).doc.unusedIgnores).toHaveLength(1);
  });

  test('exits 0 when every comment suppressed something', async () => {
    const dir = project({ 'shop/settings.py': MIDDLEWARE('  # djfix: ignore') });
    expect((await djfix(['--dry-run', '--report-unused-ignores', dir])).code).toBe(0);
  });
});

test('the same output with one worker or two, through the real binary', () => {
  const dir = copyTree(path.join(repoRoot(), 'fixtures', 'cache-invalidation', 'suppressed-key-left-out-of-other-fixes', 'input'));
  fs.writeFileSync(path.join(dir, 'settings.py'), `${fs.readFileSync(path.join(dir, 'settings.py'), 'utf8')}\n${MIDDLEWARE('  # djfix: ignore')}`);
  const one = spawnDjfix(['--json', '--dry-run', '--report-unused-ignores', '--jobs', '1', dir]);
  const two = spawnDjfix(['--json', '--dry-run', '--report-unused-ignores', '--jobs', '2', dir]);
  expect(JSON.parse(one.stdout).summary.suppressed).toBe(2);
  expect(two.stdout).toBe(one.stdout);
  expect(two.code).toBe(one.code);
});

test('a cache filled before a comment was written cannot hide it, in the file or for a fix anchored in another file', async () => {
  const dir = copyTree(path.join(repoRoot(), 'fixtures', 'cache-invalidation', 'two-writers-one-app', 'input'));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-suppress-cache-'));
  const receivers = async () => {
    const { doc } = await json(['--only', 'cache-invalidation', '--cache-dir', cacheDir, dir]);
    return { suppressed: doc.summary.suppressed, signals: doc.changes.find((change: { path: string }) => change.path === 'catalog/signals.py')?.diff ?? '' };
  };
  const before = await receivers();
  expect(before.suppressed).toBe(0);
  expect(before.signals).toContain('f"product:{instance.pk}:json"');
  expect(await receivers()).toEqual(before);
  // services.py (unchanged, its analysis cached) carries the app's fix too: it must leave views.py's key out now.
  const views = path.join(dir, 'catalog', 'views.py');
  fs.writeFileSync(views, fs.readFileSync(views, 'utf8').replace('cache.set(f"product:{product.pk}:json", data)', 'cache.set(f"product:{product.pk}:json", data)  # djfix: ignore'));
  const after = await receivers();
  expect(after.suppressed).toBe(1);
  expect(after.signals).not.toContain('f"product:{instance.pk}:json"');
  expect(after.signals).toContain('f"product:{instance.pk}:card"');
});
