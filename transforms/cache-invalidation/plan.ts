// The project-wide plan, computed once per index: every cache key written in the project resolved
// to the model whose saves and deletes must delete it, which of them existing code already deletes,
// and, per app, the keys its signals module must delete. Per-file analysis reads its part of it.
import { parsePython } from '../../src/parse';
import { appOfModule, settingSureItems } from '../../src/project/index';
import type { AppInfo, ProjectIndex } from '../../src/project/index';
import { canonicalKey } from './canonical';
import type { CacheFileFacts, ClassRef, DeleterFact, HelperFact, WriteFact } from './facts';
import { keyHelpers } from './helpers';
import { short } from './origins';
import { factsOf, HelperSource, ID, resolveModelRef } from './resolve';
import { planInstanceKey } from './plan-key';

export interface WriteRef {
  path: string;
  line: number;
  column: number;
  function?: string;
  method: string;
}

/** A module-level name a key uses, imported where the receiver lives: `from module import name`. */
export interface NameImport {
  name: string;
  module: string;
  imported: string;
}

export interface PlannedKey {
  /** The key as the receiver builds it from `instance`. */
  text: string;
  canonical: string;
  alias: string;
  /** The model whose post_save/post_delete must delete the key. */
  model: string;
  write: WriteRef;
  /** The key as the writer wrote it. */
  source: string;
  /** Where the writer's instance comes from: `product = Product.objects.get(pk=product_id)`. */
  instanceHow: string;
  names: NameImport[];
  /** For a key about another model whose cached data comes from this one: that model and the ForeignKey. */
  via?: { keyModel: string; field: string; how: string };
  /** Limits the reviewer should know about. */
  caveats: string[];
}

export interface Issue {
  write: WriteRef;
  code: string;
  message: string;
  notFixed: string;
}

export interface AppPlan {
  app: AppInfo;
  /** The app's directory, where a new apps.py goes. */
  appDir: string;
  /** Path of the app's receivers module, `signals` unless configured (it may not exist yet). */
  signalsPath: string;
  signalsModule: string;
  /** The package a dotted receivers module would go in, when it does not exist: djfix does not create packages. */
  missingPackage?: string;
  /** Keys no receiver deletes yet: receivers for them go in the signals module. */
  missing: PlannedKey[];
  /** Keys only the receivers already in the signals module delete: the module must be imported for them to run. */
  inSignals: PlannedKey[];
}

export interface CachePlan {
  /** The `receivers-module` option: where, inside each app, the receivers go. */
  receiversModule: string;
  apps: Map<string, AppPlan>;
  issues: Map<string, Issue[]>;
  /** Every key resolved to a model (deleted already or not), by that model: for bulk-operation reports. */
  cached: Map<string, PlannedKey[]>;
  /** Whether the module is imported by something Django loads. */
  isImported(module: string): boolean;
}

const plans = new WeakMap<ProjectIndex, Map<string, CachePlan>>();

/** `readText` reads key helpers from modules that do not mention a cache (and so have no facts). */
export function cachePlan(index: ProjectIndex, readText: (path: string) => string | undefined, receiversModule: string): CachePlan {
  let byModule = plans.get(index);
  if (!byModule) plans.set(index, (byModule = new Map()));
  let plan = byModule.get(receiversModule);
  if (!plan) {
    plan = buildPlan(index, helperSource(index, readText), receiversModule);
    byModule.set(receiversModule, plan);
  }
  return plan;
}

export function writeLabel(write: WriteRef): string {
  return `${write.path}:${write.line}${write.function ? ` (${write.function}())` : ''}`;
}

const canonicals = new Map<string, string>();

/** The canonical form of a key the receiver builds from `instance`. */
export function canonicalOfText(text: string): string {
  let canonical = canonicals.get(text);
  if (canonical === undefined) {
    const expression = parsePython(text).rootNode.firstNamedChild?.firstNamedChild;
    canonical = expression ? canonicalKey(expression, 'instance') : text;
    canonicals.set(text, canonical);
  }
  return canonical;
}

function helperSource(index: ProjectIndex, readText: (path: string) => string | undefined): HelperSource {
  const loaded = new Map<string, HelperFact[]>();
  return (path) => {
    const collected = factsOf(index, path)?.helpers;
    if (collected) return collected;
    let helpers = loaded.get(path);
    if (!helpers) {
      const text = readText(path);
      helpers = text === undefined ? [] : keyHelpers(parsePython(text).rootNode);
      loaded.set(path, helpers);
    }
    return helpers;
  };
}

