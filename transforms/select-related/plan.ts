// From what a loop reads to what its queryset should load: the lookups for select_related (single-
// valued all the way) and prefetch_related (through a many-valued or generic relation), minus those
// already loaded, and the reasons some or all of them cannot be added to this chain.
import type { Version } from '../../src/project/django-version';
import { stringValue } from '../../src/parse';
import { argumentsOf, ChainCall, Coverage, coverageOf, isCovered, keywordArgument, shapeOf } from './chains';
import type { Read } from './reads';
import type { RelationStep } from './relations';
import type { Source } from './sources';
import type { Write } from './writes';

export interface Lookup {
  kind: 'select' | 'prefetch';
  /** The lookup as select_related or prefetch_related takes it. */
  path: string;
  steps: RelationStep[];
  /** Every read the lookup serves, the one that goes furthest first. */
  reads: Read[];
}

export interface Held {
  code: string;
  lookups: Lookup[];
  reason: string;
}

export interface Plan {
  select: Lookup[];
  prefetch: Lookup[];
  held: Held[];
  /** Queries the chain's existing prefetch_related lookups run, counted in the totals. */
  existingQueries: number;
}

export interface PlanInput {
  source: Exclude<Source, { kind: 'nested' }>;
  reads: Read[];
  assigned: Set<string>;
  rebinding?: { line: number; text: string };
  writes: Write[];
  django: Version | null;
}

const SELECT_FOR_UPDATE_REASON = 'the chain calls select_for_update() without of=, which would also lock the joined rows (and fails on the nullable side of an outer join)';

function selectLookup(steps: RelationStep[]): string | undefined {
  if (!steps.every((step) => step.selectName)) return undefined;
  return steps.map((step) => step.selectName).join('__');
}

export function prefetchLookup(steps: RelationStep[]): string {
  return steps.map((step) => step.name).join('__');
}

/** What the loop's chain needs, or undefined when the rows are not model instances (nothing to load). */
export function planFix(input: PlanInput): Plan | undefined {
  const { chain } = input.source;
  const every = [...chain.calls, ...chain.conditional];
  const shape = shapeOf(chain.calls, chain.conditional);
  if (shape.kind === 'rows') return undefined;
  const coverage = coverageOf(chain.calls);
  const { select, prefetch } = lookups(input.reads, input.assigned, coverage);
  const plan: Plan = { select, prefetch, held: [], existingQueries: existingPrefetchQueries(chain.calls) };
  if (select.length + prefetch.length === 0) return plan;
  const all = [...select, ...prefetch];
  const holdAll = (code: string, reason: string) => {
    plan.held.push({ code, lookups: all, reason });
    plan.select = [];
    plan.prefetch = [];
    return plan;
  };
  if (shape.kind === 'opaque') return holdAll('opaque-chain', `${shape.why}; djfix only rewrites chains of QuerySet methods it knows`);
  // A caller's prefetch_related only serves `self.lines.all()`: a new lookup there would run a query
  // where the cache answered before. Any other call (filter, order_by...) queries anew anyway.
  const cached = chain.calls.every((call) => call.name === 'all');
  if (input.source.kind === 'self' && cached) {
    const { accessor, owner } = input.source;
    const outer = all.map((lookup) => `"${accessor}__${prefetchLookup(lookup.steps)}"`).join(', ');
    return holdAll('caller-prefetch', `self.${accessor} may come prefetched by the code that fetched this ${owner.name}, and a new lookup here would bypass that cache; prefetch_related(${outer}) where the ${owner.name} rows are fetched serves every caller`);
  }
  if (input.source.kind === 'instance' && input.source.prefetchedBy && cached) {
    return holdAll('caller-prefetch', `${input.source.owner} was fetched with prefetch_related(...) at line ${input.source.prefetchedBy.call.startPosition.row + 1}, whose cache a new select_related/prefetch_related here would bypass; extend that prefetch instead`);
  }
  if (chain.conflictingUse) {
    const use = chain.conflictingUse;
    return holdAll('variable-use', `${use.variable} is also used as ${use.node.text.replace(/\s+/g, ' ')} (line ${use.node.startPosition.row + 1}), which new lookups on it could break (.only()/.defer() cannot defer what select_related follows; combined querysets need the same columns)`);
  }
  if (input.rebinding) return holdAll('rebound', `the loop assigns its variable again (line ${input.rebinding.line}: ${input.rebinding.text}), so djfix cannot tell which rows later reads come from`);
  const write = conflictingWrite(input.writes, all);
  if (write) return holdAll('writes', write);

  const onlyDefer = every.filter((call) => call.name === 'only' || call.name === 'defer');
  const selectsAll = every.find((call) => call.name === 'select_related' && argumentsOf(call).length === 0);
  const forUpdate = every.find((call) => call.name === 'select_for_update' && !keywordArgument(call, 'of'));
  const iterator = chain.calls[chain.calls.length - 1]?.name === 'iterator' ? chain.calls[chain.calls.length - 1] : undefined;
  const hold = (code: string, lookups: Lookup[], reason: string | undefined) => {
    if (!reason || lookups.length === 0) return;
    plan.held.push({ code, lookups, reason });
    plan.select = plan.select.filter((lookup) => !lookups.includes(lookup));
    plan.prefetch = plan.prefetch.filter((lookup) => !lookups.includes(lookup));
  };
  if (selectsAll) hold('select-all', plan.select, `the chain calls select_related() without arguments (line ${line(selectsAll)}), which follows every non-null ForeignKey; naming lookups would turn that off for the others, and djfix cannot tell which are nullable`);
  if (forUpdate) hold('select-for-update', plan.select, SELECT_FOR_UPDATE_REASON);
  if (iterator) hold('iterator', plan.prefetch, iteratorReason(iterator, input.django));
  for (const lookup of [...plan.select, ...plan.prefetch]) {
    hold('only-defer', [lookup], onlyDeferConflict(onlyDefer, lookup));
  }
  return plan;
}

