// --changed-since REF on a real git repository made here: the branch's files (committed since the
// merge base, staged, unstaged, untracked, renamed, with spaces in their names) are fixed; files
// REF changed after the branch started, and the rest of the project, are not.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DJFIX_BIN, djfix } from '../helpers/cli';
import { copyTree, repoRoot } from '../helpers/django';

const MISORDERED = 'MIDDLEWARE = [\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n';

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=djfix test', '-c', 'user.email=test@djfix.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'pipe' });
}

function write(dir: string, file: string, text = MISORDERED): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

/**
 * main: six misordered settings modules. Branch `feature` (from main's first commit) commits a change
 * to `site b` and renames `renamed_from`; main then gains a commit changing `main_later`. Back on
 * feature, `staged` is changed and staged, `unstaged` changed, `untracked` and `ignored_dir` added.
 */
function repository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-git-'));
  git(dir, 'init', '-q', '-b', 'main');
  write(dir, 'manage.py', '');
  write(dir, '.gitignore', 'ignored_dir/\n');
  for (const site of ['untouched', 'site b', 'renamed_from', 'staged', 'unstaged', 'main_later']) write(dir, `${site}/settings.py`);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  git(dir, 'checkout', '-q', '-b', 'feature');
  write(dir, 'site b/settings.py', `DEBUG = True\n${MISORDERED}`);
  git(dir, 'mv', 'renamed_from', 'renamed_to');
  git(dir, 'commit', '-q', '-am', 'feature work');
  git(dir, 'checkout', '-q', 'main');
  write(dir, 'main_later/settings.py', `LATER = 1\n${MISORDERED}`);
  git(dir, 'commit', '-q', '-am', 'main moves on');
  git(dir, 'checkout', '-q', 'feature');
  write(dir, 'staged/settings.py', `DEBUG = False\n${MISORDERED}`);
  git(dir, 'add', 'staged/settings.py');
  write(dir, 'unstaged/settings.py', `X = 1\n${MISORDERED}`);
  write(dir, 'untracked/settings.py');
  write(dir, 'ignored_dir/settings.py');
  return dir;
}

async function fixedFiles(args: string[]): Promise<string[]> {
  const run = await djfix(['--json', '--dry-run', '--only', 'middleware-order', ...args]);
  expect(run.stderr).toBe('');
  return [...new Set(JSON.parse(run.stdout).findings.map((finding: { path: string }) => finding.path) as string[])].sort();
}

test('only the branch files are fixed: committed since the merge base, renamed, staged, unstaged, untracked', async () => {
  const dir = repository();
  // Without the option every misordered module has a finding (and so the others below are not missed by accident).
  expect(await fixedFiles([dir])).toEqual(['main_later/settings.py', 'renamed_to/settings.py', 'site b/settings.py', 'staged/settings.py', 'unstaged/settings.py', 'untouched/settings.py', 'untracked/settings.py']);
  expect(await fixedFiles(['--changed-since', 'main', dir])).toEqual(['renamed_to/settings.py', 'site b/settings.py', 'staged/settings.py', 'unstaged/settings.py', 'untracked/settings.py']);
});

test('it composes with paths, --exclude and a project root below the repository root', async () => {
  const dir = repository();
  expect(await fixedFiles(['--changed-since', 'main', '--exclude', 'untracked/**', path.join(dir, 'site b'), path.join(dir, 'untracked'), path.join(dir, 'untouched')])).toEqual(['site b/settings.py']);
  // A project in a subdirectory of the repository: paths are the project's, not the repository's.
  const nested = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-git-nested-'));
  git(nested, 'init', '-q', '-b', 'main');
  write(nested, 'README', 'x');
  git(nested, 'add', '-A');
  git(nested, 'commit', '-q', '-m', 'base');
  write(nested, 'backend/manage.py', '');
  write(nested, 'backend/site/settings.py');
  expect(await fixedFiles(['--changed-since', 'HEAD', path.join(nested, 'backend')])).toEqual(['site/settings.py']);
});

test('a commit REF or a sha works as well as a branch; nothing changed fixes nothing', async () => {
  const dir = repository();
  expect(await fixedFiles(['--changed-since', 'HEAD~1', dir])).toEqual(['renamed_to/settings.py', 'site b/settings.py', 'staged/settings.py', 'unstaged/settings.py', 'untracked/settings.py']);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'everything');
  expect(await fixedFiles(['--changed-since', 'HEAD', dir])).toEqual([]);
});

test('a fix spanning files is anchored by its finding: a changed writer gets receivers in files it did not change', async () => {
  const dir = copyTree(path.join(repoRoot(), 'fixtures', 'cache-invalidation', 'pk-variable-key', 'input'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  const changedPaths = async () => {
    const run = await djfix(['--json', '--dry-run', '--only', 'cache-invalidation', '--changed-since', 'HEAD', dir]);
    const doc = JSON.parse(run.stdout);
    return { findings: [...new Set(doc.findings.map((finding: { path: string }) => finding.path))], changes: doc.changes.map((change: { path: string }) => change.path) };
  };
  // Only apps.py changed: the finding is located in services.py, so nothing is reported or fixed.
  fs.appendFileSync(path.join(dir, 'catalog', 'apps.py'), '\n# touched\n');
  expect(await changedPaths()).toEqual({ findings: [], changes: [] });
  git(dir, 'checkout', '-q', '--', '.');
  fs.appendFileSync(path.join(dir, 'catalog', 'services.py'), '\n# touched\n');
  expect(await changedPaths()).toEqual({ findings: ['catalog/services.py'], changes: ['catalog/apps.py', 'catalog/signals.py'] });
});

describe('errors exit 2 with a message', () => {
  test('not a git repository', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-nogit-'));
    write(dir, 'manage.py', '');
    const run = await djfix(['--dry-run', '--changed-since', 'main', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`djfix: --changed-since: ${dir} is not in a git repository\n`);
  });

  test('an unknown revision, or one that looks like an option', async () => {
    const dir = repository();
    const unknown = await djfix(['--dry-run', '--changed-since', 'no-such-branch', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('djfix: --changed-since: unknown git revision "no-such-branch"\n');
    const option = await djfix(['--dry-run', '--changed-since=--output=/tmp/x', dir]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('"--output=/tmp/x" is not a git revision');
  });

  test('no common commit', async () => {
    const dir = repository();
    git(dir, 'checkout', '-q', '--orphan', 'unrelated');
    git(dir, 'commit', '-q', '-m', 'unrelated history');
    const run = await djfix(['--dry-run', '--changed-since', 'main', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('main and HEAD have no common commit');
  });

  test('git missing', () => {
    const dir = repository();
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-empty-path-'));
    const run = spawnSync(process.execPath, [DJFIX_BIN, '--dry-run', '--no-cache', '--changed-since', 'main', dir], { encoding: 'utf8', env: { ...process.env, PATH: emptyPath } });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('djfix: --changed-since needs git, which is not installed or not on PATH\n');
  });
});
