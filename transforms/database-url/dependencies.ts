// The project's dependency files: which dj-database-url (if any) it declares, whether it uses
// psycopg 3, and the edit that adds dj-database-url to the file that lists the project's own
// dependencies (requirements*.txt/.in, pyproject.toml [project] or Poetry).
import { parse as parseToml } from 'smol-toml';
import type { FileChange } from '../../src/model';
import { lowerBound, parseVersion, Version } from '../../src/project/django-version';
import { lineEnding } from '../../src/source';
import { compareText } from '../../src/order';

/** PEP 503 normalised name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export interface Declared {
  path: string;
  /** As written, e.g. `dj-database-url>=1.2,<3`. */
  text: string;
  /** The oldest release it allows (the pinned one for a lock file); null when it sets no lower bound. */
  floor: Version | null;
}

export interface Dependencies {
  /** Every declaration of each package (normalised name), lock files first. */
  declared: Map<string, Declared[]>;
  /** Files that could not be read as what their name says. */
  unreadable: string[];
}

type ReadText = (path: string) => string | undefined;

interface RequirementLine {
  line: number;
  name: string;
  specifier: string;
}

const REQUIREMENT = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;#]*)/;

/** The requirement lines of a requirements file (options, URLs and comments skipped). */
function requirementLines(text: string): RequirementLine[] {
  const found: RequirementLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (/^\s*(-|$)/.test(line) || /:\/\//.test(line)) return;
    const match = REQUIREMENT.exec(line);
    if (match) found.push({ line: index, name: normalizeName(match[1]), specifier: match[3].replace(/\\\s*$/, '').trim() });
  });
  return found;
}

function fromSpecifier(path: string, text: string, specifier: string): Declared {
  return { path, text, floor: lowerBound(specifier) };
}

interface PyProject {
  project?: { dependencies?: unknown };
  tool?: { poetry?: { dependencies?: Record<string, unknown>; group?: Record<string, { dependencies?: Record<string, unknown> }> } };
}

export function readDependencies(files: string[], readText: ReadText): Dependencies {
  const declared = new Map<string, Declared[]>();
  const unreadable: string[] = [];
  const add = (name: string, entry: Declared) => declared.set(normalizeName(name), [...(declared.get(normalizeName(name)) ?? []), entry]);
  const ordered = [...files].sort((a, b) => Number(!a.endsWith('.lock')) - Number(!b.endsWith('.lock')) || compareText(a, b));
  for (const path of ordered) {
    const text = readText(path);
    if (text === undefined) continue;
    const name = path.split('/').pop()!;
    try {
      if (name.endsWith('.txt') || name.endsWith('.in')) {
        for (const requirement of requirementLines(text)) add(requirement.name, fromSpecifier(path, text.split(/\r?\n/)[requirement.line].trim(), requirement.specifier));
      } else if (name === 'poetry.lock' || name === 'uv.lock') {
        const data = parseToml(text) as { package?: Array<{ name?: string; version?: string }> };
        for (const pkg of data.package ?? []) {
          if (pkg.name && pkg.version) add(pkg.name, { path, text: `${pkg.name}==${pkg.version}`, floor: parseVersion(pkg.version) });
        }
      } else if (name === 'pyproject.toml') {
        const data = parseToml(text) as PyProject;
        const dependencies = Array.isArray(data.project?.dependencies) ? (data.project!.dependencies as unknown[]) : [];
        for (const dependency of dependencies.filter((item): item is string => typeof item === 'string')) {
          const match = REQUIREMENT.exec(dependency);
          if (match) add(match[1], fromSpecifier(path, dependency, match[3]));
        }
        const poetry = data.tool?.poetry;
        const tables = [poetry?.dependencies ?? {}, ...Object.values(poetry?.group ?? {}).map((group) => group.dependencies ?? {})];
        for (const table of tables) {
          for (const [key, spec] of Object.entries(table)) {
            const version = typeof spec === 'string' ? spec : (spec as { version?: unknown })?.version;
            add(key, { path, text: `${key} = ${JSON.stringify(spec)}`, floor: typeof version === 'string' ? lowerBound(version) : null });
          }
        }
      } else if (name === 'Pipfile') {
        const data = parseToml(text) as { packages?: Record<string, unknown> };
        for (const [key, spec] of Object.entries(data.packages ?? {})) {
          const version = typeof spec === 'string' ? spec : (spec as { version?: unknown })?.version;
          add(key, { path, text: `${key} = ${JSON.stringify(spec)}`, floor: typeof version === 'string' && version !== '*' ? lowerBound(version) : null });
        }
      }
    } catch {
      unreadable.push(path);
    }
  }
  return { declared, unreadable };
}

