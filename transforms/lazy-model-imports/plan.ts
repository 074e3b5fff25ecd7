// The plan for the project's import cycles, made once per index from the cycles the index holds: for
// each cycle, the fewest imports whose uses can all be made lazy and that break every cycle a lazy
// import can break, and what is left to report. Only the files whose cycle imports name a model are
// read (and their importers, where a question needs them): most files of a project are in no cycle.
// Every file computes the same plan, so each cut is made by exactly one file: the one that imports.
import { stringItems } from '../../src/facts';
import { parsePython } from '../../src/parse';
import { cyclesOf, ImportCycle, ImportTimeEdge, importCycles, importTargets, shortestCycle } from '../../src/project/cycles';
import { appOfModule, resolveClass, settingLiteral } from '../../src/project/index';
import type { ProjectIndex } from '../../src/project/index';
import { resolveImportModule } from '../../src/project/modules';
import { blockedText, problemText } from './messages';
import { BindingSummary, FileSummary, summarize, UseSummary } from './summary';
import { importTimeCalls } from './uses';

export const ID = 'lazy-model-imports';

/** Searching every set of cuts is exact; past this many candidates a greedy choice is made instead. */
const MAX_EXACT_CANDIDATES = 12;
const MAX_EXACT_CUTS = 4;
/** Chains shown per cycle: every edge of a component lies on one, but a huge component needs a limit. */
const MAX_CHAINS = 6;

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
}

/** All the import-time imports of one module from another. */
export interface Dependency {
  from: string;
  to: string;
  path: string;
  edges: ImportTimeEdge[];
  bindings: BindingSummary[];
  /** Some binding imports a model, or a module of models. */
  modelish: boolean;
  /** Set when every binding can be made lazy: then this dependency can be cut. */
  lazy?: LazyBinding[];
  /** Why it cannot, each with its file:line. */
  reasons: string[];
  /** Edits a cut makes: fewer is preferred. */
  cost: number;
}

export interface Cut {
  dependency: Dependency;
  /** Shortest cycles through the cut import, in the cycle as found. */
  chains: ImportTimeEdge[][];
  cycle: ImportCycle;
}

export interface CycleReport {
  path: string;
  line: number;
  /** The cycle left after the cuts (the whole cycle when nothing could be cut). */
  cycle: ImportCycle;
  chains: ImportTimeEdge[][];
  dependencies: Dependency[];
}

export interface Plan {
  cuts: Cut[];
  reports: CycleReport[];
}

/** A project file's text, as djfix currently sees it. */
export type ReadText = (path: string) => string | undefined;

const memo = new WeakMap<ProjectIndex, Plan>();

/** The plan for the index; `readText` gives the texts the index was built from, so any caller gets the same plan. */
export function planFor(index: ProjectIndex, readText: ReadText): Plan {
  let plan = memo.get(index);
  if (!plan) {
    plan = buildPlan(index, readText);
    memo.set(index, plan);
  }
  return plan;
}

const inCycles = new WeakMap<ProjectIndex, Set<string>>();

/** Whether a module takes part in an import cycle: the only modules the plan can concern. */
export function inImportCycle(index: ProjectIndex, module: string): boolean {
  let modules = inCycles.get(index);
  if (!modules) {
    modules = new Set(importCycles(index).flatMap((cycle) => cycle.modules));
    inCycles.set(index, modules);
  }
  return modules.has(module);
}

function buildPlan(index: ProjectIndex, readText: ReadText): Plan {
  const plan: Plan = { cuts: [], reports: [] };
  const cycles = importCycles(index);
  if (cycles.length === 0) return plan;
  const judge = new Judge(index, readText);
  for (const cycle of cycles) {
    const dependencies = judge.dependencies(cycle);
    const cuts = chooseCuts(cycle, dependencies);
    for (const dependency of cuts) plan.cuts.push({ dependency, chains: [shortestCycle(cycle.edges, dependency.edges[0])!], cycle });
    for (const group of cyclesOf(remainingEdges(cycle, dependencies, new Set(cuts)))) {
      const inGroup = dependencies.filter((dependency) => !cuts.includes(dependency) && group.modules.includes(dependency.from) && group.modules.includes(dependency.to));
      const anchor = inGroup.find((dependency) => dependency.modelish)?.edges[0] ?? group.edges[0];
      plan.reports.push({ path: anchor.path, line: anchor.line, cycle: group, chains: chainsOf(group, anchor), dependencies: inGroup });
    }
  }
  return plan;
}