/** Reads grouped into lookups: assigned relations left out, covered ones dropped, shorter ones folded into longer. */
function lookups(reads: Read[], assigned: Set<string>, coverage: Coverage): { select: Lookup[]; prefetch: Lookup[] } {
  const select = new Map<string, Lookup>();
  const prefetch = new Map<string, Lookup>();
  for (const read of reads) {
    const prefixes = read.steps.map((_, i) => prefetchLookup(read.steps.slice(0, i + 1)));
    if (prefixes.some((prefix) => assigned.has(prefix))) continue;
    const selected = selectLookup(read.steps);
    const kind = selected ? 'select' : 'prefetch';
    const path = selected ?? prefetchLookup(read.steps);
    if (isCovered(coverage, path)) continue;
    const groups = selected ? select : prefetch;
    const lookup = groups.get(path) ?? { kind, path, steps: read.steps, reads: [] };
    lookup.reads.push(read);
    groups.set(path, lookup);
  }
  return { select: fold(select), prefetch: fold(prefetch) };
}

/** `customer` is loaded by `customer__user`: keep the longer lookup, with the shorter one's reads. */
function fold(groups: Map<string, Lookup>): Lookup[] {
  const kept: Lookup[] = [];
  for (const lookup of groups.values()) {
    // The longest lookup that extends this one extends no other, so it is kept.
    const longer = [...groups.values()].filter((other) => other.path.startsWith(`${lookup.path}__`)).sort((a, b) => b.path.length - a.path.length)[0];
    if (longer) longer.reads.push(...lookup.reads);
    else kept.push(lookup);
  }
  for (const lookup of kept) lookup.reads.sort((a, b) => b.steps.length - a.steps.length || a.node.startIndex - b.node.startIndex);
  return kept;
}

/** A write in the loop to a model the lookups would load, described; undefined when there is none. */
function conflictingWrite(writes: Write[], lookups: Lookup[]): string | undefined {
  const loaded = new Set(lookups.flatMap((lookup) => lookup.steps.map((step) => step.target?.key ?? '*')));
  for (const write of writes) {
    const where = `line ${write.call.startPosition.row + 1}: ${write.call.text.replace(/\s+/g, ' ')}`;
    if (write.cascades) return `the loop deletes rows (${where}), which cascades to related rows; relations loaded before the loop would still hold them`;
    if (!write.model) return `the loop writes to a model djfix cannot resolve (${where}); relations loaded before the loop would not see those writes`;
    if (loaded.has('*')) return `the loop writes to ${write.model.key} (${where}), and a GenericForeignKey the fix would load may point at any model; relations loaded before the loop would not see those writes`;
    if (loaded.has(write.model.key)) return `the loop writes to ${write.model.key} (${where}), which the fix would load before the loop instead of row by row; the loop would then see rows as they were before its own writes`;
  }
  return undefined;
}

function iteratorReason(iterator: ChainCall, django: Version | null): string | undefined {
  const chunk = keywordArgument(iterator, 'chunk_size') ?? argumentsOf(iterator).find((arg) => arg.type !== 'keyword_argument');
  if (django && (django[0] < 4 || (django[0] === 4 && django[1] < 1))) {
    return `the chain ends in iterator(), which ignores prefetch_related before Django 4.1 (the project targets ${django.join('.')})`;
  }
  if (!chunk || chunk.type === 'none') return 'the chain ends in iterator() without chunk_size, which prefetch_related needs (Django 4.1 warns, 5.0 raises); pass iterator(chunk_size=...) and run djfix again';
  return undefined;
}

/**
 * select_related and prefetch_related through a forward relation need its key column loaded: an
 * `only()` that leaves it out, or a `defer()` that names it, makes Django raise FieldError (select)
 * or load the key row by row (prefetch).
 */
function onlyDeferConflict(calls: ChainCall[], lookup: Lookup): string | undefined {
  const first = lookup.steps[0];
  for (const call of calls) {
    const names = argumentsOf(call).map((arg) => stringValue(arg));
    const text = `${call.name}(${argumentsOf(call).map((arg) => arg.text).join(', ')}) at line ${line(call)}`;
    if (names.some((name) => name === undefined || name.includes('__'))) return `the chain calls ${text}, whose effect on "${lookup.path}" djfix does not work out; add the lookup by hand if ${first.name} is loaded`;
    if (!first.stored) continue;
    if (first.target === undefined) return `the chain calls ${text}, and the GenericForeignKey ${first.name} needs its content type and object id columns loaded`;
    const key = [first.name, `${first.name}_id`];
    if (call.name === 'only' && !names.some((name) => key.includes(name!))) return `the chain calls ${text}, which defers ${first.name}: Django cannot both defer and follow it`;
    if (call.name === 'defer' && names.some((name) => key.includes(name!))) return `the chain calls ${text}, which defers ${first.name}: Django cannot both defer and follow it`;
  }
  return undefined;
}

function existingPrefetchQueries(calls: ChainCall[]): number {
  const levels = new Set<string>();
  for (const call of calls.filter((candidate) => candidate.name === 'prefetch_related')) {
    for (const path of coverageOf([call]).paths) {
      const parts = path.split('__');
      parts.forEach((_, i) => levels.add(parts.slice(0, i + 1).join('__')));
    }
  }
  return levels.size;
}

function line(call: ChainCall): number {
  return call.call.startPosition.row + 1;
}