/** The oldest release of a package the project may run: a lock file's pin, else the highest lower bound declared. */
export function declaredFloor(entries: Declared[] | undefined): Version | null {
  if (!entries || entries.length === 0) return null;
  const locked = entries.find((entry) => entry.path.endsWith('.lock') && entry.floor);
  if (locked) return locked.floor;
  const floors = entries.map((entry) => entry.floor).filter((floor): floor is Version => floor !== null);
  return floors.reduce<Version | null>((best, floor) => (!best || floor[0] > best[0] || (floor[0] === best[0] && floor[1] > best[1]) ? floor : best), null);
}

export type Addition = { ok: true; change: FileChange; path: string; followUp?: string } | { ok: false; reason: string };

const BASE_REQUIREMENTS = ['requirements.in', 'requirements.txt', 'requirements/base.in', 'requirements/base.txt', 'requirements/common.in', 'requirements/common.txt', 'requirements/production.txt', 'requirements/prod.txt'];

/**
 * The edit that adds `requirement` (e.g. `dj-database-url>=0.5.0`) to the file that lists the
 * project's own dependencies: the one that declares Django, else the project's main requirements file.
 */
export function addRequirement(files: string[], dependencies: Dependencies, readText: ReadText, name: string, floor: Version): Addition {
  const specifier = `>=${floor[0]}.${floor[1]}.0`;
  const declaresDjango = new Set((dependencies.declared.get('django') ?? []).map((entry) => entry.path));
  const pyproject = files.includes('pyproject.toml') ? readText('pyproject.toml') : undefined;
  const pyprojectData = pyproject === undefined || dependencies.unreadable.includes('pyproject.toml') ? undefined : (parseToml(pyproject) as PyProject);
  const hasProjectDependencies = Array.isArray(pyprojectData?.project?.dependencies);
  const hasPoetryDependencies = pyprojectData?.tool?.poetry?.dependencies !== undefined;
  const requirementFiles = files.filter((file) => /\.(txt|in)$/.test(file));
  const byPreference = (paths: string[]) => [...paths].sort((a, b) => rank(a) - rank(b) || compareText(a, b));
  const rank = (path: string) => (BASE_REQUIREMENTS.includes(path) ? BASE_REQUIREMENTS.indexOf(path) : BASE_REQUIREMENTS.length) * 2 + (path.endsWith('.in') ? 0 : 1);

  // pyproject.toml when it lists Django, or when nothing does and it lists dependencies at all.
  if (pyproject !== undefined && (declaresDjango.has('pyproject.toml') || declaresDjango.size === 0)) {
    if (hasProjectDependencies) return withFollowUp(addToProjectArray(pyproject, `${name}${specifier}`), files, 'uv.lock');
    if (hasPoetryDependencies) return withFollowUp(addToPoetry(pyproject, name, specifier), files, 'poetry.lock');
  }
  const declaring = byPreference(requirementFiles.filter((file) => declaresDjango.has(file)));
  const candidates = declaring.length > 0 ? declaring : byPreference(requirementFiles.filter((file) => BASE_REQUIREMENTS.includes(file)));
  for (const path of candidates) {
    const text = readText(path);
    if (text === undefined) continue;
    const source = path.replace(/\.txt$/, '.in');
    if (path.endsWith('.txt') && files.includes(source)) continue; // compiled by pip-tools: its .in is the place
    if (/--hash[= ]/.test(text)) return { ok: false, reason: `${path} pins hashes (pip-compile --generate-hashes); add ${name}${specifier} to its source and compile it again` };
    const compiled = path.replace(/\.in$/, '.txt');
    return { ok: true, path, change: { path, kind: 'edit', edits: [addRequirementLine(text, `${name}${specifier}`)] }, followUp: path.endsWith('.in') && files.includes(compiled) ? `compile ${compiled} again (pip-compile)` : undefined };
  }
  if (files.includes('Pipfile')) return { ok: false, reason: `djfix does not edit Pipfile; add ${name} = "${specifier}" under [packages] and run pipenv lock` };
  return { ok: false, reason: `djfix found no dependency file that lists Django or is the main one (requirements.txt, requirements/base.txt, pyproject.toml dependencies); add ${name}${specifier} to the project's dependencies` };
}

function withFollowUp(addition: Addition, files: string[], lock: string): Addition {
  if (!addition.ok || !files.includes(lock)) return addition;
  return { ...addition, followUp: `run ${lock === 'uv.lock' ? 'uv lock' : 'poetry lock'} to update ${lock}` };
}