/** The shortest cycle through each edge of a group, the anchor's first, without repeats. */
function chainsOf(group: ImportCycle, anchor: ImportTimeEdge): ImportTimeEdge[][] {
  const chains: ImportTimeEdge[][] = [];
  const seen = new Set<string>();
  for (const edge of [anchor, ...group.edges]) {
    if (chains.length >= MAX_CHAINS) break;
    const chain = shortestCycle(group.edges, edge);
    const key = chain?.map((step) => `${step.from}>${step.to}`).sort().join('|');
    if (!chain || !key || seen.has(key)) continue;
    seen.add(key);
    chains.push(chain);
  }
  return chains;
}

/**
 * The cheapest smallest set of cuttable dependencies after which no cuttable dependency is still on a
 * cycle: every cycle a lazy import can break is broken, with no more cuts than that needs.
 */
export function chooseCuts(cycle: ImportCycle, dependencies: Dependency[]): Dependency[] {
  const candidates = dependencies.filter((dependency) => dependency.lazy).sort(byCostThenPlace);
  const leftOnCycles = (cut: Set<Dependency>) => {
    const groups = cyclesOf(remainingEdges(cycle, dependencies, cut));
    const groupOf = new Map(groups.flatMap((group, i) => group.modules.map((module) => [module, i] as const)));
    return candidates.filter((candidate) => !cut.has(candidate) && groupOf.has(candidate.from) && groupOf.get(candidate.from) === groupOf.get(candidate.to)).length;
  };
  if (candidates.length === 0) return [];
  if (candidates.length <= MAX_EXACT_CANDIDATES) {
    for (let size = 1; size <= Math.min(MAX_EXACT_CUTS, candidates.length); size++) {
      let best: Dependency[] | undefined;
      for (const combination of combinations(candidates, size)) {
        if (leftOnCycles(new Set(combination)) === 0 && (!best || totalCost(combination) < totalCost(best))) best = combination;
      }
      if (best) return best;
    }
  }
  const chosen = new Set<Dependency>();
  for (let left = leftOnCycles(chosen); left > 0; left = leftOnCycles(chosen)) {
    let best: { dependency: Dependency; left: number } | undefined;
    for (const candidate of candidates) {
      if (chosen.has(candidate)) continue;
      const after = leftOnCycles(new Set([...chosen, candidate]));
      if (!best || after < best.left) best = { dependency: candidate, left: after };
    }
    if (!best || best.left >= left) break;
    chosen.add(best.dependency);
  }
  return [...chosen];
}

/** `app.models`, or a module of the `app.models` package: Django imports these for every installed app. */
function isModelsModule(module: string, app: string): boolean {
  return module === `${app}.models` || module.startsWith(`${app}.models.`);
}

function* combinations<T>(items: T[], size: number, start = 0): Generator<T[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= items.length - size; i++) {
    for (const rest of combinations(items, size - 1, i + 1)) yield [items[i], ...rest];
  }
}

function totalCost(dependencies: Dependency[]): number {
  return dependencies.reduce((sum, dependency) => sum + dependency.cost, 0);
}

function byCostThenPlace(a: Dependency, b: Dependency): number {
  return a.cost - b.cost || a.path.localeCompare(b.path) || a.edges[0].line - b.edges[0].line;
}

