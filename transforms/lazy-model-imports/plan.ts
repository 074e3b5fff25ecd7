// The plan for the project's import cycles, made once per index: for each cycle (a strongly connected
// component of import-time imports), whether it fails when Django imports the project — during
// django.setup() (settings, apps, each app's models, in INSTALLED_APPS order), or with any of its
// modules imported first afterwards — and, if it does, the fewest imports of models to make lazy so
// that it no longer fails; what cannot be fixed, and cycles that never fail, are reported. Only the
// files whose cycle imports name a model, and those the simulation needs, are read: most are in no
// cycle. Every file computes the same plan, so each cut is made by exactly one file: the importer.
import { importCycles } from '../../src/project/cycles';
import type { ImportCycle, ImportTimeEdge } from '../../src/project/cycles';
import { shortestCycle } from '../../src/project/cycles';
import { stringItems } from '../../src/facts';
import { settingStatements } from '../../src/project/index';
import type { ProjectIndex } from '../../src/project/index';
import { Dependency, Judge } from './judge';
import { ImportFailure, ImportRun } from './simulate';
import { ProjectFiles, ProjectWorld, ReadText } from './world';
import { compareText } from '../../src/order';

export const ID = 'lazy-model-imports';

/** Searching every set of cuts is exact up to this many candidates; past it, a greedy choice is made. */
const MAX_EXACT_CANDIDATES = 10;
const MAX_EXACT_CUTS = 3;
/** Chains shown per cycle: every edge of a component lies on one, but a huge component needs a limit. */
const MAX_CHAINS = 6;

/** How an import of a cycle fails: during django.setup(), or when `entry` is imported first. */
export interface FailureStory {
  failure: ImportFailure;
  entry?: string;
}

export interface Cut {
  dependency: Dependency;
  /** Shortest cycles through the import made lazy, in the cycle as found. */
  chains: ImportTimeEdge[][];
  cycle: ImportCycle;
  /** What would still fail without this cut (with the plan's other cuts for the cycle made). */
  fixes: FailureStory;
}

export interface CycleReport {
  path: string;
  line: number;
  cycle: ImportCycle;
  chains: ImportTimeEdge[][];
  /** Undefined: the cycle does not fail. */
  failure?: FailureStory;
  dependencies: Dependency[];
}

export interface Plan {
  cuts: Cut[];
  reports: CycleReport[];
}

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
  const files = new ProjectFiles(index, readText);
  const world = new ProjectWorld(files);
  const setup = djangoSetupModules(index);
  const judge = new Judge(files, setup.length > 0 ? importedBy(world, setup) : undefined);
  for (const cycle of cycles) {
    const failure = failures(world, setup, cycle)[0];
    if (!failure) {
      plan.reports.push(report(cycle, []));
      continue;
    }
    const dependencies = judge.dependencies(cycle);
    const withLazy = (cut: Dependency[]) => world.without(cut.flatMap((dependency) => dependency.lazy.map((lazy) => ({ module: dependency.from, binding: lazy.binding }))));
    const cuts = chooseCuts(dependencies.filter((dependency) => dependency.lazy.length > 0), (cut) => failures(withLazy(cut), setup, cycle).length);
    if (cuts) {
      for (const dependency of cuts) {
        // What would still fail without this cut: the failure it is there for.
        const fixes = failures(withLazy(cuts.filter((other) => other !== dependency)), setup, cycle)[0] ?? failure;
        plan.cuts.push({ dependency, chains: [shortestCycle(cycle.edges, dependency.edges[0])!], cycle, fixes });
      }
    } else {
      plan.reports.push({ ...report(cycle, dependencies), failure });
    }
  }
  return plan;
}

function report(cycle: ImportCycle, dependencies: Dependency[]): CycleReport {
  const anchor = dependencies.find((dependency) => dependency.modelish)?.edges[0] ?? cycle.edges[0];
  return { path: anchor.path, line: anchor.line, cycle, chains: chainsOf(cycle, anchor), dependencies };
}

/**
 * The modules django.setup() imports, in order: the settings, each app's package and AppConfig
 * module, then each app's models, in INSTALLED_APPS order. None when the project has no settings
 * djfix found: nothing is known to be imported first.
 */
export function djangoSetupModules(index: ProjectIndex): string[] {
  const settings = index.settings.paths[0];
  const settingsModule = settings === undefined ? undefined : index.files[settings]?.module;
  if (settings === undefined || settingsModule === undefined) return [];
  const apps = setupApps(index, settings);
  const modules = [settingsModule, ...apps.flatMap((app) => [app.module, ...(app.configModule ? [app.configModule] : [])]), ...apps.map((app) => `${app.module}.models`)];
  return modules.filter((module, i) => index.modules[module] !== undefined && modules.indexOf(module) === i);
}

