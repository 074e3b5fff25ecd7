// Python module names for project files, and resolution of imported names to qualified names.
import type { FileFacts, ImportFact } from '../facts';
import { nameRecord } from '../records';

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

/**
 * The absolute module an import refers to, resolving leading dots against the importing module. Every
 * import of the project is resolved while the index is built, on the main thread, with the workers
 * waiting: it cuts the importing module's name where it stands rather than splitting and joining it.
 */
export function resolveImportModule(fact: Pick<ImportFact, 'module' | 'level'>, fromModule: string, fromIsPackage: boolean): string | undefined {
  if (fact.level === 0) return fact.module;
  let drop = fromIsPackage ? fact.level - 1 : fact.level;
  // The parent keeps the first components of fromModule (it has one more than it has dots), `drop` fewer.
  let end = fromModule.length;
  for (; drop > 0 && end >= 0; drop--) end = fromModule.lastIndexOf('.', end - 1);
  if (drop > 0) return undefined;
  if (end < 0) return fact.module || undefined;
  const parent = fromModule.slice(0, end);
  return fact.module ? `${parent}.${fact.module}` : parent || undefined;
}

/**
 * Maps the local names bound by a module's module-level imports to qualified names:
 * `from django.db import models` binds `models` to `django.db.models`. `targets` are the imports'
 * modules as resolveImportModule gives them, in the order of `facts.imports`.
 */
export function importBindings(facts: FileFacts, targets: Array<string | undefined>): Record<string, string> {
  const bindings = nameRecord<string>();
  facts.imports.forEach((fact, at) => {
    const target = targets[at];
    if (fact.scope === 'function' || !target) return;
    if (!fact.names) {
      if (fact.alias) bindings[fact.alias] = target;
      else {
        const top = target.split('.')[0];
        bindings[top] = top;
      }
      return;
    }
    for (const { name, alias } of fact.names) {
      if (name !== '*') bindings[alias ?? name] = `${target}.${name}`;
    }
  });
  return bindings;
}

/** `models.Model` in a module that imported `models` from `django.db` is `django.db.models.Model`. */
export function qualify(dotted: string, bindings: Record<string, string>, module: string, localNames: Set<string>): string {
  const dot = dotted.indexOf('.');
  const head = dot < 0 ? dotted : dotted.slice(0, dot);
  const rest = dot < 0 ? '' : dotted.slice(dot);
  const bound = bindings[head];
  if (bound) return bound + rest;
  if (localNames.has(head)) return `${module}.${dotted}`;
  return dotted;
}
