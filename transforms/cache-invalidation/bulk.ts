// QuerySet.update(), bulk_create() and bulk_update() send no model signals: on a model whose rows
// cached keys are built from, they leave those keys stale whatever receivers exist. Reported where
// they are, never edited (djfix cannot tell which rows they touch).
import type { Finding } from '../../src/model';
import type { ProjectIndex } from '../../src/project/index';
import type { ParsedFile } from '../types';
import type { BulkFact, CacheFileFacts } from './facts';
import { BULK_SOURCES, finding } from './finding';
import { short } from './origins';
import { CachePlan, PlannedKey, writeLabel } from './plan';
import { resolveOrigin } from './resolve';

export function bulkFindings(file: ParsedFile, facts: CacheFileFacts, index: ProjectIndex, plan: CachePlan): Finding[] {
  const findings: Finding[] = [];
  for (const bulk of facts.bulk) {
    const resolved = resolveOrigin(index, file.module, facts, bulk.target);
    if (!resolved.model) continue;
    // New rows have no keys of their own yet; only keys built from related rows (a count, a list) go stale.
    const keys = (plan.cached.get(resolved.model) ?? []).filter((key) => bulk.method !== 'bulk_create' || key.via !== undefined);
    if (keys.length === 0) continue;
    findings.push(bulkFinding(file, bulk, resolved.model, keys));
  }
  return findings;
}

function bulkFinding(file: ParsedFile, bulk: BulkFact, model: string, keys: PlannedKey[]): Finding {
  const verb = bulk.method === 'bulk_create' ? 'adds' : 'changes';
  const listed = [...new Set(keys.map((key) => `${short(key.source)} (${writeLabel(key.write)})`))].join(', ');
  const message = `${bulk.text} at ${file.path}:${bulk.line} ${verb} ${model} rows without sending post_save, so no receiver deletes the cached keys built from them: ${listed}. They keep stale data until they expire.`;
  return finding(file, 'bulk-operation', bulk, message, {
    sources: BULK_SOURCES,
    notFixed: `djfix cannot tell which rows ${bulk.method}() touches; delete those keys after it, or save the instances one by one`,
  });
}
