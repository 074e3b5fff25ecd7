// Finding the files: .gitignore rules decide, and a loose test of their patterns spares asking them
// about paths none of them can ignore. That test must pass every path the rules ignore.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ignore from 'ignore';
import { discover, ignoredPathsHint } from '../../src/discovery';

/** Every path (directories with a trailing slash) the rules ignore while none of its directories is ignored. */
function ignoredWalking(patterns: string, paths: string[]): string[] {
  const rules = ignore().add(patterns);
  const reached = (file: string) => file.split('/').slice(0, -1).every((_, at, dirs) => !rules.ignores(`${dirs.slice(0, at + 1).join('/')}/`));
  return paths.filter((file) => reached(file.replace(/\/$/, '')) && rules.ignores(file));
}

const PATHS = [
  'a.py', 'b.pyc', 'app/models.py', 'app/models.pyo', 'App/Models.PY', '.env', '.env.example', 'app/.hidden/x.py', 'logs/', 'logs/x.log',
  'debug.log', 'build/', 'build/lib.py', 'src/build/', 'Build/', 'docs/_build/', 'x.egg-info/', 'pkg/x.egg-info/', 'local_settings.py',
  'conf/local_settings.py', 'a[1].py', 'weird name.py', '#hash.py', 'media/', 'app/media/', 'node_modules/', 'foo/bar/baz.py', 'foo/baz.py',
  'a/b/c/d.py', 'tests/', 'tests/test_a.py', 'q.py', 'qq.py', '!bang.py', 'trail.py', 'x/y/z/', '*star.py', 'dir.with.dots/', 'dir.with.dots/f.py',
];

const PATTERNS = [
  '*.py[cod]', '.*', '!.env.example', '*.log', '/media/', 'build/', '[Bb]uild/', '*.egg*', '*\\.egg*', 'local_settings.py', 'foo/bar', 'tests',
  '?.py', 'a\\[1\\].py', 'weird name.py', '\\#hash.py', '\\!bang.py', 'trail.py   ', '  leading.py', '[!a]q.py', '[]q].py', 'x/y/', '/a/b',
  '**/baz.py', 'logs', '*', 'dir.with.dots', '*.PY', 'App/', 'node_modules/', '# a comment', '', '[a-z].py', 'src/**/', 'a/**/d.py',
];

test('every path that .gitignore patterns ignore passes their hint, alone and together', () => {
  const sets = [...PATTERNS.map((pattern) => [pattern]), PATTERNS, PATTERNS.slice(0, 12), PATTERNS.slice(12), ['!x', '*.log'], ['*', '!*.py']];
  for (const set of sets) {
    const text = set.join('\n');
    const hint = ignoredPathsHint(text);
    if (!hint) continue;
    for (const file of ignoredWalking(text, PATHS)) expect({ text, file, passes: hint.test(file) }).toEqual({ text, file, passes: true });
  }
});

test('the hint turns most paths away, and gives up on patterns it cannot read loosely', () => {
  const hint = ignoredPathsHint('*.py[cod]\n.*\n!.github\n__pycache__/\n*.log\n/media/\nlocal_settings.py\n')!;
  expect(['app/models.py', 'shop/settings/base.py', 'manage.py'].filter((file) => hint.test(file))).toEqual([]);
  expect(['.env', 'app/models.pyc', 'x.log', 'media/', 'conf/local_settings.py'].every((file) => hint.test(file))).toBe(true);
  expect(ignoredPathsHint('# only a comment\n!negated\n')!.test('anything.py')).toBe(false);
  expect(ignoredPathsHint('a/**/b')).toBeUndefined();
  expect(ignoredPathsHint('x[ab')).toBeUndefined();
  expect(ignoredPathsHint('x\\')).toBeUndefined();
});

test('discovery leaves out what .gitignore files ignore, at every level', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-discovery-'));
  const files: Record<string, string> = {
    '.gitignore': '*.py[cod]\n.*\n!.keep/\nlocal_settings.py\n[Gg]enerated/\n',
    'app/__init__.py': '',
    'app/models.py': '',
    'app/local_settings.py': '',
    'app/.hidden/x.py': '',
    '.keep/kept.py': '',
    'Generated/x.py': '',
    'sub/.gitignore': 'skip_*.py\n!skip_not.py\n',
    'sub/skip_me.py': '',
    'sub/skip_not.py': '',
    'sub/other.py': '',
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  const found = discover({ root, targets: [root], include: [], exclude: [] });
  expect(found.pythonFiles).toEqual(['.keep/kept.py', 'app/__init__.py', 'app/models.py', 'sub/other.py', 'sub/skip_not.py']);
});
