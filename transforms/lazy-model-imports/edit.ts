// The edits that make one import lazy in the importing file: a lookup at the top of each function
// that uses the model, lazy strings for relation targets, quoted annotations with the import kept for
// type checkers, and the import itself gone (or only the names that were made lazy).
import { addImport, addTypeCheckingImports, ImportSpec, removeImportedNames } from '../../src/imports';
import type { TextEdit } from '../../src/model';
import { mergeInsertions } from '../../src/edits';
import type { Node, Tree } from '../../src/parse';
import { lineEnding } from '../../src/source';
import { listText } from './messages';
import type { LazyBinding, ModelRef } from './judge';
import { bodyInsertion, preferredQuote, quoteFor } from './layout';
import type { FileUses, ImportBinding } from './uses';

export type CutEdits = { ok: true; edits: TextEdit[]; summary: string[]; labels: string[] } | { ok: false; reason: string };

interface Lookup {
  local: string;
  ref: ModelRef;
}

export function cutEdits(text: string, tree: Tree, uses: FileUses, lazy: LazyBinding[]): CutEdits {
  const q = preferredQuote(tree);
  const eol = lineEnding(text);
  const edits: TextEdit[] = [];
  const described: Array<{ names: string[]; treatment: string }> = [];
  const lookups = new Map<Node['id'], { definition: Node; lookups: Lookup[] }>();
  const quoted = new Set<number>();
  const typeChecking: Array<{ binding: ImportBinding; spec: ImportSpec }> = [];
  const removals = new Map<Node['id'], { statement: Node; names: string[] }>();

  for (const binding of lazy) {
    const found = uses.bindings.find((candidate) => candidate.line === binding.line && candidate.local === binding.local && candidate.topLevel);
    if (!found) return { ok: false, reason: `the import of ${binding.local} at line ${binding.line} is not where the index saw it` };
    const functions: string[] = [];
    const relations: number[] = [];
    const relationRefs = new Set<ModelRef>();
    const lookupRefs = new Set<ModelRef>();
    const annotations: number[] = [];
    let forTypeCheckers = false;
    for (const site of found.sites) {
      const placement = binding.kind === 'class' ? site.bare : site.viaMember;
      const local = binding.kind === 'class' ? binding.local : site.member;
      const ref = local !== undefined ? binding.models[local] : undefined;
      if (!placement || local === undefined || !ref) return { ok: false, reason: `a use of ${binding.local} at line ${site.line} has no model djfix knows` };
      switch (placement.context) {
        case 'function': {
          const entry = lookups.get(placement.function!.id) ?? { definition: placement.function!, lookups: [] };
          if (!entry.lookups.some((lookup) => lookup.local === local)) entry.lookups.push({ local, ref });
          lookups.set(placement.function!.id, entry);
          if (binding.kind === 'module') edits.push(replace(placement.expression, local));
          lookupRefs.add(ref);
          const name = placement.function!.childForFieldName('name')?.text ?? '';
          if (!functions.includes(`${name}()`)) functions.push(`${name}()`);
          break;
        }
        case 'relation':
          edits.push(replace(placement.expression, `${q}${ref.label}.${ref.name}${q}`));
          relations.push(site.line);
          relationRefs.add(ref);
          break;
        case 'annotation': {
          const annotation = placement.annotation!;
          forTypeCheckers = true;
          annotations.push(site.line);
          if (quoted.has(annotation.startIndex)) break;
          const quote = quoteFor(annotation.text, q);
          if (!quote) return { ok: false, reason: `the annotation at line ${site.line} cannot be quoted` };
          quoted.add(annotation.startIndex);
          edits.push(replace(annotation, `${quote}${annotation.text}${quote}`));
          break;
        }
        case 'type-string':
          forTypeCheckers = true;
          break;
        case 'blocked':
          return { ok: false, reason: `${local} at line ${site.line} has no lazy form` };
      }
    }
    const removal = removals.get(found.statement.id) ?? { statement: found.statement, names: [] };
    removal.names.push(found.alias ?? found.name ?? found.dotted!);
    removals.set(found.statement.id, removal);
    if (forTypeCheckers) typeChecking.push({ binding: found, spec: specOf(found) });
    const names = binding.kind === 'class' ? [binding.local] : Object.keys(binding.models).map((member) => `${binding.local}.${member}`);
    described.push({ names, treatment: treatment(uses.registry, { functions, lookupRefs: [...lookupRefs], relations, relationRefs: [...relationRefs], annotations, forTypeCheckers }) });
  }

  for (const { definition, lookups: needed } of [...lookups.values()].sort((a, b) => a.definition.startIndex - b.definition.startIndex)) {
    const insertion = bodyInsertion(definition, text);
    if (!insertion) return { ok: false, reason: `the body of ${definition.childForFieldName('name')?.text}() has no line for a lookup` };
    const lines = needed.map(({ local, ref }) => `${insertion.indent}${local} = ${uses.registry}.get_model(${q}${ref.label}${q}, ${q}${ref.name}${q})${eol}`);
    edits.push({ start: insertion.at, end: insertion.at, text: lines.join('') });
  }
  const removed = [...removals.values()].flatMap(({ statement, names }) => removeImportedNames(text, statement, names));
  const added = lookups.size > 0 && uses.registry === 'apps' ? addImport(text, tree, { module: 'django.apps', name: 'apps' }) : [];
  edits.push(...keepBlankLineAbove(text, removed, added), ...added);
  if (typeChecking.length > 0) {
    edits.push(...addTypeCheckingImports(text, tree, typeChecking.map((entry) => entry.spec), typeChecking[0].binding.statement, edits));
  }
  const labels = new Map(lazy.flatMap((binding) => Object.values(binding.models)).map((ref) => [ref.label, `"${ref.label}" is ${ref.labelSource}`]));
  return { ok: true, edits: mergeInsertions(edits), summary: describeAll(described, uses.futureAnnotations), labels: [...labels.values()] };
}

