// cache-invalidation: wherever the project caches data under a key built from a model instance,
// receivers in the writing app's signals module delete that key when the instance is saved or
// deleted, and the app's AppConfig.ready() imports the module so they run. Keys djfix cannot rebuild
// exactly, and bulk queryset operations that bypass signals, are reported, never edited.
import type { Change, FileChange, Finding, TextEdit } from '../../src/model';
import { parsePython, query } from '../../src/parse';
import { appOfModule } from '../../src/project/index';
import type { ProjectIndex } from '../../src/project/index';
import type { AnalysisContext, ParsedFile, Transform } from '../types';
import { collectCacheFacts } from './collect';
import type { BulkFact, CacheFileFacts } from './facts';
import { short } from './origins';
import { AppPlan, cachePlan, CachePlan, PlannedKey, writeLabel, WriteRef } from './plan';
import { signalsText, styleOf } from './render';
import { factsOf, ID, resolveOrigin } from './resolve';
import { wiringChange } from './wiring';

const SOURCES = ['docs/topics/signals.txt', 'docs/ref/signals.txt', 'docs/topics/db/transactions.txt', 'docs/topics/cache.txt', 'docs/ref/applications.txt'];
const BULK_SOURCES = ['docs/ref/models/querysets.txt', 'docs/ref/signals.txt'];

export const cacheInvalidation: Transform = {
  id: ID,
  title: 'Cached model data is deleted when the model changes',
  explanation:
    'Data cached under a key built from a model instance (cache.set(f"product:{product.pk}", ...)) stays ' +
    'in the cache after the instance is saved or deleted, so the site serves stale data until the key ' +
    'expires. djfix adds, in the signals module of the app that writes the cache, one receiver per model ' +
    'that deletes every key written for it on post_save and post_delete, with a dispatch_uid, after the ' +
    'transaction commits, in the same cache alias, with the key built exactly as the writer builds it ' +
    '(reusing its key helper). Keys whose data comes from rows of a model with a ForeignKey to the key\'s ' +
    'model get a receiver on that model too. The app\'s AppConfig.ready() imports the signals module ' +
    '(djfix adds ready(), or apps.py, when missing). Keys it cannot rebuild exactly, global keys, and ' +
    'QuerySet.update()/bulk_create()/bulk_update() on cached models (they send no signals) are reported.',
  rules: [
    { id: 'receivers-connected-in-ready', text: "Receivers live in the app's signals module, imported from AppConfig.ready(); a module nothing imports never connects its receivers. dispatch_uid keeps ready() running twice from connecting them twice.", sources: ['docs/topics/signals.txt', 'docs/ref/applications.txt'] },
    { id: 'delete-on-commit', text: 'Keys are deleted in transaction.on_commit(), so another request cannot cache the old rows again before the change is committed.', sources: ['docs/topics/db/transactions.txt'] },
    { id: 'keys-built-in-receiver', text: "The keys are built in the receiver itself: after a delete, Django sets instance.pk to None before on_commit callbacks of an outer transaction run.", sources: ['django/db/models/deletion.py'] },
    { id: 'same-key-same-cache', text: 'The receiver deletes the key the writer builds, from the same cache alias.', sources: ['docs/topics/cache.txt'] },
    { id: 'bulk-operations-send-no-signals', text: 'QuerySet.update(), bulk_create() and bulk_update() send no post_save: caches of the rows they change stay stale.', sources: ['docs/ref/models/querysets.txt'] },
  ],
  mayApply: (file, index) => {
    if (file.role === 'migration' || file.role === 'test') return false;
    const facts = factsOf(index, file.path);
    return facts !== undefined && (facts.writes.length > 0 || facts.bulk.length > 0);
  },
  collect: collectCacheFacts,
  analyze,
};

function analyze({ file, index, readText }: AnalysisContext): Finding[] {
  const facts = factsOf(index, file.path);
  if (!facts) return [];
  const plan = cachePlan(index, readText);
  const findings: Finding[] = [];
  for (const issue of plan.issues.get(file.path) ?? []) {
    findings.push(finding(file, issue.code, issue.write, issue.message, { notFixed: issue.notFixed, sources: SOURCES }));
  }
  const app = appOfModule(index, file.module);
  const appPlan = app && plan.apps.get(app.module);
  if (appPlan) {
    const fixed = appFinding(file, index, plan, appPlan, readText);
    if (fixed) findings.push(fixed);
  }
  findings.push(...bulkFindings(file, facts, index, plan));
  return findings;
}

