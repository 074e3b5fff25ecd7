// The settings that conditional rules read (CSRF_USE_SESSIONS), as the settings modules that use a
// MIDDLEWARE list see them. A value counts only when it is certain for all of them: a module that
// star-imports this one can set it differently (layered settings), and a value computed at run time
// (`os.environ.get(...) == "1"`) can be anything.
import { stringItems } from '../../src/facts';
import type { SettingFact } from '../../src/facts';
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

export function conditionSettings(index: ProjectIndex, settingsPath: string): Record<string, ConditionSetting> {
  const users = settingsUsingList(index, settingsPath);
  return Object.fromEntries(CONDITION_NAMES.map((name) => [name, conditionSetting(index, settingsPath, users, name)]));
}

/** Python's spelling of a setting value, for messages. */
export function pythonValue(value: unknown): string {
  if (value === undefined) return 'not set';
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function conditionSetting(index: ProjectIndex, settingsPath: string, users: string[], name: string): ConditionSetting {
  const own = seenBy(index, settingsPath, name);
  if (!own.known) return { state: { known: false }, doubt: `${name} ${own.why}` };
  for (const user of users) {
    const theirs = seenBy(index, user, name);
    if (!theirs.known) return { state: { known: false }, doubt: `${name} ${theirs.why}, in ${user} which star-imports these settings` };
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
  if (!found) return { known: true, value: undefined, where: path };
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
 * Settings modules that star-import `settingsPath` (directly or not) and keep its MIDDLEWARE, rather
 * than writing a list of their own: the list at `settingsPath` runs with their settings too.
 */
function settingsUsingList(index: ProjectIndex, settingsPath: string): string[] {
  return derivedSettings(index, settingsPath).filter((derived) => {
    const found = settingStatements(index, derived, 'MIDDLEWARE');
    if (found?.path !== derived) return true;
    const [first] = found.facts;
    return !(first.op === '=' && !first.conditional && stringItems(first.value) !== undefined);
  });
}

/** Settings modules that star-import `settingsPath`, directly or through others. */
export function derivedSettings(index: ProjectIndex, settingsPath: string): string[] {
  const imports = (candidate: string, seen = new Set<string>()): boolean => {
    if (seen.has(candidate)) return false;
    seen.add(candidate);
    return (index.settings.bases[candidate] ?? []).some((base) => base === settingsPath || imports(base, seen));
  };
  return index.settings.paths.filter((candidate) => candidate !== settingsPath && imports(candidate));
}
