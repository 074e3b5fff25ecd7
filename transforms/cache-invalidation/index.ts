// cache-invalidation: wherever the project caches data under a key built from a model instance,
// receivers in the writing app's signals module delete that key when the instance is saved or
// deleted, and the app's AppConfig.ready() imports the module so they run. Keys djfix cannot rebuild
// exactly, and bulk queryset operations that bypass signals, are reported, never edited.
import type { Finding } from '../../src/model';
import { appOfModule, ProjectIndex } from '../../src/project/index';
import type { AnalysisContext, Transform } from '../types';
import { bulkFindings } from './bulk';
import { collectBulkFacts, collectCacheFacts, mayHoldBulk } from './collect';
import type { CacheFileFacts } from './facts';
import { finding, SOURCES } from './finding';
import { appFindings } from './fix';
import { cachePlan } from './plan';
import { factsOf, ID } from './resolve';

const DEFAULT_RECEIVERS_MODULE = 'signals';

export const cacheInvalidation: Transform = {
  id: ID,
  title: 'Cached model data is deleted when the model changes',
  explanation:
    'Data cached under a key built from a model instance (cache.set(f"product:{product.pk}", ...)) stays ' +
    'in the cache after the instance is saved or deleted, so the site serves stale data until the key ' +
    'expires. djfix adds, in the signals module of the app that writes the cache (or the module named by ' +
    '`--set cache-invalidation.receivers-module=NAME`), one receiver per model ' +
    'whose data the cached value reads, deleting every such key on post_save and post_delete, with a ' +
    'dispatch_uid, after the transaction commits, in the same cache alias, with the key built exactly as ' +
    'the writer builds it (reusing its key helper). Keys whose data comes from rows of a model with a ' +
    "ForeignKey to the key's model get a receiver on that model, built from the ForeignKey's value. The " +
    "app's AppConfig.ready() imports the signals module (djfix adds ready(), or apps.py, when missing). " +
    'Keys it cannot rebuild exactly, global keys, keys an existing receiver covers only in part, and ' +
    'QuerySet.update()/bulk_create()/bulk_update() on cached models (they send no signals) are reported.',
  rules: [
    { id: 'receivers-connected-in-ready', text: "Receivers live in the app's signals module, imported from AppConfig.ready(); a module nothing imports never connects its receivers. dispatch_uid keeps ready() running twice from connecting them twice.", sources: ['docs/topics/signals.txt', 'docs/ref/applications.txt'] },
    { id: 'delete-on-commit', text: 'Keys are deleted in transaction.on_commit(), so another request cannot cache the old rows again before the change is committed.', sources: ['docs/topics/db/transactions.txt'] },
    { id: 'keys-built-in-receiver', text: 'The keys are built in the receiver itself: after a delete, Django sets instance.pk to None before on_commit callbacks of an outer transaction run.', sources: ['django/db/models/deletion.py'] },
    { id: 'same-key-same-cache', text: 'The receiver deletes the key the writer builds, from the same cache alias.', sources: ['docs/topics/cache.txt'] },
    { id: 'only-models-the-value-reads', text: "A model gets a receiver for a key only when the cached value reads its data: a count of an agent's pending actions is deleted when a pending action changes, not on every save of the agent.", sources: ['docs/ref/signals.txt'] },
    { id: 'model-data-only', text: 'Keys whose value reads no model (counters, locks, timestamps) are left alone: a save must not reset them.', sources: ['docs/topics/cache.txt'] },
    { id: 'existing-receivers', text: 'A key already deleted by a receiver (or a save()/delete() override) on both save and delete is left alone; one deleted on only one of them, or by a receiver nothing imports, is reported.', sources: ['docs/topics/signals.txt'] },
    { id: 'signals-module-imported-early', text: 'A signals module other modules import at module level is not given model imports: that could create an import cycle or load models before the app registry is ready.', sources: ['docs/ref/applications.txt'] },
    { id: 'bulk-operations-send-no-signals', text: 'QuerySet.update(), bulk_create() and bulk_update() send no post_save: caches of the rows they change stay stale.', sources: ['docs/ref/models/querysets.txt'] },
  ],
  options: [
    {
      name: 'receivers-module',
      type: 'string',
      default: DEFAULT_RECEIVERS_MODULE,
      description: 'the module, inside each app, that gets the receivers and is imported from AppConfig.ready(): a dotted name such as "signals" or "cache.receivers" (its package must exist)',
      check: (value) => receiversModuleProblem(value as string),
    },
  ],
  // Passed by files with bulk operations; files that write to a cache say so in their facts.
  screen: mayHoldBulk,
  mayApply: (file, index) => {
    if (file.role === 'migration' || file.role === 'test') return false;
    return (factsOf(index, file.path)?.writes.length ?? 0) > 0 || (file.screened && cachesInstanceKeys(index));
  },
  collect: collectCacheFacts,
  analyze,
};

/** Modules Django imports while it loads the apps: receivers there would import models too early, or import themselves. */
const LOADED_BY_DJANGO = new Set(['__init__', 'apps', 'models']);

function receiversModuleProblem(name: string): string | undefined {
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(name)) return `must be a dotted module name inside the app, such as "signals" or "cache.receivers" (got "${name}")`;
  const last = name.split('.').pop()!;
  if (LOADED_BY_DJANGO.has(last)) return `cannot be "${name}": Django imports ${last} modules while it loads the apps, before receivers may import models`;
  return undefined;
}

/**
 * Whether some file writes a key built from a model instance: without one, no model has cached keys
 * (the plan's `cached`) and no bulk operation can leave one stale.
 */
function cachesInstanceKeys(index: ProjectIndex): boolean {
  let found = instanceKeys.get(index);
  if (found === undefined) {
    found = Object.entries(index.extra[ID] ?? {}).some(([path, facts]) => {
      const role = index.files[path]?.role;
      return role !== 'test' && role !== 'migration' && (facts as CacheFileFacts).writes.some((write) => write.entries.some((entry) => entry.key.kind === 'instance'));
    });
    instanceKeys.set(index, found);
  }
  return found;
}

const instanceKeys = new WeakMap<ProjectIndex, boolean>();

function analyze({ file, index, options, readText, isSuppressed }: AnalysisContext): Finding[] {
  const plan = cachePlan(index, readText, (options['receivers-module'] as string | undefined) ?? DEFAULT_RECEIVERS_MODULE);
  const findings: Finding[] = [];
  for (const issue of plan.issues.get(file.path) ?? []) {
    findings.push(finding(file, issue.code, issue.write, issue.message, { notFixed: issue.notFixed, sources: SOURCES }));
  }
  const app = appOfModule(index, file.module);
  const appPlan = app && plan.apps.get(app.module);
  if (appPlan) findings.push(...appFindings(file, index, plan, appPlan, readText, isSuppressed));
  // Bulk operations are looked for here, in the file's tree: the index's facts leave them out.
  if (plan.cached.size > 0 && mayHoldBulk(file.text)) findings.push(...bulkFindings(file, collectBulkFacts(file.tree, file.text), index, plan));
  return findings;
}
