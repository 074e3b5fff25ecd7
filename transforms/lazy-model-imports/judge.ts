// Whether the imports of a cycle can be made lazy: for each import of a module by another, the
// bindings that bring in models, whether every use of each can read the model lazily, and why not.
import { stringItems } from '../../src/facts';
import { parsePython } from '../../src/parse';
import type { ImportCycle, ImportTimeEdge } from '../../src/project/cycles';
import { appOfModule, modelKeyOf, resolveClass, settingLiteral } from '../../src/project/index';
import type { ProjectIndex } from '../../src/project/index';
import { blockedText, problemText } from './messages';
import type { BindingSummary, UseSummary } from './summary';
import type { BlockedKind } from './uses';
import { importTimeCalls } from './module-scan';
import type { ProjectFiles } from './world';

export interface ModelRef {
  /** `app_label.Model` */
  key: string;
  label: string;
  name: string;
  /** Where the label comes from, in the user's words. */
  labelSource: string;
}

/** A binding whose every use can read the model lazily. */
export interface LazyBinding {
  line: number;
  local: string;
  /** `class`: the binding is the model (`from app.models import Order`); `module`: its members are (`models.Order`). */
  kind: 'class' | 'module';
  /** The model of each name the file uses: the local name for `class`, each member for `module`. */
  models: Record<string, ModelRef>;
  /** The binding as the planner read it. */
  binding: BindingSummary;
}

/** All the import-time imports of one module from another. */
export interface Dependency {
  from: string;
  to: string;
  path: string;
  edges: ImportTimeEdge[];
  /** The bindings whose imports make it (known for the files the planner read). */
  bindings: BindingSummary[];
  /** Some binding imports a model, or a module of models. */
  modelish: boolean;
  /** The model bindings whose every use can be made lazy: what a cut here changes. */
  lazy: LazyBinding[];
  /** Why the others cannot, each with its file:line. */
  reasons: string[];
  /** Edits a cut makes: fewer is preferred. */
  cost: number;
}

interface Verdict {
  modelish: boolean;
  reasons: string[];
  lazy?: LazyBinding;
  cost: number;
}

/** Judges the imports of cycles, with what it needs from the whole project computed once. */
export class Judge {
  private readonly callees = new Map<string, Set<string>>();
  /** Modules that define a model class, and whether others do or re-export one (see definesModels). */
  private readonly modelModules: Set<string>;
  private readonly reExporters = new Map<string, boolean>();
  private readonly installedKnown: boolean;
  private readonly index: ProjectIndex;

  /**
   * `importedDuringSetup`: the modules django.setup() imports, before the app registry is ready; a
   * function they call while being imported cannot look a model up. Undefined: unknown, so any importer counts.
   */
  constructor(private readonly files: ProjectFiles, private readonly importedDuringSetup?: ReadonlySet<string>) {
    this.index = files.index;
    const installed = settingLiteral(this.index, 'INSTALLED_APPS');
    this.installedKnown = installed !== undefined && stringItems(installed) !== undefined;
    this.modelModules = new Set(Object.keys(this.index.modelClasses).map((qualified) => qualified.slice(0, qualified.lastIndexOf('.'))));
  }

  dependencies(cycle: ImportCycle): Dependency[] {
    const byPair = new Map<string, Dependency>();
    for (const edge of cycle.edges) {
      const key = `${edge.from}\0${edge.to}`;
      const dependency = byPair.get(key) ?? { from: edge.from, to: edge.to, path: edge.path, edges: [], bindings: [], modelish: false, lazy: [], reasons: [], cost: 0 };
      dependency.edges.push(edge);
      byPair.set(key, dependency);
    }
    // A file is read when one of its imports in the cycle may bring in a model; all of its imports
    // in the cycle then know their bindings, so that a cut removes every edge it takes away.
    for (const module of cycle.modules) {
      const outgoing = [...byPair.values()].filter((dependency) => dependency.from === module);
      if (!outgoing.some((dependency) => this.mayImportModels(dependency))) continue;
      for (const binding of this.files.summary(module)?.bindings ?? []) {
        for (const target of this.files.targets(binding, module)) byPair.get(`${module}\0${target}`)?.bindings.push(binding);
      }
    }
    const dependencies = [...byPair.values()];
    for (const dependency of dependencies) this.judge(dependency);
    return dependencies;
  }