/**
 * The project's apps in the order Django sets them up: the entries of INSTALLED_APPS's first literal
 * assignment (later `.remove()`, `.append()`, `.extend()` or `+=` cannot move the entries it lists;
 * what they add comes after), else the packages with an AppConfig or models, outermost only.
 */
function setupApps(index: ProjectIndex, settings: string): Array<{ module: string; configModule?: string }> {
  const assignment = settingStatements(index, settings, 'INSTALLED_APPS')?.facts.find((fact) => fact.op === '=' && !fact.conditional);
  const entries = assignment && stringItems(assignment.value);
  const appsModule = (module: string) => (index.modules[`${module}.apps`] !== undefined ? `${module}.apps` : undefined);
  if (entries) {
    return entries.flatMap((entry) => {
      const app = index.apps.find((candidate) => candidate.module === entry || candidate.config === entry);
      if (app) return [{ module: app.module, configModule: app.config ? app.config.slice(0, app.config.lastIndexOf('.')) : appsModule(app.module) }];
      if (index.modules[entry] !== undefined) return [{ module: entry, configModule: appsModule(entry) }];
      const configModule = entry.slice(0, entry.lastIndexOf('.'));
      return index.modules[configModule] !== undefined ? [{ module: configModule.replace(/\.apps$/, ''), configModule }] : [];
    });
  }
  const definesModels = new Set(Object.values(index.models).map((model) => model.module));
  const candidates = index.apps.filter((app) => app.config || [...definesModels].some((module) => module === `${app.module}.models` || module.startsWith(`${app.module}.models.`)));
  return candidates
    .filter((app) => !candidates.some((outer) => app.module.startsWith(`${outer.module}.`)))
    .map((app) => ({ module: app.module, configModule: app.config ? app.config.slice(0, app.config.lastIndexOf('.')) : appsModule(app.module) }));
}

/** Every module importing `entries` imports, whatever fails on the way. */
function importedBy(world: ProjectWorld, entries: string[]): Set<string> {
  const run = new ImportRun(world, new Set());
  for (const entry of entries) run.import(entry);
  return new Set(run.imported());
}

/**
 * How `cycle` fails: during django.setup(), then with each of its modules imported first after it.
 * Only reads from the cycle's own half-imported modules count: other cycles fail on their own.
 */
function failures(world: ProjectWorld, setup: string[], cycle: ImportCycle): FailureStory[] {
  const run = new ImportRun(world, new Set(cycle.modules));
  const found: FailureStory[] = [];
  for (const module of setup) {
    const failure = run.import(module);
    if (failure) return [{ failure }];
  }
  for (const entry of cycle.modules) {
    const failure = run.fork().import(entry);
    if (failure) found.push({ failure, entry });
  }
  return found;
}

/** The shortest cycle through each edge of a cycle, the anchor's first, without repeats. */
function chainsOf(cycle: ImportCycle, anchor: ImportTimeEdge): ImportTimeEdge[][] {
  const chains: ImportTimeEdge[][] = [];
  const seen = new Set<string>();
  for (const edge of [anchor, ...cycle.edges]) {
    if (chains.length >= MAX_CHAINS) break;
    const chain = shortestCycle(cycle.edges, edge);
    const key = chain?.map((step) => `${step.from}>${step.to}`).sort().join('|');
    if (!chain || !key || seen.has(key)) continue;
    seen.add(key);
    chains.push(chain);
  }
  return chains;
}

/**
 * The cheapest of the smallest sets of candidates after which `remaining` counts no failure; undefined
 * when no set makes the cycle stop failing (then nothing is cut: a half fix still fails).
 */
export function chooseCuts(candidates: Dependency[], remaining: (cut: Dependency[]) => number): Dependency[] | undefined {
  const sorted = [...candidates].sort(byCostThenPlace);
  if (sorted.length <= MAX_EXACT_CANDIDATES) {
    for (let size = 1; size <= Math.min(MAX_EXACT_CUTS, sorted.length); size++) {
      let best: Dependency[] | undefined;
      for (const combination of combinations(sorted, size)) {
        if ((!best || totalCost(combination) < totalCost(best)) && remaining(combination) === 0) best = combination;
      }
      if (best) return best;
    }
  }
  const chosen: Dependency[] = [];
  for (let left = remaining(chosen); left > 0; ) {
    let best: { dependency: Dependency; left: number } | undefined;
    for (const candidate of sorted) {
      if (chosen.includes(candidate)) continue;
      const after = remaining([...chosen, candidate]);
      if (!best || after < best.left) best = { dependency: candidate, left: after };
    }
    if (!best || best.left >= left) return undefined;
    chosen.push(best.dependency);
    left = best.left;
  }
  return chosen.length > 0 ? chosen : undefined;
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
  return a.cost - b.cost || compareText(a.path, b.path) || a.edges[0].line - b.edges[0].line;
}