function replace(node: Node, text: string): TextEdit {
  return { start: node.startIndex, end: node.endIndex, text };
}

/** The import statement a binding came from, as type checkers should still see it. */
function specOf(binding: ImportBinding): ImportSpec {
  const module = `${'.'.repeat(binding.level)}${binding.module}`;
  return binding.name !== undefined ? { module, name: binding.name, alias: binding.alias } : { module: binding.dotted!, alias: binding.alias };
}

/**
 * A removed import whose place an added import takes keeps the blank line above it: the removal took
 * it only so that blank lines would not pile up where nothing came instead.
 */
function keepBlankLineAbove(text: string, removals: TextEdit[], added: TextEdit[]): TextEdit[] {
  return removals.map((removal) => {
    const firstLineEnd = text.indexOf('\n', removal.start) + 1;
    const replaced = added.some((edit) => edit.start === edit.end && edit.start === removal.end);
    const startsBlank = removal.text === '' && firstLineEnd > 0 && firstLineEnd < removal.end && text.slice(removal.start, firstLineEnd).trim() === '';
    return replaced && startsBlank ? { ...removal, start: firstLineEnd } : removal;
  });
}


interface Treated {
  functions: string[];
  lookupRefs: ModelRef[];
  relations: number[];
  relationRefs: ModelRef[];
  annotations: number[];
  forTypeCheckers: boolean;
}

/** What a cut does to one binding, without its name: `looked up with ... at the top of f()`. */
function treatment(registry: string, treated: Treated): string {
  const lines = (numbers: number[]) => `line${numbers.length > 1 ? 's' : ''} ${listText([...new Set(numbers)].map(String))}`;
  const parts: string[] = [];
  if (treated.functions.length > 0) parts.push(`looked up with ${listText(treated.lookupRefs.map((ref) => `${registry}.get_model("${ref.label}", "${ref.name}")`))} at the top of ${listText(treated.functions)}`);
  if (treated.relations.length > 0) parts.push(`named by ${listText(treated.relationRefs.map((ref) => `"${ref.label}.${ref.name}"`))} in the relation field${treated.relations.length > 1 ? 's' : ''} at ${lines(treated.relations)}`);
  if (treated.annotations.length > 0) parts.push(`quoted in the annotation${treated.annotations.length > 1 ? 's' : ''} at ${lines(treated.annotations)}`);
  if (treated.forTypeCheckers) parts.push('imported under if TYPE_CHECKING: for type checkers');
  return listText(parts);
}

/** `A and B imported under if TYPE_CHECKING: ...; C looked up with ...`: bindings treated alike share a clause. */
function describeAll(entries: Array<{ names: string[]; treatment: string }>, future: boolean): string[] {
  const clauses = new Map<string, string[]>();
  for (const { names, treatment: what } of entries) clauses.set(what, [...(clauses.get(what) ?? []), ...names]);
  const described = [...clauses].map(([what, names]) => `${listText(names)} ${what}`);
  if (future && entries.some((entry) => entry.treatment.includes('TYPE_CHECKING'))) described.push('annotations stay as they are: from __future__ import annotations keeps them unevaluated');
  return described;
}
