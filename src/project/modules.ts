// Python module names for project files, and resolution of imported names to qualified names.
import type { FileFacts, ImportFact } from '../facts';

/**
 * The dotted module name of a file, given which directories are packages (hold an `__init__.py`).
 * The import root is the first ancestor that is not a package, as Python finds it when the project
 * runs from that directory (where manage.py lives, or `src/`).
 */
export function moduleNameOf(path: string, isPackageDir: (dir: string) => boolean): { module: string; isPackage: boolean } {
  const stem = path.replace(/\.py$/, '');
  const isPackage = stem === '__init__' || stem.endsWith('/__init__');
  const dotted = isPackage ? stem.slice(0, Math.max(0, stem.length - '/__init__'.length)) : stem;
  // The slash before the top-level module or package, which is importable from the directory above it.
  let top = dotted.lastIndexOf('/');
  while (top > 0 && isPackageDir(dotted.slice(0, top))) top = dotted.lastIndexOf('/', top - 1);
  return { module: dotted.slice(top + 1).replaceAll('/', '.'), isPackage };
}

/** The absolute module an import refers to, resolving leading dots against the importing module. */
export function resolveImportModule(fact: Pick<ImportFact, 'module' | 'level'>, fromModule: string, fromIsPackage: boolean): string | undefined {
  if (fact.level === 0) return fact.module;
  const base = fromModule.split('.');
  const drop = fromIsPackage ? fact.level - 1 : fact.level;
  if (drop > base.length) return undefined;
  const parent = base.slice(0, base.length - drop);
  return [...parent, ...(fact.module ? fact.module.split('.') : [])].join('.') || undefined;
}

/**
 * Maps the local names bound by a module's module-level imports to qualified names:
 * `from django.db import models` binds `models` to `django.db.models`.
 */
export function importBindings(facts: FileFacts, module: string, isPackage: boolean): Map<string, string> {
  const bindings = new Map<string, string>();
  for (const fact of facts.imports) {
    if (fact.scope === 'function') continue;
    const target = resolveImportModule(fact, module, isPackage);
    if (!target) continue;
    if (!fact.names) {
      if (fact.alias) bindings.set(fact.alias, target);
      else bindings.set(target.split('.')[0], target.split('.')[0]);
      continue;
    }
    for (const { name, alias } of fact.names) {
      if (name !== '*') bindings.set(alias ?? name, `${target}.${name}`);
    }
  }
  return bindings;
}

/** `models.Model` in a module that imported `models` from `django.db` is `django.db.models.Model`. */
export function qualify(dotted: string, bindings: Map<string, string>, module: string, localNames: Set<string>): string {
  const [head, ...rest] = dotted.split('.');
  const bound = bindings.get(head);
  if (bound) return [bound, ...rest].join('.');
  if (localNames.has(head)) return [module, head, ...rest].join('.');
  return dotted;
}
