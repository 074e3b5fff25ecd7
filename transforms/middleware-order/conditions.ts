// The settings that conditional rules read (CSRF_USE_SESSIONS), as the settings modules that use a
// MIDDLEWARE list see them. A value counts only when it is certain for all of them: a module that
// star-imports this one can set it differently (layered settings), and a value computed at run time
// (`os.environ.get(...) == "1"`) can be anything.
import { extractFacts, stringItems } from '../../src/facts';
import type { SettingFact } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { settingStatements } from '../../src/project/index';
import type { ProjectIndex } from '../../src/project/index';
import type { SettingState } from './plan';
import { MIDDLEWARE_RULES } from './rules';

export interface ConditionSetting {
  state: SettingState;
  /** Why the value is not certain, in the user's words; set when `state.known` is false. */
  doubt?: string;
}

const CONDITION_NAMES = [...new Set(MIDDLEWARE_RULES.flatMap((rule) => (rule.when ? [rule.when.setting] : [])))];

export function conditionSettings(index: ProjectIndex, settingsPath: string, readText: (path: string) => string | undefined): Record<string, ConditionSetting> {
  const read = new Map<string, SettingFact[] | undefined>();
  const facts = (path: string) => {
    if (!read.has(path)) read.set(path, index.settingFacts[path] ?? factsOfModule(readText(path)));
    return read.get(path);
  };
  const users = modulesUsingList(index, settingsPath, facts);
  return Object.fromEntries(CONDITION_NAMES.map((name) => [name, conditionSetting(index, settingsPath, users, name, facts)]));
}

/** Setting facts of a module the index keeps none for (it is not a settings module): read from its text. */
function factsOfModule(text: string | undefined): SettingFact[] | undefined {
  const tree = text === undefined ? undefined : parsePython(text);
  return tree && text !== undefined && !tree.rootNode.hasError ? extractFacts(tree, text).settings : undefined;
}

type FactsOf = (path: string) => SettingFact[] | undefined;

/** Python's spelling of a setting value, for messages. */
export function pythonValue(value: unknown): string {
  if (value === undefined) return 'not set';
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function conditionSetting(index: ProjectIndex, settingsPath: string, users: string[], name: string, facts: FactsOf): ConditionSetting {
  const own = seenBy(index, settingsPath, name);
  if (!own.known) return { state: { known: false }, doubt: `${name} ${own.why}` };
  for (const user of users) {
    const theirs = index.settingFacts[user] ? seenBy(index, user, name) : seenInModule(user, name, facts, own);
    if (!theirs.known) return { state: { known: false }, doubt: `${name} ${theirs.why} (${user} star-imports these settings)` };
    if (!sameValue(theirs.value, own.value)) {
      return {
        state: { known: false },
        doubt: `${name} is ${pythonValue(own.value)} here but ${pythonValue(theirs.value)} in ${theirs.where}, which star-imports these settings`,
      };
    }
  }
  return { state: { known: true, value: own.value } };
}

/** Not set and False are the same to Django for a boolean setting. */
function sameValue(a: unknown, b: unknown): boolean {
  const booleanLike = (value: unknown) => typeof value === 'boolean' || value === undefined || value === null;
  return a === b || (booleanLike(a) && booleanLike(b) && Boolean(a) === Boolean(b));
}

type Seen = { known: true; value: unknown; where: string } | { known: false; why: string };

/** The value of `name` as the settings module at `path` sees it (its own statements, else its star-imports'). */
function seenBy(index: ProjectIndex, path: string, name: string): Seen {
  const found = settingStatements(index, path, name);
  return found ? seenIn(found) : { known: true, value: undefined, where: path };
}

/**
 * The same for a module that is not a settings module: its own statements, else what it star-imports,
 * which comes down to the value the list's own module sees (`inherited`). A module djfix cannot read
 * could set anything.
 */
function seenInModule(path: string, name: string, facts: FactsOf, inherited: Seen): Seen {
  const all = facts(path);
  if (!all) return { known: false, why: `may be set in ${path}, which djfix cannot read` };
  const own = all.filter((fact) => fact.name === name);
  return own.length > 0 ? seenIn({ path, facts: own }) : inherited;
}

function seenIn(found: { path: string; facts: SettingFact[] }): Seen {
  const last = found.facts[found.facts.length - 1];
  const where = `${found.path}:${last.line}`;
  if (found.facts.length > 1) return { known: false, why: `is set more than once (last at ${where})` };
  if (last.op !== '=') return { known: false, why: `is changed with ${last.op} at ${where}` };
  if (last.conditional) return { known: false, why: `is set inside a conditional block at ${where}` };
  const value = scalar(last.value);
  if (value === NOT_A_SCALAR) return { known: false, why: `is computed at run time at ${where} (${expressionText(last.value)})` };
  return { known: true, value, where };
}

const NOT_A_SCALAR = Symbol('not a scalar');

function scalar(value: SettingFact['value']): unknown {
  if (value.kind === 'bool' || value.kind === 'num' || value.kind === 'str') return value.value;
  if (value.kind === 'none') return null;
  return NOT_A_SCALAR;
}

function expressionText(value: SettingFact['value']): string {
  return value.kind === 'expr' ? value.text : value.kind;
}

/**
 * Modules that star-import `settingsPath` (directly or not) and keep its MIDDLEWARE, rather than
 * writing a list of their own first: the list at `settingsPath` runs with their settings too.
 */
function modulesUsingList(index: ProjectIndex, settingsPath: string, facts: FactsOf): string[] {
  return listImporters(index, settingsPath).filter((importer) => {
    const [first] = (facts(importer) ?? []).filter((fact) => fact.name === 'MIDDLEWARE');
    return !(first && first.op === '=' && !first.conditional && stringItems(first.value) !== undefined);
  });
}

/**
 * Project modules that import the list of the module at `path`, directly or through others: settings
 * layered on it with a star-import, any other module that takes its names wholesale (a test settings
 * module, say), and modules that import MIDDLEWARE by name (the same list object, so `.insert(2, ...)`
 * there depends on the order here).
 */
export function listImporters(index: ProjectIndex, path: string): string[] {
  const found: string[] = [];
  const queue = [path];
  for (let head = 0; head < queue.length; head++) {
    const module = index.files[queue[head]]?.module;
    for (const edge of index.imports) {
      const takesList = edge.names?.some((name) => name.name === '*' || name.name === 'MIDDLEWARE');
      if (edge.to !== module || !takesList || edge.path === path || found.includes(edge.path)) continue;
      found.push(edge.path);
      queue.push(edge.path);
    }
  }
  return found.sort();
}
