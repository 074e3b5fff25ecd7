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
    dependencyFiles: [...dependencyFiles].sort(),
    extra: nameRecord(),
  };
  // Each import is resolved once, for the module's bindings and for the import edges.
  const targetsOf = new Map<IndexInput, Array<string | undefined>>();
  for (const input of sorted) {
    const { screened, commented } = input.facts;
    index.files[input.path] = { module: input.module, isPackage: input.isPackage, role: 'other', screened, commented };
    if (!(input.module in index.modules)) index.modules[input.module] = input.path;
    const targets = input.facts.imports.map((fact) => resolveImportModule(fact, input.module, input.isPackage));
    targetsOf.set(input, targets);
    index.bindings[input.module] = importBindings(input.facts, targets);
  }
  for (const input of sorted) {
    const bindings = index.bindings[input.module];
    const local = new Set(input.facts.classes.map((c) => c.name));
    for (const cls of input.facts.classes) {
      index.classes[`${input.module}.${cls.name}`] = {
        path: input.path,
        line: cls.line,
        bases: cls.bases.map((base) => qualify(base, bindings, input.module, local)),
      };
    }
    const targets = targetsOf.get(input)!;
    input.facts.imports.forEach((fact, at) => {
      const target = targets[at];
      if (target) index.imports.push({ from: input.module, to: target, path: input.path, line: fact.line, scope: fact.scope, names: fact.names });
    });
    for (const [transform, value] of Object.entries(input.facts.extra)) {
      (index.extra[transform] ??= nameRecord())[input.path] = value;
    }
  }
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
  const records = [index.files, index.modules, index.settingFacts, index.models, index.modelClasses, index.classes, index.bindings, index.extra];
  for (const record of [...records, ...Object.values(index.bindings), ...Object.values(index.extra)]) Object.setPrototypeOf(record, null);
  return index;
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