/** The cycle's edges left once the bindings of `cut` are lazy: an edge stays while any binding still makes it. */
function remainingEdges(cycle: ImportCycle, dependencies: Dependency[], cut: Set<Dependency>): ImportTimeEdge[] {
  const removed = new Set([...cut].flatMap((dependency) => dependency.bindings));
  const gone = new Set<string>();
  for (const dependency of dependencies) {
    if (dependency.bindings.length > 0 && dependency.bindings.every((binding) => removed.has(binding))) gone.add(`${dependency.from}\0${dependency.to}`);
  }
  return cycle.edges.filter((edge) => !gone.has(`${edge.from}\0${edge.to}`));
}

interface Verdict {
  modelish: boolean;
  reasons: string[];
  lazy?: LazyBinding;
  cost: number;
}

/** Judges whether the imports of a cycle can be made lazy, with what it needs from the whole project computed once. */
class Judge {
  private readonly summaries = new Map<string, FileSummary | undefined>();
  private readonly callees = new Map<string, Set<string>>();
  private readonly modelModules: Set<string>;
  private readonly installedKnown: boolean;

  constructor(private readonly index: ProjectIndex, private readonly readText: ReadText) {
    const installed = settingLiteral(index, 'INSTALLED_APPS');
    this.installedKnown = installed !== undefined && stringItems(installed) !== undefined;
    this.modelModules = new Set(Object.keys(index.modelClasses).map((qualified) => qualified.slice(0, qualified.lastIndexOf('.'))));
  }

  /** A file's bindings and their uses, read and parsed the first time they are asked for. */
  private summaryOf(path: string): FileSummary | undefined {
    if (!this.summaries.has(path)) {
      const text = this.readText(path);
      this.summaries.set(path, text === undefined ? undefined : summarize(parsePython(text), text));
    }
    return this.summaries.get(path);
  }

  dependencies(cycle: ImportCycle): Dependency[] {
    const byPair = new Map<string, Dependency>();
    for (const edge of cycle.edges) {
      const key = `${edge.from}\0${edge.to}`;
      const dependency = byPair.get(key) ?? { from: edge.from, to: edge.to, path: edge.path, edges: [], bindings: [], modelish: false, reasons: [], cost: 0 };
      dependency.edges.push(edge);
      byPair.set(key, dependency);
    }
    // A file is read when one of its imports in the cycle may bring in a model; all of its imports
    // in the cycle then know their bindings, so that a cut removes every edge it takes away.
    for (const module of cycle.modules) {
      const path = this.index.modules[module];
      const outgoing = [...byPair.values()].filter((dependency) => dependency.from === module);
      if (!outgoing.some((dependency) => this.mayImportModels(dependency))) continue;
      for (const binding of this.summaryOf(path)?.bindings ?? []) {
        for (const target of this.targets(binding, module)) byPair.get(`${module}\0${target}`)?.bindings.push(binding);
      }
    }
    const dependencies = [...byPair.values()];
    for (const dependency of dependencies) this.judge(dependency);
    return dependencies;
  }

  /** From the index alone: whether the imports of a dependency name a model, or a module that defines or re-exports one. */
  private mayImportModels(dependency: Dependency): boolean {
    const lines = new Set(dependency.edges.map((edge) => edge.line));
    return this.index.imports.some((edge) => {
      if (edge.from !== dependency.from || edge.scope !== 'module' || !lines.has(edge.line)) return false;
      if (!edge.names) return this.modelModules.has(dependency.to);
      return edge.names.some(({ name }) => {
        const qualified = `${edge.to}.${name}`;
        return qualified === dependency.to ? this.modelModules.has(qualified) : this.index.modelClasses[resolveClass(this.index, qualified)] !== undefined;
      });
    });
  }

  private targets(binding: BindingSummary, module: string): string[] {
    const resolved = this.resolved(binding, module);
    if (!resolved) return [];
    return importTargets(this.index, resolved, binding.name !== undefined ? [{ name: binding.name }] : undefined);
  }