function finding(file: ParsedFile, code: string, at: { line: number; column: number }, message: string, extra: Partial<Finding>): Finding {
  return { transform: ID, code, location: { path: file.path, line: at.line, column: at.column }, message, ...extra };
}

/**
 * The fix for the app this file belongs to, carried by every file whose keys it covers: receivers for
 * all of the app's missing keys, and the wiring. Several files may offer it; once one is applied, the
 * others are analysed again and find nothing left to do.
 */
function appFinding(file: ParsedFile, index: ProjectIndex, plan: CachePlan, appPlan: AppPlan, readText: (path: string) => string | undefined): Finding | undefined {
  const wired = plan.isImported(appPlan.signalsModule);
  const mine = appPlan.missing.filter((key) => key.write.path === file.path);
  const waiting = wired ? [] : appPlan.inSignals.filter((key) => key.write.path === file.path);
  if (mine.length === 0 && waiting.length === 0) return undefined;
  const first = [...mine, ...waiting].sort((a, b) => a.write.line - b.write.line || a.write.column - b.write.column)[0].write;
  const files: FileChange[] = [];
  let receiversText = '';
  const problem = (reason: string, message: string) => finding(file, 'stale-cache', first, message, { notFixed: reason, sources: SOURCES });
  const described = appPlan.missing.length > 0 ? `Cached model data is never deleted when the model changes: ${describeKeys(appPlan.missing)}.` : `Cached model data is deleted by receivers that never run: ${describeKeys(waiting)} ${waiting.length === 1 ? 'is' : 'are'} deleted by receivers in ${appPlan.signalsPath}, but nothing imports that module, so Django never connects them.`;
  if (appPlan.missing.length > 0) {
    const existing = readText(appPlan.signalsPath);
    const styleSource = existing ?? readText(appPlan.missing.map((key) => key.write.path).sort()[0]) ?? file.text;
    const style = styleOf(styleSource, parsePython(styleSource));
    const result = signalsText(index, appPlan, existing, style);
    if ('reason' in result) return problem(result.reason, `${described} djfix would add receivers to ${appPlan.signalsPath}, but ${result.reason}.`);
    const importers = existing === undefined ? [] : moduleLevelImporters(index, appPlan.signalsModule);
    if (importers.length > 0 && result.newProjectImports.length > 0) {
      const reason = `${appPlan.signalsPath} is imported when ${importers.join(', ')} ${importers.length === 1 ? 'is' : 'are'} imported, so importing ${result.newProjectImports.join(', ')} there could create an import cycle or import models before the app registry is ready; put the receivers in a module only AppConfig.ready() imports`;
      return problem(reason, `${described} djfix would add receivers to ${appPlan.signalsPath}, but that module is imported at module level elsewhere.`);
    }
    files.push(existing === undefined ? { path: appPlan.signalsPath, kind: 'create', text: result.text } : { path: appPlan.signalsPath, kind: 'edit', edits: [diffEdit(existing, result.text)] });
    const names = result.receivers.map((receiver) => `${receiver.name}() for ${receiver.model}`).join(', ');
    receiversText = ` djfix adds ${result.receivers.length === 1 ? 'a receiver' : 'receivers'} to ${appPlan.signalsPath}${existing === undefined ? ' (a new module)' : ''}: ${names}, on post_save and post_delete, deleting the keys from the same cache once the transaction commits.`;
  }
  let wiringText = '';
  if (!wired) {
    const signalsStyleSource = readText(appPlan.signalsPath) ?? file.text;
    const wiring = wiringChange(index, appPlan, readText, styleOf(signalsStyleSource, parsePython(signalsStyleSource)));
    if ('reason' in wiring) return problem(wiring.reason, `${described} Receivers in ${appPlan.signalsPath} would never run: nothing imports it, and ${wiring.reason}.`);
    files.push(...wiring.files);
    wiringText = ` So that ${appPlan.signalsPath} is imported and its receivers connected, djfix ${wiring.description}.`;
    const dormant = receiverNames(readText(appPlan.signalsPath));
    if (dormant.length > 0) wiringText += ` Importing it connects every receiver already in ${appPlan.signalsPath} (${dormant.map((name) => `${name}()`).join(', ')}), which never ran before: check that they should.`;
  }
  const caveats = [...new Set([...mine, ...waiting, ...appPlan.missing].flatMap((key) => key.caveats))];
  const change: Change = { safety: 'review', files };
  const stale = appPlan.missing.length > 0 ? ' Until the keys expire, the cache serves the data as it was before each save or delete.' : '';
  const message = `${described}${stale}${receiversText}${wiringText}${caveats.length > 0 ? ` Limits: ${caveats.join('; ')}.` : ''}`;
  return finding(file, 'stale-cache', first, message, { sources: SOURCES, change });
}

