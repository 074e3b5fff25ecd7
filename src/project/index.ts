// The project index: what every transform needs to know about the whole project (apps, settings,
// models, imports, the target Django), built once from every file's facts before transforms run.
// It is plain data so it can be sent to worker threads as is.
import { importBindings, qualify, resolveImportModule } from './modules';
import type { TargetDjango } from './django-version';
import { buildModels } from './models';
import { buildApps, buildSettings } from './apps';
import { resolveClass } from './lookup';
import type { FileRole, IndexInput, ProjectIndex } from './types';
import { compareText } from '../order';
import { nameRecord } from '../records';

export * from './types';
export * from './lookup';

/** What the index needs besides the Python files' facts. */
export interface IndexContext {
  /** The project's dependency and tool configuration files. */
  dependencyFiles?: string[];
  /** DJANGO_SETTINGS_MODULE values from tool configuration (pytest.ini and the like). */
  settingsRefs?: string[];
}

export function buildIndex(inputs: IndexInput[], django: TargetDjango, { dependencyFiles = [], settingsRefs = [] }: IndexContext = {}): ProjectIndex {
  const sorted = [...inputs].sort((a, b) => compareText(a.path, b.path));
  const index: ProjectIndex = {
    files: nameRecord(),
    modules: nameRecord(),
    django,
    apps: [],
    settings: { paths: [], bases: {} },
    settingFacts: nameRecord(),
    models: nameRecord(),
    modelClasses: nameRecord(),
    classes: nameRecord(),
    imports: [],
    bindings: nameRecord(),
    aliases: nameRecord(),
    dependencyFiles: [...dependencyFiles].sort(),
    extra: nameRecord(),
  };
  const bindingsOf = new Map<string, Map<string, string>>();
  for (const input of sorted) {
    const { screened, commented } = input.facts;
    index.files[input.path] = { module: input.module, isPackage: input.isPackage, hash: input.hash, role: 'other', screened, commented };
    if (!(input.module in index.modules)) index.modules[input.module] = input.path;
    const bindings = importBindings(input.facts, input.module, input.isPackage);
    bindingsOf.set(input.module, bindings);
    index.bindings[input.module] = nameRecord(bindings);
  }
  for (const input of sorted) {
    const bindings = bindingsOf.get(input.module)!;
    const local = new Set(input.facts.classes.map((c) => c.name));
    for (const cls of input.facts.classes) {
      index.classes[`${input.module}.${cls.name}`] = {
        path: input.path,
        line: cls.line,
        bases: cls.bases.map((base) => qualify(base, bindings, input.module, local)),
      };
    }
    for (const fact of input.facts.imports) {
      const target = resolveImportModule(fact, input.module, input.isPackage);
      if (target) index.imports.push({ from: input.module, to: target, path: input.path, line: fact.line, scope: fact.scope, names: fact.names });
    }
    for (const [transform, value] of Object.entries(input.facts.extra)) {
      (index.extra[transform] ??= nameRecord())[input.path] = value;
    }
  }
  index.aliases = classAliases(index);
  for (const info of Object.values(index.classes)) info.bases = info.bases.map((base) => resolveClass(index, base));
  index.settings = buildSettings(sorted, index, settingsRefs);
  for (const input of sorted) {
    if (index.settings.paths.includes(input.path)) index.settingFacts[input.path] = input.facts.settings;
  }
  index.apps = buildApps(sorted, index);
  buildModels(sorted, index);
  for (const [path, entry] of Object.entries(index.files)) entry.role = roleOf(path, entry.module, index);
  return index;
}

/**
 * An index parsed from JSON (in a worker, from the cache), its records without prototype as buildIndex
 * makes them (see records.ts): transforms look names up in them everywhere.
 */
export function withoutPrototypes(index: ProjectIndex): ProjectIndex {
  const records = [index.files, index.modules, index.settingFacts, index.models, index.modelClasses, index.classes, index.bindings, index.aliases, index.extra];
  for (const record of [...records, ...Object.values(index.bindings), ...Object.values(index.extra)]) Object.setPrototypeOf(record, null);
  return index;
}

/**
 * `from .product import Product` in `catalog/models/__init__.py` makes `catalog.models.Product` a
 * name for `catalog.models.product.Product`; chains of such re-exports are followed.
 */
function classAliases(index: ProjectIndex): Record<string, string> {
  const aliases = nameRecord<string>();
  const target = (name: string, depth: number): string | undefined => {
    if (index.classes[name]) return name;
    if (depth > 8) return undefined;
    const cut = name.lastIndexOf('.');
    const bound = index.bindings[name.slice(0, cut)]?.[name.slice(cut + 1)];
    return bound ? target(bound, depth + 1) : undefined;
  };
  for (const [module, bindings] of Object.entries(index.bindings)) {
    for (const name in bindings) {
      // What target() does with `module.name` when it is not a class: follow the binding. Most
      // bindings lead out of the project: their qualified name is never built.
      const resolved = target(bindings[name], 1);
      const qualified = resolved && `${module}.${name}`;
      if (qualified && !index.classes[qualified]) aliases[qualified] = resolved;
    }
  }
  return aliases;
}

const MIGRATION_PATH = /(^|\/)migrations\/(?!__init__\.py$)[^/]+\.py$/;
const TEST_PATH = /(^|\/)(tests?|test_[^/]*|[^/]*_tests?|conftest)\.py$|(^|\/)tests\//;
/** What makes a test or migration file matter to the index: models, app configs, settings. */
const PROJECT_FACTS = /\bclass\s+\w+\s*\([^)]*\b(Model|AppConfig|Manager|Middleware\w*)\b|\b(INSTALLED_APPS|MIDDLEWARE|DATABASES|AUTH_USER_MODEL|DJANGO_SETTINGS_MODULE)\b/;

export function isMigrationPath(path: string): boolean {
  return MIGRATION_PATH.test(path);
}

/**
 * Tests and migrations are most of a large project's code but rarely of its structure: nothing
 * imports them at import time, so they are in no import cycle, and they hold models, app configs and
 * settings only now and then. Their facts are collected only when their text shows one of those.
 */
export function needsFacts(path: string, text: string): boolean {
  return !(MIGRATION_PATH.test(path) || TEST_PATH.test(path)) || PROJECT_FACTS.test(text);
}

function roleOf(path: string, module: string, index: ProjectIndex): FileRole {
  if (index.settings.paths.includes(path)) return 'settings';
  if (MIGRATION_PATH.test(path)) return 'migration';
  if (TEST_PATH.test(path)) return 'test';
  if (/(^|\.)models(\.|$)/.test(module)) return 'models';
  if (/(^|\.)apps$/.test(module)) return 'apps';
  return 'other';
}
