// What the planner keeps of a file it read: its import-time bindings and a summary of their uses, as
// plain data, so that the file's tree can go as soon as it is summarized.
import type { Tree } from '../../src/parse';
import type { BlockedKind, FileUses, ImportBinding, Placement } from './uses';
import { moduleBindingLines } from './module-scan';
import { nameRecord } from '../../src/records';
import { findImportUses, IMPORT_TIME_KINDS } from './uses';

/** How many blocked uses of one name are kept, to explain why it stays: enough to act on. */
const MAX_BLOCKED = 5;

export interface UseSummary {
  function: number;
  relation: number;
  annotation: number;
  typeString: number;
  blocked: Array<{ line: number; kind: BlockedKind }>;
  /** Module-level functions whose bodies would look the model up. */
  topFunctions: string[];
}

/** An import binding without its nodes: what the plan needs of it once the tree is gone. */
export interface BindingSummary extends Pick<ImportBinding, 'line' | 'module' | 'level' | 'name' | 'dotted' | 'alias' | 'local' | 'topLevel' | 'problems'> {
  uses: number;
  /** Every use of the bound name, read as a class (`from app.models import Order`). */
  bare: UseSummary;
  /** Uses through the binding read as a module (`models.Order`), by member. */
  members: Record<string, UseSummary & { clashes: boolean }>;
  /** Lines where the binding is used without a member: a module object passed around. */
  memberless: number[];
  /** `binding.member` reads that run while the module is imported (what a half-imported module must already hold). */
  memberReads: Array<{ line: number; member: string }>;
}

export interface FileSummary {
  futureAnnotations: boolean;
  registry: string;
  registryTaken?: number;
  importTimeCalls: string[];
  bindings: BindingSummary[];
  /** The lines binding each name at module level. */
  bindingLines: Record<string, number[]>;
}

export function summarize(tree: Tree, text: string): FileSummary {
  return { ...summarizeUses(findImportUses(tree, text)), bindingLines: nameRecord(moduleBindingLines(tree)) };
}

function summarizeUses(uses: FileUses): Omit<FileSummary, 'bindingLines'> {
  return {
    futureAnnotations: uses.futureAnnotations,
    registry: uses.registry,
    ...(uses.registryTaken !== undefined ? { registryTaken: uses.registryTaken } : {}),
    importTimeCalls: uses.importTimeCalls,
    bindings: uses.bindings.map((binding) => summarizeBinding(binding, uses.hasName)),
  };
}

function summarizeBinding(binding: ImportBinding, hasName: (name: string) => boolean): BindingSummary {
  const members: BindingSummary['members'] = {};
  const memberless: number[] = [];
  const memberReads: BindingSummary['memberReads'] = [];
  for (const site of binding.sites) {
    if (site.member === undefined || site.viaMember === undefined) {
      memberless.push(site.line);
      continue;
    }
    if (site.viaMember.kind && IMPORT_TIME_KINDS.has(site.viaMember.kind)) memberReads.push({ line: site.line, member: site.member });
    members[site.member] ??= { ...emptySummary(), clashes: hasName(site.member) };
    add(members[site.member], site.line, site.viaMember);
  }
  const bare = emptySummary();
  for (const site of binding.sites) add(bare, site.line, site.bare);
  const { line, module, level, name, dotted, alias, local, topLevel, problems } = binding;
  return { line, module, level, name, dotted, alias, local, topLevel, problems, uses: binding.sites.length, bare, members, memberless, memberReads };
}

function emptySummary(): UseSummary {
  return { function: 0, relation: 0, annotation: 0, typeString: 0, blocked: [], topFunctions: [] };
}

function add(summary: UseSummary, line: number, placement: Placement): void {
  switch (placement.context) {
    case 'function':
      summary.function++;
      if (placement.topFunction && !summary.topFunctions.includes(placement.topFunction)) summary.topFunctions.push(placement.topFunction);
      break;
    case 'relation':
      summary.relation++;
      break;
    case 'annotation':
      summary.annotation++;
      break;
    case 'type-string':
      summary.typeString++;
      break;
    case 'blocked':
      if (summary.blocked.length < MAX_BLOCKED) summary.blocked.push({ line, kind: placement.kind ?? 'module-level' });
  }
}