/** Non-test modules that import `module` at module level (so it is loaded whenever they are). */
function moduleLevelImporters(index: ProjectIndex, module: string): string[] {
  const parent = module.split('.').slice(0, -1).join('.');
  const last = module.split('.').pop()!;
  const importers = index.imports.filter((edge) => {
    const role = index.files[edge.path]?.role;
    if (edge.scope !== 'module' || role === 'test' || role === 'migration' || edge.from === module) return false;
    return edge.to === module || edge.to.startsWith(`${module}.`) || (edge.to === parent && (edge.names ?? []).some((name) => name.name === last));
  });
  return [...new Set(importers.map((edge) => edge.path))].sort();
}

const RECEIVERS = query(`(decorated_definition
  (decorator [(call function: [(identifier) (attribute)] @decorator) (identifier) @decorator (attribute) @decorator])
  definition: (function_definition name: (identifier) @name))`);

/** Functions of a module decorated with `@receiver(...)`. */
function receiverNames(text: string | undefined): string[] {
  if (text === undefined) return [];
  const names = new Set<string>();
  for (const match of RECEIVERS.matches(parsePython(text).rootNode)) {
    const decorator = match.captures.find((capture) => capture.name === 'decorator')!.node.text;
    if (/(^|\.)receiver$/.test(decorator)) names.add(match.captures.find((capture) => capture.name === 'name')!.node.text);
  }
  return [...names];
}

/** Each key: where it is written, from which model's instance, and which related rows its data comes from. */
function describeKeys(keys: PlannedKey[]): string {
  const byWrite = new Map<string, PlannedKey[]>();
  for (const key of keys) {
    const id = `${key.write.path}:${key.write.line}:${key.source}`;
    byWrite.set(id, [...(byWrite.get(id) ?? []), key]);
  }
  return [...byWrite.values()]
    .map((group) => {
      const own = group.find((key) => !key.via);
      const related = group.filter((key) => key.via).map((key) => `${key.model} rows (${key.via!.how})`);
      const first = group[0];
      const from = ` (${own?.model ?? first.via!.keyModel}: ${first.instanceHow})`;
      if (!own) return `${short(first.source)} at ${writeLabel(first.write)}${from}, which holds only data of ${related.join(' and ')}: changes to those rows must delete it, while a save of the ${first.via!.keyModel} itself does not change it (so it gets no receiver)`;
      const also = related.length > 0 ? `, whose data also comes from ${related.join(' and ')}, so changes to those rows must delete it too` : '';
      return `${short(first.source)} at ${writeLabel(first.write)}${from}${also}`;
    })
    .join('; ');
}

/** One edit from the common prefix and suffix of two texts. */
export function diffEdit(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { start, end: before.length - end, text: after.slice(start, after.length - end) };
}

function bulkFindings(file: ParsedFile, facts: CacheFileFacts, index: ProjectIndex, plan: CachePlan): Finding[] {
  const findings: Finding[] = [];
  for (const bulk of facts.bulk) {
    const resolved = resolveOrigin(index, file.module, facts, bulk.target);
    if (!resolved.model) continue;
    const keys = (plan.cached.get(resolved.model) ?? []).filter((key) => bulk.method !== 'bulk_create' || key.via !== undefined);
    if (keys.length === 0) continue;
    findings.push(bulkFinding(file, bulk, resolved.model, keys));
  }
  return findings;
}

function bulkFinding(file: ParsedFile, bulk: BulkFact, model: string, keys: PlannedKey[]): Finding {
  const verb = bulk.method === 'bulk_create' ? 'adds' : 'changes';
  const listed = [...new Set(keys.map((key) => `${short(key.source)} (${writeLabel(key.write as WriteRef)})`))].join(', ');
  const message = `${bulk.text} at ${file.path}:${bulk.line} ${verb} ${model} rows without sending post_save, so no receiver deletes the cached keys built from them: ${listed}. They keep stale data until they expire.`;
  return finding(file, 'bulk-operation', bulk, message, {
    sources: BULK_SOURCES,
    notFixed: `djfix cannot tell which rows ${bulk.method}() touches; delete those keys after it, or save the instances one by one`,
  });
}
