// Bad input gets a clear message and the run goes on; nothing the user has is ever lost.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { djfix } from '../helpers/cli';
import { run, RunOptions } from '../../src/runner';
import { writeFiles } from '../../src/write';
import { hashBytes } from '../../src/source';

const MISORDERED = 'MIDDLEWARE = [\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n';

function project(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-bad-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

test('unparsable, non-UTF-8, other-encoding, binary and huge files are skipped with the reason; the rest is fixed', async () => {
  const dir = project({
    'settings.py': MISORDERED,
    'broken.py': 'def f(:\n    pass\n',
    'latin1.py': Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x27, 0xe9, 0x27, 0x0a]),
    'declared.py': '# -*- coding: latin-1 -*-\nx = 1\n',
    'binary.py': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]),
    'huge.py': `x = 1\n${'# padding\n'.repeat(300)}`,
  });
  const result = await djfix(['--write', '--max-file-size', '2000', dir]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/broken\.py: syntax error at line 1/);
  expect(result.stdout).toMatch(/latin1\.py: not valid UTF-8/);
  expect(result.stdout).toMatch(/declared\.py: declares encoding "latin-1"/);
  expect(result.stdout).toMatch(/binary\.py: binary file/);
  expect(result.stdout).toMatch(/huge\.py: larger than 2000 bytes/);
  expect(fs.readFileSync(path.join(dir, 'settings.py'), 'utf8')).not.toBe(MISORDERED);
});

test('a read-only file is not written; the run says so and exits 2', async () => {
  const dir = project({ 'settings.py': MISORDERED });
  fs.chmodSync(path.join(dir, 'settings.py'), 0o444);
  const result = await djfix(['--write', dir]);
  expect(result.code).toBe(2);
  expect(result.stdout).toMatch(/settings\.py: read-only file; not written/);
  expect(fs.readFileSync(path.join(dir, 'settings.py'), 'utf8')).toBe(MISORDERED);
});

test('a file changed on disk after djfix read it is not overwritten', async () => {
  const dir = project({ 'settings.py': MISORDERED });
  const options: RunOptions = { root: dir, targets: [dir], include: [], exclude: [], transforms: ['middleware-order'], transformOptions: {}, jobs: 1, maxFileBytes: 1 << 20, maxRounds: 5, cacheDir: null };
  const report = await run(options, () => {
    fs.appendFileSync(path.join(dir, 'settings.py'), 'DEBUG = True\n'); // someone saves the file meanwhile
    return 'apply';
  });
  const failures = writeFiles(dir, report.files, [['settings.py']]);
  expect(failures).toEqual([{ path: 'settings.py', reason: expect.stringContaining('changed on disk since djfix read it') }]);
  expect(fs.readFileSync(path.join(dir, 'settings.py'), 'utf8')).toBe(`${MISORDERED}DEBUG = True\n`);
});

test('when one file of a fix cannot be written, no file of that fix is', () => {
  const dir = project({ 'a.py': 'a\n', 'b.py': 'b\n' });
  fs.chmodSync(path.join(dir, 'b.py'), 0o444);
  const files = ['a.py', 'b.py'].map((file) => ({ path: file, after: 'new\n', diskHash: hashBytes(fs.readFileSync(path.join(dir, file))) }));
  const failures = writeFiles(dir, [...files, { path: 'c.py', after: 'c\n', diskHash: null }], [['a.py', 'b.py'], ['c.py']]);
  expect(failures.map((failure) => failure.path).sort()).toEqual(['a.py', 'b.py']);
  expect(fs.readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe('a\n');
  expect(fs.readFileSync(path.join(dir, 'c.py'), 'utf8')).toBe('c\n');
  expect(fs.readdirSync(dir).filter((name) => name.includes('.djfix-'))).toEqual([]);
});

test('a write keeps the file mode and leaves no temporary file', async () => {
  const dir = project({ 'settings.py': MISORDERED });
  fs.chmodSync(path.join(dir, 'settings.py'), 0o640);
  expect((await djfix(['--write', dir])).code).toBe(0);
  expect(fs.statSync(path.join(dir, 'settings.py')).mode & 0o777).toBe(0o640);
  expect(fs.readdirSync(dir)).toEqual(['settings.py']);
});

test('symlink loops, broken symlinks and missing paths are reported; the run goes on', async () => {
  const dir = project({ 'settings.py': MISORDERED, 'pkg/__init__.py': '' });
  fs.symlinkSync('..', path.join(dir, 'pkg', 'loop'));
  fs.symlinkSync('nowhere.py', path.join(dir, 'dangling.py'));
  const result = await djfix(['--dry-run', dir, path.join(dir, 'missing.py')]);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/pkg\/loop: symlink loop/);
  expect(result.stdout).toMatch(/dangling\.py: broken symlink/);
  expect(result.stdout).toMatch(/missing\.py: no such file or directory/);
  expect(result.stdout).toContain('diff --git a/settings.py b/settings.py');
});

test('paths that are all missing are a usage error, not a clean run', async () => {
  const dir = project({ 'settings.py': MISORDERED });
  const result = await djfix(['--check', path.join(dir, 'setings.py'), path.join(dir, 'nowhere')]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^djfix: no such file or directory: .*setings\.py, .*nowhere$/m);
  expect(result.stdout).toBe('');
});

test('.gitignore, virtualenvs and build output are not indexed', async () => {
  const dir = project({
    '.gitignore': 'generated/\n',
    'generated/settings.py': MISORDERED,
    'venv/pyvenv.cfg': 'home = /usr\n',
    'venv/lib/settings.py': MISORDERED,
    'build/settings.py': MISORDERED,
    'app/settings.py': MISORDERED,
  });
  const doc = JSON.parse((await djfix(['--json', '--dry-run', dir])).stdout);
  expect(doc.changes.map((change: { path: string }) => change.path)).toEqual(['app/settings.py']);
  expect(doc.summary.filesIndexed).toBe(1);
});

test('a link to a directory of the project is not walked twice and not called a loop', async () => {
  const dir = project({ 'proj/settings.py': MISORDERED, 'static/logo.svg': '<svg/>' });
  fs.symlinkSync('proj', path.join(dir, 'app'));
  fs.symlinkSync('missing.svg', path.join(dir, 'static', 'broken.svg'));
  const doc = JSON.parse((await djfix(['--json', '--dry-run', dir])).stdout);
  expect(doc.changes.map((change: { path: string }) => change.path)).toEqual(['proj/settings.py']);
  expect(doc.problems).toEqual([]);
});