function buildPlan(index: ProjectIndex, helpersAt: HelperSource, receiversModule: string): CachePlan {
  const importedModules = importedSet(index);
  // Django imports every app's models and apps modules itself.
  const isImported = (module: string) => /(^|\.)(models|apps)$/.test(module) || importedModules.has(module);
  const plan: CachePlan = { receiversModule, apps: new Map(), issues: new Map(), cached: new Map(), isImported };
  const deleters = resolveDeleters(index, isImported);
  for (const [path, value] of Object.entries(index.extra[ID] ?? {})) {
    const entry = index.files[path];
    if (!entry || entry.role === 'test' || entry.role === 'migration') continue;
    const facts = value as CacheFileFacts;
    for (const write of facts.writes) planWrite(index, plan, deleters, helpersAt, path, entry.module, facts, write);
  }
  return plan;
}

function planWrite(index: ProjectIndex, plan: CachePlan, deleters: ResolvedDeleter[], helpersAt: HelperSource, path: string, module: string, facts: CacheFileFacts, write: WriteFact): void {
  const ref: WriteRef = { path, line: write.line, column: write.column, function: write.function, method: write.method };
  const issue = (code: string, message: string, notFixed: string) => {
    const list = plan.issues.get(path) ?? [];
    if (!list.some((known) => known.code === code && known.message === message)) list.push({ write: ref, code, message, notFixed });
    plan.issues.set(path, list);
  };
  const where = `${writeLabel(ref)} caches under`;
  for (const { key, value } of write.entries) {
    if (key.kind === 'unresolved') {
      issue('unresolved-key', `${where} ${short(key.source)}, but djfix cannot tell which model instance the key belongs to: ${key.reason}`, 'the key is not built from one model instance djfix can follow; add a receiver that deletes it yourself if saves should clear it');
      continue;
    }
    if (key.kind === 'global') {
      issue('global-key', `${where} ${short(key.source)}, a key tied to no model instance: a receiver cannot tell which saves should clear it`, 'a global key is not tied to one instance; decide yourself which changes should delete it');
      continue;
    }
    const planned = planInstanceKey(index, module, facts, key, value, write.cache, ref, helpersAt);
    for (const problem of planned.issues) issue(problem.code, `${where} ${short(key.source)}: ${problem.message}`, problem.notFixed);
    if (planned.keys.length === 0) continue;
    if (write.cache.alias === undefined) {
      issue('cache-alias', `${where} ${short(key.source)} in ${write.cache.text}, whose cache alias djfix cannot tell`, 'a receiver must delete the key in the same cache; name the alias with a string literal');
      continue;
    }
    for (const receiverKey of planned.keys) {
      const list = plan.cached.get(receiverKey.model) ?? [];
      list.push(receiverKey);
      plan.cached.set(receiverKey.model, list);
    }
    const app = appOfModule(index, module);
    if (!app || !app.installed) {
      const why = settingSureItems(index, 'INSTALLED_APPS') === undefined ? 'djfix cannot read INSTALLED_APPS as one literal list, so it cannot tell which app' : `${path} is not in an app listed in INSTALLED_APPS, so there is no app whose`;
      issue('no-app', `${where} ${short(key.source)}, but ${why} AppConfig.ready() would connect the receivers`, 'djfix puts receivers in the signals module of an installed app that writes the cache');
      continue;
    }
    const appPlan = appPlanFor(index, plan, app);
    for (const receiverKey of planned.keys) {
      const coverage = coverageOf(receiverKey, deleters, appPlan.signalsPath);
      if (coverage.kind === 'none') addOnce(appPlan.missing, receiverKey);
      else if (coverage.kind === 'in-signals') addOnce(appPlan.inSignals, receiverKey);
      else if ('message' in coverage) issue(coverage.kind, `${where} ${short(key.source)}: ${coverage.message}`, coverage.notFixed);
    }
  }
}

function addOnce(list: PlannedKey[], key: PlannedKey): void {
  if (!list.some((known) => known.model === key.model && known.alias === key.alias && known.canonical === key.canonical && known.write.path === key.write.path && known.write.line === key.write.line)) list.push(key);
}

function appPlanFor(index: ProjectIndex, plan: CachePlan, app: AppInfo): AppPlan {
  let appPlan = plan.apps.get(app.module);
  if (!appPlan) {
    const signalsModule = `${app.module}.${plan.receiversModule}`;
    const packagePath = index.modules[app.module];
    const appDir = packagePath ? packagePath.replace(/(^|\/)__init__\.py$/, '') : app.module.replace(/\./g, '/');
    const signalsPath = index.modules[signalsModule] ?? `${appDir ? `${appDir}/` : ''}${plan.receiversModule.replace(/\./g, '/')}.py`;
    const parentPackage = signalsModule.split('.').slice(0, -1).join('.');
    const missingPackage = parentPackage !== app.module && index.modules[parentPackage] === undefined ? parentPackage : undefined;
    appPlan = { app, appDir, signalsPath, signalsModule, ...(missingPackage ? { missingPackage } : {}), missing: [], inSignals: [] };
    plan.apps.set(app.module, appPlan);
  }
  return appPlan;
}

