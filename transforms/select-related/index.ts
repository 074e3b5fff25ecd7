// select-related: loops over querysets that read relations row by row (1 + N queries) get the
// select_related / prefetch_related lookups that load those relations with the rows. Every lookup
// comes from the project's models; when the chain, the loop or the models leave any doubt, the
// finding says what was read and why djfix held back.
import type { Finding, TextEdit } from '../../src/model';
import type { ProjectIndex } from '../../src/project/index';
import { positionOf } from '../../src/source';
import type { AnalysisContext, ParsedFile, Transform } from '../types';
import { coverageOf } from './chains';
import { chainEdits, fileQuote } from './edit';
import { findLoops, Loop, loopOf } from './loops';
import { codeText, describeFix, describeReads, lineOf, queryCounts } from './messages';
import { Names } from './names';
import { Held, Lookup, Plan, planFix, prefetchLookup } from './plan';
import { Bypass, LoopUse, Unresolved, Uses } from './reads';
import { Scopes } from './scope';
import { Source, Sources } from './sources';
import { findWrites } from './writes';
import { loopMayReadRelations, mayReadRelations } from './prefilter';

const ID = 'select-related';
const SOURCES = ['docs/ref/models/querysets.txt', 'docs/topics/db/optimization.txt'];
/** What a loop over a related manager calls on it (`for line in order.lines.all()`). */
const RELATED_MANAGER_CALLS = ['all', 'filter', 'exclude', 'order_by', 'select_related', 'prefetch_related', 'annotate', 'distinct', 'only', 'defer', 'iterator'];

export const selectRelated: Transform = {
  id: ID,
  title: 'Loops over querysets load the relations they read with select_related / prefetch_related',
  explanation:
    'A loop over a queryset that reads a relation of each row (order.customer.name, order.lines.all()) ' +
    'runs one query for the rows and one more per row for every relation: 1 + N queries. djfix follows ' +
    'the reads through the project\'s models (ForeignKey, OneToOneField both ways, ManyToManyField both ways, ' +
    'reverse ForeignKey, GenericForeignKey/GenericRelation, nested loops over relations) and adds ' +
    'select_related for single-valued paths and prefetch_related for paths through a many-valued ' +
    'relation, merged into the chain\'s existing calls or right after the manager. It holds back, and says ' +
    'why, when the rows may not come from a queryset, the chain has custom methods, values(), only()/defer() ' +
    'or iterator() that conflict, the loop writes to what would be loaded, or a relation is re-queried ' +
    '(.filter() on it needs a Prefetch object). Migrations (historical models) and tests (which may count ' +
    'queries) are not touched; loops in templates and serializers are out of its reach.',
  rules: [
    { id: 'select-single-valued', text: 'A ForeignKey or OneToOneField (either direction) read on every row is loaded with select_related; chains through single-valued relations use a__b.', sources: SOURCES },
    { id: 'prefetch-many-valued', text: 'A ManyToManyField, reverse ForeignKey or GenericRelation iterated, passed to len() or counted on every row, and a GenericForeignKey read on every row, is loaded with prefetch_related; relations read inside a nested loop over it extend the lookup (lines__product).', sources: SOURCES },
    { id: 'no-query', text: 'row.fk_id, plain fields, methods and properties never need a lookup; relations already loaded by the chain are left alone.', sources: SOURCES },
    { id: 'requery', text: 'row.relation.filter()/exclude()/annotate() runs a new query whatever is prefetched; that needs Prefetch(..., queryset=..., to_attr=...), which djfix reports and does not write.', sources: SOURCES },
    { id: 'chain-conflicts', text: 'values()/values_list() rows are not model instances; only()/defer() must keep the relation\'s key; prefetch_related needs iterator(chunk_size=...) (Django 4.1+); select_related() without arguments and select_for_update() without of= are not extended.', sources: SOURCES },
    { id: 'writes', text: 'A loop that writes to a model it would load (line.product.save(), order.lines.create()) would see rows as they were before its writes: left alone.', sources: SOURCES },
    { id: 'scope', text: 'Only querysets that start at a model manager (inline or in a variable assigned once in the same function), and related managers of one fetched instance, are rewritten. Migrations and tests are skipped.', sources: SOURCES },
  ],
  // Migrations use historical models (apps.get_model in RunPython) that the index does not describe;
  // tests may assert query counts. Neither is touched.
  screen: (text) => /\bfor\b/.test(text),
  mayApply: (file) => file.screened && file.role !== 'migration' && file.role !== 'test' && file.role !== 'settings',
  analyze,
};

const hints = new WeakMap<ProjectIndex, RegExp>();

/** Text every loop djfix can fix has: a model manager, or a queryset method called on a related manager. */
function querysetHint(index: ProjectIndex): RegExp {
  let hint = hints.get(index);
  if (!hint) {
    const managers = new Set(['objects', '_default_manager', '_base_manager', ...Object.values(index.models).flatMap((model) => model.managers)]);
    hint = new RegExp(`\\.(${[...managers].join('|')})\\b|\\.(${RELATED_MANAGER_CALLS.join('|')})\\s*\\(`);
    hints.set(index, hint);
  }
  return hint;
}

