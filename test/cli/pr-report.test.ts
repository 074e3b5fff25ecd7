// `--report FILE.md`: a pull-request description, checked for its structure on the example project
// (robust to wording), for escaping, folding and determinism, and for how it is written.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyExampleProject } from '../helpers/django';
import { djfix } from '../helpers/cli';
import { snapshot } from '../helpers/tree';

const MISORDERED = 'MIDDLEWARE = [\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n';

function reportPath(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-report-')), 'pr.md');
}

/** The example project as committed, every transform with a fix, in a git repository. */
function repository(): string {
  const dir = copyExampleProject({ importCycle: true });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

/** `n` settings modules with MIDDLEWARE out of order: `n` middleware-order fixes. */
function manySettings(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-many-'));
  for (let i = 0; i < n; i++) {
    fs.mkdirSync(path.join(dir, `site${i}`));
    fs.writeFileSync(path.join(dir, `site${i}`, 'settings.py'), MISORDERED);
  }
  return dir;
}

describe('after --write on the example project', () => {
  let text: string;
  let doc: any;
  beforeAll(async () => {
    const project = repository();
    const json = copyExampleProject({ importCycle: true });
    doc = JSON.parse((await djfix(['--dry-run', '--json', json])).stdout);
    const report = reportPath();
    const run = await djfix(['--write', '--report', report, project]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Changed 10 files with 12 fixes/);
    text = fs.readFileSync(report, 'utf8');
  });

  test('sections in order: summary, table, changes by transform, found and not fixed', () => {
    const headings = text.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '## djfix: 12 fixes in 10 files',
      '### Changes',
      "#### `middleware-order`: MIDDLEWARE follows Django's documented ordering rules",
      '#### `select-related`: Loops over querysets load the relations they read with select\\_related / prefetch\\_related',
      '#### `lazy-model-imports`: Import cycles through model imports are broken with lazy model lookups',
      '#### `database-url`: DATABASES from an environment URL, with connection reuse',
      '#### `cache-invalidation`: Cached model data is deleted when the model changes',
      '### Found, not fixed',
    ]);
    expect(text).toMatch(/^djfix \d+\.\d+\.\d+ changed 10 files with 12 fixes, targeting Django 3\.2 \(from requirements\.txt\); 2 findings not fixed\.$/m);
  });

  test('the table counts fixes, findings not fixed and files changed by transform', () => {
    const rows = text.split('\n').filter((line) => /^\| `/.test(line)).map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\*\*| \|$/g, '')));
    const count = (transform: string, status: (s: string) => boolean) => doc.findings.filter((f: any) => f.transform === transform && status(f.status)).length;
    const files = (transform: string) => new Set(doc.findings.filter((f: any) => f.transform === transform && f.status === 'applied').flatMap((f: any) => f.files)).size;
    expect(rows.map((row) => row.slice(1).map(Number))).toEqual(
      ['middleware-order', 'select-related', 'lazy-model-imports', 'database-url', 'cache-invalidation'].map((id) => [count(id, (s) => s === 'applied'), count(id, (s) => s !== 'applied'), files(id)]),
    );
    expect(text).toContain('| **Total** | **12** | **2** | **10** |');
  });

  test('every change and every finding not fixed, at its file and line, with its Django documentation', () => {
    for (const finding of doc.findings) expect(text).toContain(`- **\`${finding.path}:${finding.line}\`**`);
    expect(text).toContain('[docs/ref/middleware.txt "Middleware ordering"](https://docs.djangoproject.com/en/3.2/ref/middleware/#middleware-ordering); `django/contrib/auth/middleware.py`');
    expect(text).toContain('[docs/topics/db/optimization.txt](https://docs.djangoproject.com/en/3.2/topics/db/optimization/)');
    expect(text).toContain('  Changes `catalog/signals.py` (new), `catalog/apps.py`.');
    expect(text).toMatch(/\*\*Not fixed:\*\* load the rows once with Prefetch/);
    expect(text).toContain('prefetch\\_related("lines\\_\\_product")');
  });

  test('nothing in it depends on the machine', () => {
    expect(text).not.toContain(os.tmpdir());
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});

test('the same run on another copy gives the same report', async () => {
  const [first, second] = [reportPath(), reportPath()];
  await djfix(['--write', '--report', first, repository()]);
  await djfix(['--write', '--report', second, repository()]);
  expect(fs.readFileSync(second, 'utf8')).toBe(fs.readFileSync(first, 'utf8'));
});

test('with --dry-run it describes what would change, and writes nothing else', async () => {
  const project = repository();
  const before = snapshot(project);
  const report = reportPath();
  const run = await djfix(['--dry-run', '--report', report, project]);
  expect(run.code).toBe(1);
  expect(snapshot(project)).toEqual(before);
  const text = fs.readFileSync(report, 'utf8');
  expect(text).toMatch(/^djfix [\d.]+ would change 10 files with 12 fixes/m);
  expect(text).toContain('### Changes djfix would make');
  expect(text).toContain('| Transform | Fixes to apply | Not fixed | Files changed |');
});

test('long lists are folded; a report over GitHub\'s limit is written, with a warning', async () => {
  const report = reportPath();
  const run = await djfix(['--write', '--report', report, manySettings(11)]);
  expect(run.code).toBe(0);
  expect(fs.readFileSync(report, 'utf8')).toContain('<details><summary>11 changes</summary>\n\n- **`site0/settings.py:1`** (safe): ');
  expect(run.stderr).toBe('');

  const long = await djfix(['--write', '--report', report, manySettings(130)]);
  expect(fs.readFileSync(report, 'utf8').length).toBeGreaterThan(65_536);
  expect(long.stderr).toMatch(/^djfix: the report has \d+ characters; GitHub takes at most 65536 in a pull-request description/);
  expect(long.code).toBe(0);
});

test('a report that cannot be written is an error (exit 2); the code changes are still written and reported', async () => {
  const project = repository();
  const run = await djfix(['--write', '--report', path.join(os.tmpdir(), 'no-such-dir-djfix', 'pr.md'), project]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^djfix: cannot write the report: could not write .*pr\.md \(ENOENT\)$/m);
  expect(run.stdout).toMatch(/Changed 10 files with 12 fixes/);
  expect(fs.existsSync(path.join(project, 'catalog', 'signals.py'))).toBe(true);
});

test('the report replaces an older one atomically, keeping its mode; a read-only one is left alone', async () => {
  const report = reportPath();
  fs.writeFileSync(report, 'old\n', { mode: 0o640 });
  expect((await djfix(['--write', '--report', report, manySettings(1)])).code).toBe(0);
  expect(fs.readFileSync(report, 'utf8')).toMatch(/^## djfix: 1 fix in 1 file\n/);
  expect(fs.statSync(report).mode & 0o777).toBe(0o640);
  expect(fs.readdirSync(path.dirname(report))).toEqual(['pr.md']);

  fs.chmodSync(report, 0o444);
  const run = await djfix(['--write', '--report', report, manySettings(1)]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('is read-only; not written');
});

test('findings suppressed with # djfix: ignore are counted in the summary', async () => {
  const dir = manySettings(2);
  fs.writeFileSync(path.join(dir, 'site1', 'settings.py'), MISORDERED.replace('MIDDLEWARE = [', 'MIDDLEWARE = [  # djfix: ignore'));
  const report = reportPath();
  expect((await djfix(['--write', '--report', report, dir])).code).toBe(0);
  expect(fs.readFileSync(report, 'utf8')).toMatch(/^djfix [\d.]+ changed 1 file with 1 fix, targeting .*; 0 findings not fixed, 1 suppressed by `# djfix: ignore`\.$/m);
});
