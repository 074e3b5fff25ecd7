// The Django version a project targets, read from its dependency files. Lock files pin an exact
// version; specifiers give a lower bound, and the lower bound is what every deployment is sure to have.
import { parse as parseToml } from 'smol-toml';
import { compareText } from '../order';

export type Version = [number, number];

export interface TargetDjango {
  /** null: unknown, so transforms assume the latest Django. */
  version: Version | null;
  /** Where the version came from, for the report. */
  source: string;
}

/** Names of the dependency and tool configuration files djfix reads, relative to the project root. */
export const DEPENDENCY_FILE = /^(requirements[^/]*\.(txt|in)|requirements\/[^/]+\.(txt|in)|pyproject\.toml|poetry\.lock|uv\.lock|Pipfile|setup\.cfg|pytest\.ini|tox\.ini)$/;

export function parseVersion(text: string): Version | null {
  const match = /^(\d+)\.(\d+)/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** The lower bound of a PEP 440 or Poetry specifier such as `>=4.2,<5`, `==4.2.*`, `~=3.2.0`, `^4.2`. */
export function lowerBound(specifier: string): Version | null {
  for (const clause of specifier.split(',')) {
    const match = /^\s*(===|==|>=|~=|>|\^|~)?\s*v?(\d+)(?:\.(\d+))?/.exec(clause);
    if (match) return [Number(match[2]), Number(match[3] ?? 0)];
  }
  return null;
}

const REQUIREMENT_LINE = /^\s*django\s*(\[[^\]]*\])?\s*([=<>!~^][^;#]*)?/i;

function fromRequirements(text: string): Version | null | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = REQUIREMENT_LINE.exec(line);
    if (match && !/^\s*django[-_.]/i.test(line)) return match[2] ? lowerBound(match[2]) : null;
  }
  return undefined;
}

type LockedPackage = { name?: string; version?: string };

function fromLock(text: string): Version | null | undefined {
  const django = lockedPackage(text, 'django');
  return django?.version ? parseVersion(django.version) : undefined;
}

/** A `[[package]]` table's header line, where the table starts. */
const PACKAGE_TABLE = /^(?=\[\[package\]\][ \t]*\r?$)/m;
/** A table's `name = "..."`: the first key after the header in the lock files uv and Poetry write. */
const PACKAGE_NAME = /^name[ \t]*=[ \t]*["']([^"'\r\n]+)["']/m;

/**
 * What a lock file (uv.lock, poetry.lock) holds for one package. Only that package's table is
 * parsed: a lock lists hundreds of packages, and parsing the whole of saleor's (280 kB) took 20 ms
 * before any file was read. A lock in which no table reads as expected is parsed whole.
 */
export function lockedPackage(text: string, name: string): LockedPackage | undefined {
  const wanted = name.toLowerCase();
  let recognised = false;
  for (const table of text.split(PACKAGE_TABLE)) {
    const named = table.startsWith('[[package]]') ? PACKAGE_NAME.exec(table) : null;
    recognised ||= named !== null;
    if (named?.[1].toLowerCase() !== wanted) continue;
    const found = (parseToml(table) as { package?: LockedPackage[] }).package?.[0];
    if (found?.name?.toLowerCase() === wanted) return found;
  }
  if (recognised) return undefined;
  const data = parseToml(text) as { package?: LockedPackage[] };
  return data.package?.find((pkg) => pkg.name?.toLowerCase() === wanted);
}

function fromPyproject(text: string): Version | null | undefined {
  const data = parseToml(text) as {
    project?: { dependencies?: string[] };
    tool?: { poetry?: { dependencies?: Record<string, unknown> } };
  };
  for (const dependency of data.project?.dependencies ?? []) {
    const found = fromRequirements(dependency);
    if (found !== undefined) return found;
  }
  const poetry = data.tool?.poetry?.dependencies ?? {};
  const key = Object.keys(poetry).find((name) => name.toLowerCase() === 'django');
  if (key === undefined) return undefined;
  const spec = poetry[key];
  const version = typeof spec === 'string' ? spec : (spec as { version?: string })?.version;
  return version ? lowerBound(version) : null;
}

function fromPipfile(text: string): Version | null | undefined {
  const data = parseToml(text) as { packages?: Record<string, unknown> };
  const key = Object.keys(data.packages ?? {}).find((name) => name.toLowerCase() === 'django');
  if (key === undefined) return undefined;
  const spec = data.packages![key];
  const version = typeof spec === 'string' ? spec : (spec as { version?: string })?.version;
  return version && version !== '*' ? lowerBound(version) : null;
}

/**
 * Reads the target Django from the project's dependency files, most precise first. A file that
 * cannot be parsed is passed over and named in `problems`.
 */
export function detectDjangoVersion(files: Map<string, string>, problems: string[]): TargetDjango {
  const ordered = [...files.keys()].sort((a, b) => rank(a) - rank(b) || compareText(a, b));
  for (const path of ordered) {
    const name = path.split('/').pop()!;
    let found: Version | null | undefined;
    try {
      if (name === 'poetry.lock' || name === 'uv.lock') found = fromLock(files.get(path)!);
      else if (name === 'pyproject.toml') found = fromPyproject(files.get(path)!);
      else if (name === 'Pipfile') found = fromPipfile(files.get(path)!);
      else if (name.endsWith('.txt') || name.endsWith('.in')) found = fromRequirements(files.get(path)!);
    } catch (error) {
      problems.push(`${path}: could not be read as ${name.endsWith('.txt') ? 'requirements' : 'TOML'} (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    if (found) return { version: found, source: path };
  }
  return { version: null, source: 'no Django version found in the dependency files; assuming the latest' };
}

function rank(path: string): number {
  const name = path.split('/').pop()!;
  if (name.endsWith('.lock')) return 0;
  if (name === 'pyproject.toml' || name === 'Pipfile') return 1;
  return 2;
}

export function atLeast(target: TargetDjango, version: Version): boolean {
  if (!target.version) return true;
  return target.version[0] > version[0] || (target.version[0] === version[0] && target.version[1] >= version[1]);
}
