// Every exit code through the command line: 0 nothing to change (or every fix written), 1 changes found
// by a dry run or check (or written, with --exit-non-zero-on-fix), 2 errors. Findings djfix does not
// fix never change it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyTree, repoRoot } from '../helpers/django';
import { djfix } from '../helpers/cli';
import { testTransform, withTransform } from '../helpers/transforms';

const MISORDERED = 'MIDDLEWARE = [\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n';
const ORDERED = 'MIDDLEWARE = [\n    "django.contrib.sessions.middleware.SessionMiddleware",\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n]\n';

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-exit-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** An import cycle that imports fine: reported, never fixed. */
const onlyUnfixable = () => copyTree(path.join(repoRoot(), 'fixtures', 'lazy-model-imports', 'harmless-cycles-left-alone', 'input'));

describe('0: nothing to change', () => {
  test.each(['--check', '--dry-run', '--write'])('%s on a clean project', async (mode) => {
    expect((await djfix([mode, project({ 'settings.py': ORDERED })])).code).toBe(0);
  });

  test('--write that applies every fix', async () => {
    expect((await djfix(['--write', project({ 'settings.py': MISORDERED })])).code).toBe(0);
  });

  test('--write --exit-non-zero-on-fix with nothing to fix', async () => {
    expect((await djfix(['--write', '--exit-non-zero-on-fix', project({ 'settings.py': ORDERED })])).code).toBe(0);
  });

  test.each(['--check', '--dry-run', '--write'])('%s when the only findings cannot be fixed', async (mode) => {
    const run = await djfix([mode, '--format', 'json', onlyUnfixable()]);
    const { summary } = JSON.parse(run.stdout);
    expect([summary.fixes, summary.notFixed > 0]).toEqual([0, true]);
    expect(run.code).toBe(0);
  });
});

describe('1: changes found', () => {
  test.each(['--check', '--dry-run', '--check --format sarif', '--dry-run --format github', '--check --json'])('%s', async (args) => {
    expect((await djfix([...args.split(' '), project({ 'settings.py': MISORDERED })])).code).toBe(1);
  });

  test('without a mode and without a terminal (a dry run)', async () => {
    expect((await djfix([project({ 'settings.py': MISORDERED })])).code).toBe(1);
  });

  test('--write --exit-non-zero-on-fix when fixes were written, in every format', async () => {
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const dir = project({ 'settings.py': MISORDERED });
      expect((await djfix(['--write', '--exit-non-zero-on-fix', '--format', format, dir])).code).toBe(1);
      expect(fs.readFileSync(path.join(dir, 'settings.py'), 'utf8')).not.toBe(MISORDERED);
    }
  });
});

describe('2: errors', () => {
  test.each([
    [['--format', 'xml', '.'], /argument 'xml' is invalid/],
    [['--json', '--format', 'sarif', '.'], /--json is --format json; it cannot go with --format sarif/],
    [['--report'], /argument missing/],
    [['--check', '--write', '.'], /choose one of/],
  ])('usage: %j', async (args, message) => {
    const run = await djfix(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('a file that cannot be written, even with fixes otherwise written', async () => {
    const dir = project({ 'a/settings.py': MISORDERED, 'b/settings.py': MISORDERED });
    fs.chmodSync(path.join(dir, 'b', 'settings.py'), 0o444);
    const run = await djfix(['--write', dir]);
    expect(run.code).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'a', 'settings.py'), 'utf8')).not.toBe(MISORDERED);
  });

  test('a report that cannot be written', async () => {
    const run = await djfix(['--dry-run', '--report', path.join(os.tmpdir(), 'no-such-dir-djfix', 'pr.md'), project({ 'settings.py': MISORDERED })]);
    expect(run.code).toBe(2);
  });

  test('a djfix bug caught in a transform', async () => {
    const broken = testTransform({ id: 'test-broken', analyze: () => { throw new Error('boom'); } });
    await withTransform(broken, async () => {
      const run = await djfix(['--check', '--only', 'test-broken', project({ 'settings.py': ORDERED })]);
      expect(run.stdout).toMatch(/djfix bug in test-broken: Error: boom/);
      expect(run.code).toBe(2);
    });
  });
});
