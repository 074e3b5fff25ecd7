// `--changed-since REF`: the files a branch changes, as a CI job on a pull request means it. That is
// every file that differs between the merge base of REF and HEAD and the working tree (commits of
// the branch, staged and unstaged changes; a renamed file under its new name) plus untracked files
// git does not ignore. Commits REF gained after the branch started are not the branch's changes.
// git runs without a shell, from the project root; paths come NUL-separated, so any name is safe.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** git is missing, the project is not in a repository, or REF is not a commit: the message says which. */
export class GitError extends Error {}

/** Files under `root` changed since the merge base with `ref`, relative to root with forward slashes. */
export function changedSince(root: string, ref: string): Set<string> {
  // A REF such as `--output=x` would be read as an option by git.
  if (ref.startsWith('-')) throw new GitError(`--changed-since: "${ref}" is not a git revision`);
  const top = git(root, ['rev-parse', '--show-toplevel']).trim();
  const commit = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], () => `--changed-since: unknown git revision "${ref}"`).trim();
  const base = git(root, ['merge-base', commit, 'HEAD'], () => `--changed-since: ${ref} and HEAD have no common commit (in a shallow clone, fetch the history too, e.g. fetch-depth: 0 in actions/checkout)`).trim();
  const changed = git(root, ['diff', '--name-only', '--no-renames', '-z', base, '--']);
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '--full-name', '-z']);
  const realRoot = fs.realpathSync(root);
  const files = new Set<string>();
  for (const name of `${changed}${untracked}`.split('\0')) {
    if (name === '') continue;
    const relative = path.relative(realRoot, path.join(top, name));
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) files.add(relative.split(path.sep).join('/'));
  }
  return files;
}

/** git's standard output; a failure becomes a GitError with `failure()`'s message or git's own. */
function git(cwd: string, args: string[], failure?: () => string): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new GitError(code === 'ENOENT' ? '--changed-since needs git, which is not installed or not on PATH' : `--changed-since: cannot run git (${code ?? result.error.message})`);
  }
  if (result.status !== 0) {
    const message = result.stderr.trim().split('\n').pop() ?? '';
    if (/not a git repository/i.test(message)) throw new GitError(`--changed-since: ${cwd} is not in a git repository`);
    throw new GitError(failure ? failure() : `--changed-since: git ${args[0]} failed: ${message}`);
  }
  return result.stdout;
}
