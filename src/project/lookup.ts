// Questions transforms ask the project index.
import type { AppInfo, ProjectIndex } from './types';
import type { SettingFact } from '../facts';

/** What resolveClass found for each index (a worker's index is an object of its own). */
const resolved = new WeakMap<ProjectIndex, Map<string, string>>();

/**
 * Follows re-exports: the qualified name of the class a name refers to. `from .product import Product`
 * in `catalog/models/__init__.py` makes `catalog.models.Product` a name for
 * `catalog.models.product.Product`; chains of such re-exports are followed, up to eight. Found when
 * first asked for and remembered: a table of every re-export (8,400 on saleor) cost more to build,
 * while the workers waited, and to send them than a run's questions do.
 */
export function resolveClass(index: ProjectIndex, qualified: string): string {
  if (index.classes[qualified]) return qualified;
  let known = resolved.get(index);
  if (!known) resolved.set(index, (known = new Map()));
  let found = known.get(qualified);
  if (found === undefined) {
    found = reExportedClass(index, qualified) ?? qualified;
    known.set(qualified, found);
  }
  return found;
}

/** The class that `module.name` is bound to by the module's imports, through other modules' imports. */
function reExportedClass(index: ProjectIndex, qualified: string): string | undefined {
  let name = qualified;
  for (let depth = 0; depth <= 8; depth++) {
    const cut = name.lastIndexOf('.');
    const bound = cut < 0 ? undefined : index.bindings[name.slice(0, cut)]?.[name.slice(cut + 1)];
    if (!bound) return undefined;
    if (index.classes[bound]) return bound;
    name = bound;
  }
  return undefined;
}

/** The model a class name refers to, following re-exports. */
export function modelKeyOf(index: ProjectIndex, qualified: string): string | undefined {
  return index.modelClasses[resolveClass(index, qualified)];
}

/** The app a module belongs to: the installed app whose package is the longest prefix of it. */
export function appOfModule(index: ProjectIndex, module: string): AppInfo | undefined {
  let best: AppInfo | undefined;
  for (const app of index.apps) {
    if ((module === app.module || module.startsWith(`${app.module}.`)) && (!best || app.module.length > best.module.length)) best = app;
  }
  return best;
}

/**
 * The statements that set NAME as the settings file at `path` sees it: its own, else those of the
 * settings files it star-imports (the last one that sets it wins, as in Python).
 */
export function settingStatements(index: ProjectIndex, path: string, name: string, seen = new Set<string>()): { path: string; facts: SettingFact[] } | undefined {
  if (seen.has(path)) return undefined;
  seen.add(path);
  const own = (index.settingFacts[path] ?? []).filter((fact) => fact.name === name);
  if (own.length > 0) return { path, facts: own };
  const bases = index.settings.bases[path] ?? [];
  for (let i = bases.length - 1; i >= 0; i--) {
    const found = settingStatements(index, bases[i], name, seen);
    if (found) return found;
  }
  return undefined;
}

/** The literal value of a setting when one unconditional plain assignment sets it. */
export function settingLiteral(index: ProjectIndex, name: string, path = index.settings.paths[0]): SettingFact['value'] | undefined {
  if (!path) return undefined;
  const found = settingStatements(index, path, name);
  if (!found || found.facts.length !== 1) return undefined;
  const [fact] = found.facts;
  return fact.op === '=' && !fact.conditional ? fact.value : undefined;
}

/** Statements that can only add items to a list setting. */
const ADDING = new Set(['+=', 'append', 'extend', 'insert']);

/**
 * The strings a list setting surely holds: those of its one unconditional literal assignment,
 * when every other statement only adds to it (`INSTALLED_APPS.append("x")` under an `if`, `+=` in a
 * settings file that star-imports the one assigning it). Undefined when anything could remove or
 * replace them.
 */
export function settingSureItems(index: ProjectIndex, name: string, path = index.settings.paths[0], seen = new Set<string>()): string[] | undefined {
  if (!path || seen.has(path)) return undefined;
  seen.add(path);
  const own = (index.settingFacts[path] ?? []).filter((fact) => fact.name === name);
  if (own.some((fact) => fact.op !== '=' && !ADDING.has(fact.op))) return undefined;
  const assignments = own.filter((fact) => fact.op === '=');
  if (assignments.length > 1 || assignments.some((fact) => fact.conditional)) return undefined;
  if (assignments.length === 1) {
    // Items that are not strings (`*env_apps`, a name) add apps djfix cannot see; the strings are there.
    const value = assignments[0].value;
    return value.kind === 'list' || value.kind === 'tuple' ? value.items.flatMap((item) => (item.kind === 'str' ? [item.value] : [])) : undefined;
  }
  // Nothing here replaces it: the list is the one of the settings this file star-imports.
  const bases = index.settings.bases[path] ?? [];
  for (let i = bases.length - 1; i >= 0; i--) {
    if (settingStatements(index, bases[i], name)) return settingSureItems(index, name, bases[i], seen);
  }
  return undefined;
}