/** Modules some non-test module imports (anywhere in it: `ready()` imports are function-level). */
function importedSet(index: ProjectIndex): Set<string> {
  const imported = new Set<string>();
  for (const edge of index.imports) {
    const role = index.files[edge.path]?.role;
    if (role === 'test' || role === 'migration') continue;
    if (edge.to !== edge.from) imported.add(edge.to);
    for (const name of edge.names ?? []) imported.add(`${edge.to}.${name.name}`);
  }
  return imported;
}

interface ResolvedDeleter {
  path: string;
  module: string;
  fact: DeleterFact;
  /** The model signals it runs on: `any` without a sender, `unknown` for a sender djfix cannot resolve. */
  signals: Array<{ signal: string; model: string }>;
  wired: boolean;
}

function resolveDeleters(index: ProjectIndex, isImported: (module: string) => boolean): ResolvedDeleter[] {
  const all = Object.entries(index.extra[ID] ?? {}).filter(([path]) => index.files[path] && index.files[path].role !== 'test' && index.files[path].role !== 'migration');
  const connects = all.flatMap(([path, facts]) => (facts as CacheFileFacts).connects.map((connect) => ({ path, connect })));
  const resolved: ResolvedDeleter[] = [];
  for (const [path, value] of all) {
    const facts = value as CacheFileFacts;
    const module = index.files[path].module;
    for (const fact of facts.deleters) {
      const senderModel = (sender: ClassRef | undefined, from: string, fromFacts: CacheFileFacts | undefined) =>
        sender ? resolveSender(index, from, sender, fromFacts) : 'any';
      const signals = fact.signals.map((item) => ({ signal: item.signal, model: senderModel(item.sender, module, facts) }));
      const method = fact.name.split('.').pop()!;
      if (fact.className && (method === 'save' || method === 'delete')) {
        const model = index.modelClasses[`${module}.${fact.className}`];
        if (model) signals.push({ signal: method === 'save' ? 'post_save' : 'post_delete', model });
      }
      for (const { path: connectPath, connect } of connects) {
        if (connect.receiver.split('.').pop() !== method) continue;
        const connectModule = index.files[connectPath].module;
        signals.push({ signal: connect.signal, model: senderModel(connect.sender, connectModule, factsOf(index, connectPath)) });
      }
      resolved.push({ path, module, fact, signals, wired: fact.className !== undefined || isImported(module) });
    }
  }
  return resolved;
}

function resolveSender(index: ProjectIndex, module: string, sender: ClassRef, facts: CacheFileFacts | undefined): string {
  return resolveModelRef(index, module, sender, facts) ?? 'unknown';
}

type Coverage =
  | { kind: 'none' | 'covered' | 'in-signals' }
  | { kind: 'partial-receiver' | 'unwired-receiver'; message: string; notFixed: string };

function coverageOf(key: PlannedKey, deleters: ResolvedDeleter[], signalsPath: string): Coverage {
  const matching = deleters.filter((deleter) => deleter.fact.deletes.some((item) => item.cache.alias === key.alias && item.canonical === key.canonical));
  if (matching.length === 0) return { kind: 'none' };
  const runsOn = (pattern: RegExp) => matching.some((deleter) => deleter.signals.some((item) => pattern.test(item.signal) && (item.model === key.model || item.model === 'any' || item.model === 'unknown')));
  const onSave = runsOn(/^(pre|post)_save$/);
  const onDelete = runsOn(/^(pre|post)_delete$/);
  const where = matching.map((deleter) => `${deleter.fact.name}() at ${deleter.path}:${deleter.fact.line}`).join(', ');
  if (!onSave && !onDelete) return { kind: 'none' };
  if (!onSave || !onDelete) {
    const missing = onSave ? 'deleted' : 'saved';
    return {
      kind: 'partial-receiver',
      message: `${where} already deletes this key, but only when a ${key.model} is ${onSave ? 'saved' : 'deleted'}; after one is ${missing} the key keeps stale data`,
      notFixed: `djfix does not change a receiver it did not write; connect ${where.split('()')[0]}() to ${onSave ? 'post_delete' : 'post_save'} as well`,
    };
  }
  if (matching.every((deleter) => deleter.path === signalsPath)) return { kind: 'in-signals' };
  const unwired = matching.filter((deleter) => !deleter.wired && deleter.path !== signalsPath);
  if (unwired.length === matching.length) {
    return {
      kind: 'unwired-receiver',
      message: `${where} deletes this key, but nothing imports ${unwired.map((deleter) => deleter.module).join(', ')}, so the receiver is never connected`,
      notFixed: `djfix only wires the signals module of the app that writes the cache; import ${unwired[0].module} in its AppConfig.ready()`,
    };
  }
  return { kind: 'covered' };
}
