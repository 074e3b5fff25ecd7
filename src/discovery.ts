// Finding the files of a project: every .py file under the root that git would not ignore, minus
// virtualenvs and build output, plus the dependency files that say which Django it runs on.
import fs from 'node:fs';
import path from 'node:path';
import ignore, { Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { Problem, Skip } from './model';
import { DEPENDENCY_FILE } from './project/django-version';

/** Directory names never worth descending into. */
const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', 'build', 'dist', '.tox', '.nox', '.venv', 'venv', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.djfix_cache', 'site-packages', '.eggs']);

export interface DiscoveryOptions {
  /** Absolute project root: everything under it is indexed. */
  root: string;
  /** Absolute paths to fix (files or directories), all under root. */
  targets: string[];
  include: string[];
  exclude: string[];
}

export interface Discovered {
  /** Every Python file of the project, relative to root, sorted. */
  pythonFiles: string[];
  /** The subset djfix may change. */
  targetFiles: Set<string>;
  /** Dependency files (requirements*.txt, pyproject.toml, lock files), relative to root. */
  dependencyFiles: string[];
  /** Directories that hold an __init__.py. */
  packageDirs: Set<string>;
  skips: Skip[];
  problems: Problem[];
}

export function discover(options: DiscoveryOptions): Discovered {
  const result: Discovered = { pythonFiles: [], targetFiles: new Set(), dependencyFiles: [], packageDirs: new Set(), skips: [], problems: [] };
  const visited = new Set<string>();
  const walk = (dir: string, ignores: Array<{ base: string; rules: Ignore }>) => {
    let real: string;
    try {
      real = fs.realpathSync.native(dir);
    } catch (error) {
      result.problems.push({ path: rel(options.root, dir), message: `cannot resolve directory: ${(error as Error).message}` });
      return;
    }
    if (visited.has(real)) {
      result.problems.push({ path: rel(options.root, dir), message: 'symlink loop or directory reached twice through links; not descended into again' });
      return;
    }
    visited.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      result.problems.push({ path: rel(options.root, dir), message: `cannot read directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check its permissions` });
      return;
    }
    const local = [...ignores];
    if (entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
      try {
        local.push({ base: dir, rules: ignore().add(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')) });
      } catch (error) {
        result.problems.push({ path: rel(options.root, path.join(dir, '.gitignore')), message: `cannot read .gitignore: ${(error as Error).message}` });
      }
    }
    if (entries.some((entry) => entry.name === 'pyvenv.cfg')) return; // a virtualenv
    if (entries.some((entry) => entry.name === '__init__.py')) result.packageDirs.add(rel(options.root, dir));
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const stat = fs.statSync(full);
          isDir = stat.isDirectory();
          isFile = stat.isFile();
        } catch (error) {
          // Only links djfix would have read are worth a word; a dangling link to an asset is not.
          if (entry.name.endsWith('.py') || DEPENDENCY_FILE.test(rel(options.root, full))) {
            result.problems.push({ path: rel(options.root, full), message: `broken symlink (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` });
          }
          continue;
        }
        if (isDir && isAliasInside(options.root, full)) {
          // A link to a directory of the project itself: walked as the real directory, not twice.
          if (isAncestorLink(full)) result.problems.push({ path: rel(options.root, full), message: 'symlink loop (points to a directory above it); not followed' });
          continue;
        }
      }
      if (isIgnored(local, full, isDir)) continue;
      if (isDir) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.endsWith('.egg-info')) walk(full, local);
      } else if (isFile) {
        const relative = rel(options.root, full);
        if (entry.name.endsWith('.py')) {
          if (entry.isSymbolicLink()) result.skips.push({ path: relative, reason: 'symlink: djfix edits the file it points to, not the link' });
          else result.pythonFiles.push(relative);
        } else if (DEPENDENCY_FILE.test(relative)) {
          result.dependencyFiles.push(relative);
        }
      }
    }
  };
  walk(options.root, []);
  result.pythonFiles.sort();
  const included = options.include.length > 0 ? picomatch(options.include, { dot: true }) : () => true;
  const excluded = options.exclude.length > 0 ? picomatch(options.exclude, { dot: true }) : () => false;
  const targets = options.targets.map((target) => rel(options.root, target));
  for (const file of result.pythonFiles) {
    const underTarget = targets.some((target) => target === '' || file === target || file.startsWith(`${target}/`));
    if (underTarget && included(file) && !excluded(file)) result.targetFiles.add(file);
  }
  return result;
}

function isAliasInside(root: string, link: string): boolean {
  try {
    const target = fs.realpathSync(link);
    const relative = path.relative(fs.realpathSync(root), target);
    return !relative.startsWith('..') && !path.isAbsolute(relative);
  } catch {
    return false;
  }
}

function isAncestorLink(link: string): boolean {
  try {
    const target = fs.realpathSync(link);
    const parent = fs.realpathSync(path.dirname(link));
    return parent === target || parent.startsWith(`${target}${path.sep}`);
  } catch {
    return false;
  }
}

function isIgnored(ignores: Array<{ base: string; rules: Ignore }>, full: string, isDir: boolean): boolean {
  return ignores.some(({ base, rules }) => {
    const relative = rel(base, full);
    return relative !== '' && !relative.startsWith('..') && rules.ignores(isDir ? `${relative}/` : relative);
  });
}

/**
 * `full` relative to `root`, with forward slashes. The walk joins every path onto the root, so the
 * common case is a prefix to cut: path.relative, which resolves both paths, is the slow way round.
 */
export function rel(root: string, full: string): string {
  const relative = full.startsWith(root) && full[root.length] === path.sep ? full.slice(root.length + 1) : path.relative(root, full);
  return path.sep === '/' ? relative : relative.split(path.sep).join('/');
}

/**
 * The project root for the paths given: the nearest directory, from the first path up, that holds
 * manage.py, else pyproject.toml/setup.cfg/.git, else the first path itself (its directory for a file).
 */
export function findProjectRoot(firstPath: string): string {
  const start = fs.existsSync(firstPath) && fs.statSync(firstPath).isFile() ? path.dirname(firstPath) : firstPath;
  for (const markers of [['manage.py'], ['pyproject.toml', 'setup.cfg', 'setup.py', '.git']]) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      if (markers.some((marker) => fs.existsSync(path.join(dir, marker)))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  return path.resolve(start);
}
