// The words of a finding: what the loop reads, on which line, through which relations, how many
// queries that costs per row, and what the lookups make of it.
import type { Node } from '../../src/parse';
import type { Lookup } from './plan';
import { prefetchLookup } from './plan';
import type { Read } from './reads';
import type { RelationStep } from './relations';

const MAX_READS = 4;

export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

export function codeText(node: Node): string {
  const text = node.text.replace(/\s*\n\s*/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `order.customer.user (ForeignKey to customers.Customer, then OneToOneField to auth.User; line 12)`. */
export function describeReads(lookups: Lookup[]): string {
  const shown: Read[] = [];
  const reads = lookups.flatMap((lookup) => lookup.reads).sort((a, b) => b.steps.length - a.steps.length || a.node.startIndex - b.node.startIndex);
  for (const read of reads) {
    const lookup = prefetchLookup(read.steps);
    const repeats = shown.some((other) => other.base === read.base && extendsOrEquals(prefetchLookup(other.steps), lookup));
    if (!repeats) shown.push(read);
  }
  shown.sort((a, b) => a.node.startIndex - b.node.startIndex);
  const parts = shown.slice(0, MAX_READS).map((read) => `${codeText(read.node)} (${read.steps.slice(read.base).map((step) => step.describe).join(', then ')}; line ${lineOf(read.node)})`);
  if (shown.length > MAX_READS) parts.push(`${shown.length - MAX_READS} more`);
  return list(parts);
}

function extendsOrEquals(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}__`);
}

function list(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function call(method: string, lookups: Lookup[]): string {
  return `${method}(${lookups.map((lookup) => `"${lookup.path}"`).join(', ')})`;
}

/** `select_related("customer") and prefetch_related("tags")`. */
export function describeFix(select: Lookup[], prefetch: Lookup[]): string {
  return list([...(select.length ? [call('select_related', select)] : []), ...(prefetch.length ? [call('prefetch_related', prefetch)] : [])]);
}

/**
 * Queries before: one for the rows, then one per object each relation is read from (`N` per row,
 * `N·M` per related row of a many-valued relation). After: one per prefetch level that nothing
 * loads already; select_related lookups come in the same query.
 */
export function queryCounts(rowModel: string, select: Lookup[], prefetch: Lookup[], loaded: Set<string>, existingQueries: number): { before: string; after: string } {
  const levels = new Map<string, RelationStep[]>();
  for (const lookup of [...select, ...prefetch]) {
    lookup.steps.forEach((_, i) => levels.set(prefetchLookup(lookup.steps.slice(0, i + 1)), lookup.steps.slice(0, i + 1)));
  }
  const letters = ['M', 'K', 'L', 'P'];
  const legend = new Map<string, string>();
  const terms = new Map<string, number>();
  for (const steps of levels.values()) {
    const factors = ['N'];
    for (const step of steps.slice(0, -1)) {
      if (step.single) continue;
      const key = prefetchLookup(steps.slice(0, steps.indexOf(step) + 1));
      if (!legend.has(key)) legend.set(key, `${letters[legend.size] ?? `M${legend.size}`} = ${step.name} per ${ownerName(rowModel, steps, step)}`);
      factors.push(legend.get(key)!.split(' ')[0]);
    }
    const term = factors.join('·');
    terms.set(term, (terms.get(term) ?? 0) + 1);
  }
  const base = 1 + existingQueries;
  const before = [String(base), ...[...terms].map(([term, count]) => (count === 1 ? term : `${count}${term}`))].join(' + ');
  const selected = new Set(select.flatMap((lookup) => lookup.steps.map((_, i) => prefetchLookup(lookup.steps.slice(0, i + 1)))));
  const prefetchLevels = new Set(prefetch.flatMap((lookup) => lookup.steps.map((_, i) => prefetchLookup(lookup.steps.slice(0, i + 1)))));
  const extra = [...prefetchLevels].filter((level) => !selected.has(level) && !loaded.has(level)).length;
  const legendText = legend.size > 0 ? ` (${[...legend.values()].join(', ')})` : '';
  return { before: `${before} queries${legendText}`, after: String(base + extra) };
}

function ownerName(rowModel: string, steps: RelationStep[], step: RelationStep): string {
  const index = steps.indexOf(step);
  return index === 0 ? rowModel : steps[index - 1].target?.name ?? 'row';
}