  private resolved(binding: BindingSummary, module: string): string | undefined {
    const path = this.index.modules[module];
    return resolveImportModule(binding, module, this.index.files[path]?.isPackage ?? false);
  }

  private judge(dependency: Dependency): void {
    if (dependency.bindings.length === 0) return;
    const verdicts = dependency.bindings.map((binding) => this.judgeBinding(binding, dependency));
    dependency.modelish = verdicts.some((verdict) => verdict.modelish);
    dependency.reasons = verdicts.flatMap((verdict) => verdict.reasons);
    dependency.cost = verdicts.reduce((sum, verdict) => sum + verdict.cost, 0);
    if (this.index.files[dependency.path]?.role === 'migration') dependency.reasons.push(`${dependency.path} is a migration, which djfix does not edit`);
    if (dependency.modelish && dependency.reasons.length === 0) dependency.lazy = verdicts.map((verdict) => verdict.lazy!);
  }

  private judgeBinding(binding: BindingSummary, dependency: Dependency): Verdict {
    const where = (line: number) => `${dependency.path}:${line}`;
    const reasons = binding.problems.map((problem) => problemText(problem, binding.local, where(problem.line)));
    if (!binding.topLevel) reasons.push(`the import at ${where(binding.line)} is inside a block (try, if, class); djfix only edits imports at the top level of a module`);
    const asModule = binding.dotted !== undefined || `${this.resolved(binding, dependency.from)}.${binding.name}` === dependency.to;
    const models: Record<string, ModelRef> = {};
    let modelish = false;
    let cost = 1;
    const judgeUses = (name: string, summary: UseSummary) => {
      reasons.push(...this.useReasons(name, summary, dependency));
      cost += summary.function + summary.relation + summary.annotation;
    };
    if (!asModule) {
      const key = this.index.modelClasses[resolveClass(this.index, `${dependency.to}.${binding.name}`)];
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
        const key = this.index.modelClasses[resolveClass(this.index, `${dependency.to}.${member}`)];
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
    return { modelish, reasons, cost, lazy: reasons.length === 0 ? { line: binding.line, local: binding.local, kind: asModule ? 'module' : 'class', models } : undefined };
  }

  private useReasons(name: string, summary: UseSummary, dependency: Dependency): string[] {
    const reasons = summary.blocked.map((blocked) => blockedText(blocked.kind, name, `${dependency.path}:${blocked.line}`));
    if (summary.function === 0) return reasons;
    const file = this.summaryOf(dependency.path);
    if (file?.registryTaken !== undefined) {
      reasons.push(`${file.registry} is already a name in ${dependency.path}:${file.registryTaken}, so djfix cannot use it for Django's app registry to look up ${name}`);
    }
    for (const top of summary.topFunctions) {
      if (this.calledAtImportTime(dependency.from, top)) {
        reasons.push(`${top}() uses ${name} and is called while modules are imported, before the app registry is ready, where apps.get_model() fails`);
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
      const text = this.readText(edge.path) ?? '';
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

  /** Whether `module.name` is called (or applied as a decorator) while some module is imported. */
  private calledAtImportTime(module: string, name: string): boolean {
    const importers = new Set([this.index.modules[module], ...this.index.imports.filter((edge) => edge.scope === 'module' && (edge.to === module || edge.names?.some((item) => `${edge.to}.${item.name}` === module))).map((edge) => edge.path)]);
    for (const path of importers) {
      const text = path === undefined ? undefined : this.readText(path);
      if (!path || !text?.includes(name)) continue;
      if (!this.callees.has(path)) {
        const importer = this.index.files[path].module;
        const bindings = this.index.bindings[importer] ?? {};
        this.callees.set(path, new Set(importTimeCalls(parsePython(text)).map((callee) => {
          const [head, ...rest] = callee.split('.');
          return bindings[head] ? [bindings[head], ...rest].join('.') : `${importer}.${callee}`;
        })));
      }
      if (this.callees.get(path)!.has(`${module}.${name}`)) return true;
    }
    return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