/** A new requirement line: in sorted position when the file is sorted, else after the last line. */
function addRequirementLine(text: string, requirement: string) {
  const eol = lineEnding(text);
  const lines = text.split('\n');
  const requirements = requirementLines(text);
  const name = normalizeName(requirement.replace(/[<>=!~].*$/, ''));
  const sorted = requirements.every((entry, i) => i === 0 || requirements[i - 1].name <= entry.name);
  const before = sorted ? requirements.find((entry) => entry.name > name) : undefined;
  if (before) {
    let line = before.line;
    // Comment lines right above a requirement belong to it.
    while (line > 0 && /^\s*#/.test(lines[line - 1])) line--;
    const offset = lines.slice(0, line).reduce((sum, current) => sum + current.length + 1, 0);
    return { start: offset, end: offset, text: `${requirement}${eol}` };
  }
  const trimmed = text.replace(/\s+$/, '');
  if (trimmed === '') return { start: 0, end: text.length, text: `${requirement}${eol}` };
  return { start: trimmed.length, end: trimmed.length, text: `${eol}${requirement}` };
}

/** Adds an item to `[project] dependencies = [...]`, keeping the array's layout. */
function addToProjectArray(text: string, requirement: string): Addition {
  const array = tomlArray(text, 'project', 'dependencies');
  if (!array) return { ok: false, reason: `djfix could not find the [project] dependencies array in pyproject.toml; add "${requirement}" to it` };
  const { open, close, items } = array;
  const quote = items[0] ? text[items[0].start] : '"';
  const item = `${quote}${requirement}${quote}`;
  const eol = lineEnding(text);
  let edit;
  if (items.length === 0) {
    edit = { start: open + 1, end: close, text: item };
  } else if (!text.slice(open, close).includes('\n')) {
    edit = { start: items[items.length - 1].end, end: items[items.length - 1].end, text: `, ${item}` };
  } else {
    const last = items[items.length - 1];
    const lineStart = text.lastIndexOf('\n', last.start) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    const afterLast = text.slice(last.end, close);
    const comma = /^\s*,/.test(afterLast) ? '' : ',';
    const lineEnd = text.indexOf('\n', last.end);
    edit = comma
      ? { start: last.end, end: last.end, text: `,${eol}${indent}${item},` }
      : { start: lineEnd + 1, end: lineEnd + 1, text: `${indent}${item},${eol}` };
  }
  const after = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return validated(after, (data) => Array.isArray(data.project?.dependencies) && (data.project!.dependencies as unknown[]).includes(requirement), 'pyproject.toml', edit, requirement);
}

/** Adds `name = "specifier"` at the end of `[tool.poetry.dependencies]`. */
function addToPoetry(text: string, name: string, specifier: string): Addition {
  const header = /^\[tool\.poetry\.dependencies\][ \t]*(#.*)?$/m.exec(text);
  if (!header) return { ok: false, reason: `djfix could not find [tool.poetry.dependencies] in pyproject.toml; add ${name} = "${specifier}" to it` };
  const eol = lineEnding(text);
  const start = header.index + header[0].length;
  const next = /^\[/m.exec(text.slice(start));
  const body = text.slice(start, next ? start + next.index : text.length);
  const lastEntry = body.replace(/\s+$/, '');
  const at = start + lastEntry.length;
  const edit = { start: at, end: at, text: `${eol}${name} = "${specifier}"` };
  const after = text.slice(0, at) + edit.text + text.slice(at);
  return validated(after, (data) => data.tool?.poetry?.dependencies?.[name] === specifier, 'pyproject.toml', edit, `${name} = "${specifier}"`);
}

function validated(after: string, check: (data: PyProject) => boolean, path: string, edit: { start: number; end: number; text: string }, what: string): Addition {
  try {
    if (check(parseToml(after) as PyProject)) return { ok: true, path, change: { path, kind: 'edit', edits: [edit] } };
  } catch {
    // falls through: the edit did not give valid TOML
  }
  return { ok: false, reason: `djfix could not add ${what} to ${path} safely; add it yourself` };
}

interface TomlArray {
  open: number;
  close: number;
  items: Array<{ start: number; end: number }>;
}

/** The span of `key = [...]` in `[table]` and its string items, read with TOML's string and comment rules. */
function tomlArray(text: string, table: string, key: string): TomlArray | undefined {
  const header = new RegExp(`^\\[${table.replace(/\./g, '\\.')}\\][ \\t]*(#.*)?$`, 'm').exec(text);
  if (!header) return undefined;
  const start = header.index + header[0].length;
  const next = /^\[/m.exec(text.slice(start));
  const end = next ? start + next.index : text.length;
  const assignment = new RegExp(`^[ \\t]*${key}[ \\t]*=[ \\t]*\\[`, 'm').exec(text.slice(start, end));
  if (!assignment) return undefined;
  const open = start + assignment.index + assignment[0].length - 1;
  const items: TomlArray['items'] = [];
  for (let i = open + 1; i < text.length; i++) {
    const char = text[i];
    if (char === ']') return { open, close: i, items };
    if (char === '#') i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (char === '"' || char === "'") {
      const triple = text.startsWith(char.repeat(3), i);
      const delimiter = triple ? char.repeat(3) : char;
      let j = i + delimiter.length;
      while (j < text.length && !text.startsWith(delimiter, j)) j += char === '"' && text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return undefined;
      items.push({ start: i, end: j + delimiter.length });
      i = j + delimiter.length - 1;
    } else if (!/[\s,]/.test(char)) return undefined; // not an array of plain strings
  }
  return undefined;
}