function analyze({ file, index }: AnalysisContext): Finding[] {
  // Tests of the text that need the index's models: most files with loops end here, unparsed.
  if (!querysetHint(index).test(file.text) || !mayReadRelations(file.text, index)) return [];
  const scopes = new Scopes(file.text);
  const names = new Names(index, file.module, index.files[file.path]?.isPackage ?? false, scopes);
  const sources = new Sources(names, index);
  const uses = new Uses(index);
  const findings: Finding[] = [];
  let quote: string | undefined;
  for (const node of findLoops(file.tree.rootNode, file.text)) {
    const loop = loopOf(node);
    if (loop && !loopMayReadRelations(file.text, loop, index)) continue;
    const source = loop && sources.of(loop);
    if (!loop || !source || source.kind === 'nested') continue;
    const use = uses.collect(loop, source.chain.model);
    if (use.reads.length + use.bypasses.length + use.unresolved.length === 0) continue;
    const writes = findWrites(loop.regions, use.rows, names, index);
    const rebinding = use.rebinding && { line: lineOf(use.rebinding), text: codeText(use.rebinding.parent ?? use.rebinding) };
    const plan = planFix({ source, reads: use.reads, assigned: use.assigned, rebinding, writes, django: index.django.version });
    if (!plan) continue;
    const report = new Report(file, loop, source);
    if (plan.select.length + plan.prefetch.length > 0) {
      quote ??= fileQuote(file.tree);
      findings.push(report.fix(plan, chainEdits(file.text, source.chain.manager, source.chain.calls, plan.select.map((l) => l.path), plan.prefetch.map((l) => l.path), quote)));
    }
    findings.push(...plan.held.map((held) => report.held(plan, held)));
    findings.push(...bypassFindings(report, use));
    findings.push(...unresolvedFindings(report, use));
  }
  return findings;
}

/** Findings about one loop, worded alike. */
class Report {
  private readonly where: string;
  private readonly loaded: Set<string>;

  constructor(
    private readonly file: ParsedFile,
    private readonly loop: Loop,
    private readonly source: Exclude<Source, { kind: 'nested' }>,
  ) {
    this.where = `${file.path}:${lineOf(loop.node)}`;
    this.loaded = coverageOf(source.chain.calls).paths;
  }

  private finding(code: string, message: string, extra: Partial<Finding>): Finding {
    return { transform: ID, code, location: { path: this.file.path, ...positionOf(this.file.text, this.loop.node.startIndex) }, message, sources: SOURCES, ...extra };
  }

  private opening(reads: string): string {
    return `${this.where} loops over ${this.source.chain.describe} and reads ${reads} on every row`;
  }

  fix(plan: Plan, edits: TextEdit[]): Finding {
    const counts = this.counts(plan, plan.select, plan.prefetch);
    const message = `${this.opening(describeReads([...plan.select, ...plan.prefetch]))}: ${counts.before}; ${describeFix(plan.select, plan.prefetch)} ${makes(plan.select, plan.prefetch)} it ${counts.after}.`;
    return this.finding('n-plus-one', message, { change: { safety: 'review', files: [{ path: this.file.path, kind: 'edit', edits }] } });
  }

  held(plan: Plan, held: Held): Finding {
    const select = held.lookups.filter((lookup) => lookup.kind === 'select');
    const prefetch = held.lookups.filter((lookup) => lookup.kind === 'prefetch');
    const counts = this.counts(plan, select, prefetch);
    const message = `${this.opening(describeReads(held.lookups))}: ${counts.before}; ${describeFix(select, prefetch)} would make it ${counts.after}.`;
    return this.finding(held.code, message, { notFixed: held.reason });
  }

  requery(bypass: Bypass): Finding {
    const lookup = prefetchLookup(bypass.steps);
    const message = `${this.where} loops over ${this.source.chain.describe} and calls ${codeText(bypass.node)} (line ${lineOf(bypass.node)}) on every row: a query per row, which a plain prefetch_related("${lookup}") would not save, since .${bypass.method}() queries anew.`;
    return this.finding('requery', message, {
      notFixed: `load the rows once with Prefetch("${lookup}", queryset=..., to_attr="...") on the loop's queryset and read that attribute in the loop; djfix does not write that rewrite`,
    });
  }

  unresolved(read: Unresolved, likely: string): Finding {
    const message = `${this.where} loops over ${this.source.chain.describe} and reads ${codeText(read.node)} (${read.describe}; line ${lineOf(read.node)}) on every row: 1 + N queries.`;
    return this.finding('unknown-model', message, {
      notFixed: `its model is not one djfix knows (not in this project's models: a third-party app?), so it cannot check the lookup; ${likely} is the likely fix`,
    });
  }

  private counts(plan: Plan, select: Lookup[], prefetch: Lookup[]) {
    return queryCounts(this.source.chain.model.name, select, prefetch, this.loaded, plan.existingQueries);
  }
}

function makes(select: Lookup[], prefetch: Lookup[]): string {
  return select.length > 0 && prefetch.length > 0 ? 'make' : 'makes';
}

function bypassFindings(report: Report, use: LoopUse): Finding[] {
  const seen = new Set<string>();
  return use.bypasses
    .filter((bypass) => {
      const key = `${prefetchLookup(bypass.steps)}.${bypass.method}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((bypass) => report.requery(bypass));
}

function unresolvedFindings(report: Report, use: LoopUse): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const read of use.unresolved) {
    const path = [...read.steps.map((step) => step.name), read.name].join('__');
    if (seen.has(path)) continue;
    seen.add(path);
    const single = /^(ForeignKey|OneToOneField)\b/.test(read.describe) && read.steps.every((step) => step.selectName);
    findings.push(report.unresolved(read, `${single ? 'select_related' : 'prefetch_related'}("${path}")`));
  }
  return findings;
}