  /**
   * The model a qualified name refers to, following re-exports, star imports included
   * (`from .jobs import *` in `core/models/__init__.py` makes `core.models.Job` a model).
   */
  private modelKey(qualified: string, depth = 0): string | undefined {
    const key = this.index.modelClasses[resolveClass(this.index, qualified)];
    if (key !== undefined || depth > 8) return key;
    const cut = qualified.lastIndexOf('.');
    const [module, name] = [qualified.slice(0, cut), qualified.slice(cut + 1)];
    for (const edge of this.index.imports) {
      if (edge.from !== module || edge.scope !== 'module' || !edge.names?.some((item) => item.name === '*')) continue;
      const found = this.modelKey(`${edge.to}.${name}`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Whether a module defines a model class, or its imports bind a name to one (a re-export). */
  private definesModels(module: string): boolean {
    if (this.modelModules.has(module)) return true;
    let found = this.reExporters.get(module);
    if (found === undefined) {
      found = Object.keys(this.index.bindings[module] ?? {}).some((name) => modelKeyOf(this.index, `${module}.${name}`) !== undefined);
      this.reExporters.set(module, found);
    }
    return found;
  }

  /** From the index alone: whether the imports of a dependency name a model, or a module that defines or re-exports one. */
  private mayImportModels(dependency: Dependency): boolean {
    const lines = new Set(dependency.edges.map((edge) => edge.line));
    return this.index.imports.some((edge) => {
      if (edge.from !== dependency.from || edge.scope !== 'module' || !lines.has(edge.line)) return false;
      if (!edge.names) return this.definesModels(dependency.to);
      return edge.names.some(({ name }) => {
        const qualified = `${edge.to}.${name}`;
        return qualified === dependency.to ? this.definesModels(qualified) : this.modelKey(qualified) !== undefined;
      });
    });
  }

  private judge(dependency: Dependency): void {
    if (dependency.bindings.length === 0) return;
    const verdicts = dependency.bindings.map((binding) => this.judgeBinding(binding, dependency));
    dependency.modelish = verdicts.some((verdict) => verdict.modelish);
    dependency.reasons = verdicts.flatMap((verdict) => (verdict.modelish ? verdict.reasons : []));
    if (this.index.files[dependency.path]?.role === 'migration') {
      dependency.reasons.push(`${dependency.path} is a migration, which djfix does not edit`);
      return;
    }
    const lazy = verdicts.filter((verdict) => verdict.lazy);
    dependency.lazy = lazy.map((verdict) => verdict.lazy!);
    dependency.cost = lazy.reduce((sum, verdict) => sum + verdict.cost, 0);
  }

  private judgeBinding(binding: BindingSummary, dependency: Dependency): Verdict {
    const where = (line: number) => `${dependency.path}:${line}`;
    const reasons = binding.problems.map((problem) => problemText(problem, binding.local, where(problem.line)));
    if (!binding.topLevel) reasons.push(`the import at ${where(binding.line)} is inside a block (try, if, class); djfix only edits imports at the top level of a module`);
    const asModule = this.files.moduleBound(binding, dependency.from) !== undefined;
    const models: Record<string, ModelRef> = {};
    let modelish = false;
    let cost = 1;
    const judgeUses = (name: string, summary: UseSummary) => {
      reasons.push(...this.useReasons(name, summary, dependency));
      cost += summary.function + summary.relation + summary.annotation;
    };
    if (!asModule) {
      const key = this.modelKey(`${dependency.to}.${binding.name}`);
      if (key) {
        modelish = true;
        const ref = this.modelRef(key, binding.local, where(binding.line), dependency.from);
        if (typeof ref === 'string') reasons.push(ref);
        else models[binding.local] = ref;
        judgeUses(binding.local, binding.bare);
      } else {
        reasons.push(`${binding.local} (imported at ${where(binding.line)}) is not a Django model, so it has no lazy form and its import stays`);
      }
      if (binding.uses === 0) {
        reasons.push(`${binding.local} is not used in ${dependency.path}: it is imported for another reason (to register the model with Django, or to re-export it), which a lazy lookup would lose`);
      }
    } else {
      for (const line of binding.memberless) reasons.push(`${binding.local} is used as a module object at ${where(line)}, not through one of its names`);
      for (const [member, summary] of Object.entries(binding.members)) {
        const key = this.modelKey(`${dependency.to}.${member}`);
        const name = `${binding.local}.${member}`;
        if (!key) {
          reasons.push(`${name} (${where(binding.line)}) is not a Django model, so it has no lazy form and the import stays`);
          continue;
        }
        modelish = true;
        const ref = this.modelRef(key, name, where(binding.line), dependency.from);
        if (typeof ref === 'string') reasons.push(ref);
        else models[member] = ref;
        if (summary.function > 0 && summary.clashes) reasons.push(`${member} is already a name in ${dependency.path}, so a local ${member} = apps.get_model(...) would clash with it`);
        judgeUses(name, summary);
      }
    }
    for (const place of this.reexports(dependency.from, binding.local)) reasons.push(`${place} takes ${binding.local} from ${dependency.from}, which would no longer have it`);
    const lazy: LazyBinding | undefined = modelish && reasons.length === 0 ? { line: binding.line, local: binding.local, kind: asModule ? 'module' : 'class', models, binding } : undefined;
    return { modelish, reasons, cost, lazy };
  }

  private useReasons(name: string, summary: UseSummary, dependency: Dependency): string[] {
    const linesByKind = new Map<BlockedKind, number[]>();
    for (const blocked of summary.blocked) linesByKind.set(blocked.kind, [...(linesByKind.get(blocked.kind) ?? []), blocked.line]);
    const reasons = [...linesByKind].map(([kind, lines]) => blockedText(kind, name, `${dependency.path}:${lines.join(', ')}`));
    if (summary.function === 0) return reasons;
    const file = this.files.summary(dependency.from);
    if (file?.registryTaken !== undefined) {
      reasons.push(`${file.registry} is already a name in ${dependency.path}:${file.registryTaken}, so djfix cannot use it for Django's app registry to look up ${name}`);
    }
    for (const top of summary.topFunctions) {
      if (this.calledAtImportTime(dependency.from, top)) {
        reasons.push(`${top}() uses ${name} and is called by a module imported during django.setup(), before the app registry is ready, where apps.get_model() fails`);
      }
    }
    return reasons;
  }

  /** The model with key `key`, with the label to look it up by; or why it cannot be looked up. */
  private modelRef(key: string, name: string, where: string, importer: string): ModelRef | string {
    const model = this.index.models[key];
    if (!model) return `djfix does not know the model ${key} that ${name} (${where}) names`;
    if (model.abstract) return `${name} (${where}) is an abstract model: the app registry does not hold it, so apps.get_model() cannot find it`;
    const app = appOfModule(this.index, model.module);
    if (app && !isModelsModule(model.module, app.module)) {
      return `${name} (${where}) is defined in ${model.module}, outside ${app.module}.models, which Django imports by itself: the import djfix would remove may be what registers it`;
    }
    if (app && importer === `${app.module}.models`) {
      return `${name} (${where}) is imported by ${importer}, the module Django imports to register the app's models: the import may be what registers it`;
    }
    if (app && app.label === model.app) {
      if (this.installedKnown && !app.installed) return `${name} (${where}) belongs to ${app.module}, which is not in INSTALLED_APPS, so it has no app label to look it up by`;
      const configured = app.config && app.configPath && app.label !== app.module.split('.').pop();
      const source = configured ? `the label of ${app.config!.split('.').pop()} in ${app.configPath}` : `the last part of the app's package ${app.module}`;
      const unread = this.installedKnown ? '' : '; INSTALLED_APPS is built at run time, so djfix took the label from the app';
      return { key, label: model.app, name: model.name, labelSource: `${source}${unread}` };
    }
    return { key, label: model.app, name: model.name, labelSource: `its Meta.app_label` };
  }

  /**
   * Where other modules read `name` from `module`: `from module import name`, or `alias.name` in a
   * module that imports `module` (found in its text; where the import's alias is unknown, any
   * `.name` counts, which can only hold a cut back).
   */
  private reexports(module: string, name: string): string[] {
    const places = new Set<string>();
    for (const edge of this.index.imports) {
      if (edge.from === module) continue;
      if (edge.to === module && edge.names?.some((item) => item.name === name)) places.add(`${edge.path}:${edge.line}`);
      const locals = this.localNamesOf(module, edge);
      if (locals === undefined) continue;
      const text = this.files.readText(edge.path) ?? '';
      const pattern = locals.length > 0 ? `(?<![\\w.])(?:${locals.map(escapeRegExp).join('|')})\\.${name}(?!\\w)` : `\\.${name}(?!\\w)`;
      const match = new RegExp(pattern).exec(text);
      if (match) places.add(`${edge.path}:${text.slice(0, match.index).split('\n').length}`);
    }
    return [...places];
  }

  /** The names `edge` binds to `module` in its file (`[]`: unknown), or undefined when it does not import it as a module. */
  private localNamesOf(module: string, edge: ProjectIndex['imports'][number]): string[] | undefined {
    if (edge.to === module && !edge.names) {
      const aliases = Object.entries(this.index.bindings[edge.from] ?? {}).filter(([local, target]) => target === module && local !== module.split('.')[0]).map(([local]) => local);
      return edge.scope === 'function' && aliases.length === 0 ? [] : [module, ...aliases];
    }
    const item = edge.names?.find((candidate) => `${edge.to}.${candidate.name}` === module);
    return item ? [item.alias ?? item.name] : undefined;
  }

  /** Whether `module.name` is called (or applied as a decorator) by a module imported before the app registry is ready. */
  private calledAtImportTime(module: string, name: string): boolean {
    const importers = [module, ...this.index.imports.filter((edge) => edge.scope === 'module' && (edge.to === module || edge.names?.some((item) => `${edge.to}.${item.name}` === module))).map((edge) => edge.from)];
    for (const importer of new Set(importers)) {
      if (this.importedDuringSetup && !this.importedDuringSetup.has(importer)) continue;
      const path = this.index.modules[importer];
      const text = path === undefined ? undefined : this.files.readText(path);
      if (!text?.includes(name)) continue;
      if (!this.callees.has(importer)) {
        const bindings = this.index.bindings[importer] ?? {};
        this.callees.set(importer, new Set(importTimeCalls(parsePython(text)).map((callee) => {
          const [head, ...rest] = callee.split('.');
          return bindings[head] ? [bindings[head], ...rest].join('.') : `${importer}.${callee}`;
        })));
      }
      if (this.callees.get(importer)!.has(`${module}.${name}`)) return true;
    }
    return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `app.models`, or a module of the `app.models` package: Django imports these for every installed app. */
function isModelsModule(module: string, app: string): boolean {
  return module === `${app}.models` || module.startsWith(`${app}.models.`);
}
