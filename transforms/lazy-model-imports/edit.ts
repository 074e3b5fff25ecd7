// The edits that make one import lazy in the importing file: a lookup at the top of each function
// that uses the model, lazy strings for relation targets, quoted annotations with the import kept for
// type checkers, and the import itself gone (or only the names that were made lazy).
import { addImport, addTypeCheckingImports, ImportSpec, removeImportedNames } from '../../src/imports';
import type { TextEdit } from '../../src/model';
import type { Node, Tree } from '../../src/parse';
import { lineEnding } from '../../src/source';
import { listText } from './messages';
import type { LazyBinding, ModelRef } from './judge';
import { bodyInsertion, FileUses, ImportBinding, preferredQuote, quoteFor } from './uses';

export type CutEdits = { ok: true; edits: TextEdit[]; summary: string[]; labels: string[] } | { ok: false; reason: string };

interface Lookup {
  local: string;
  ref: ModelRef;
}

export function cutEdits(text: string, tree: Tree, uses: FileUses, lazy: LazyBinding[]): CutEdits {
  const q = preferredQuote(tree);
  const eol = lineEnding(text);
  const edits: TextEdit[] = [];
  const summary: string[] = [];
  const lookups = new Map<Node['id'], { definition: Node; lookups: Lookup[] }>();
  const quoted = new Set<number>();
  const typeChecking: Array<{ binding: ImportBinding; spec: ImportSpec }> = [];
  const removals = new Map<Node['id'], { statement: Node; names: string[] }>();

  for (const binding of lazy) {
    const found = uses.bindings.find((candidate) => candidate.line === binding.line && candidate.local === binding.local && candidate.topLevel);
    if (!found) return { ok: false, reason: `the import of ${binding.local} at line ${binding.line} is not where the index saw it` };
    const functions: string[] = [];
    const relations: number[] = [];
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
          const name = placement.function!.childForFieldName('name')?.text ?? '';
          if (!functions.includes(`${name}()`)) functions.push(`${name}()`);
          break;
        }
        case 'relation':
          edits.push(replace(placement.expression, `${q}${ref.label}.${ref.name}${q}`));
          relations.push(site.line);
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
    summary.push(describe(binding, uses.registry, functions, relations, annotations, forTypeCheckers, uses.futureAnnotations));
  }

  for (const { definition, lookups: needed } of [...lookups.values()].sort((a, b) => a.definition.startIndex - b.definition.startIndex)) {
    const insertion = bodyInsertion(definition, text);
    if (!insertion) return { ok: false, reason: `the body of ${definition.childForFieldName('name')?.text}() has no line for a lookup` };
    const lines = needed.map(({ local, ref }) => `${insertion.indent}${local} = ${uses.registry}.get_model(${q}${ref.label}${q}, ${q}${ref.name}${q})${eol}`);
    edits.push({ start: insertion.at, end: insertion.at, text: lines.join('') });
  }
  for (const { statement, names } of removals.values()) edits.push(...removeImportedNames(text, statement, names));
  if (lookups.size > 0 && uses.registry === 'apps') edits.push(...addImport(text, tree, { module: 'django.apps', name: 'apps' }));
  if (typeChecking.length > 0) {
    edits.push(...addTypeCheckingImports(text, tree, typeChecking.map((entry) => entry.spec), typeChecking[0].binding.statement, edits));
  }
  const labels = new Map(lazy.flatMap((binding) => Object.values(binding.models)).map((ref) => [ref.label, `"${ref.label}" is ${ref.labelSource}`]));
  return { ok: true, edits: mergeInsertions(edits), summary, labels: [...labels.values()] };
}

function replace(node: Node, text: string): TextEdit {
  return { start: node.startIndex, end: node.endIndex, text };
}

/** The import statement a binding came from, as type checkers should still see it. */
function specOf(binding: ImportBinding): ImportSpec {
  const module = `${'.'.repeat(binding.level)}${binding.module}`;
  return binding.name !== undefined ? { module, name: binding.name, alias: binding.alias } : { module: binding.dotted!, alias: binding.alias };
}

/** Insertions at the same offset become one, in the order they were made (two would conflict). */
function mergeInsertions(edits: TextEdit[]): TextEdit[] {
  const merged: TextEdit[] = [];
  for (const edit of edits) {
    const same = edit.start === edit.end ? merged.find((other) => other.start === edit.start && other.end === edit.start) : undefined;
    if (same) same.text += edit.text;
    else merged.push({ ...edit });
  }
  return merged;
}

function describe(binding: LazyBinding, registry: string, functions: string[], relations: number[], annotations: number[], forTypeCheckers: boolean, future: boolean): string {
  const names = binding.kind === 'class' ? [binding.local] : Object.keys(binding.models).map((member) => `${binding.local}.${member}`);
  const refs = Object.values(binding.models);
  const lines = (numbers: number[]) => `line${numbers.length > 1 ? 's' : ''} ${listText([...new Set(numbers)].map(String))}`;
  const parts: string[] = [];
  if (functions.length > 0) parts.push(`looked up with ${listText(refs.map((ref) => `${registry}.get_model("${ref.label}", "${ref.name}")`))} at the top of ${listText(functions)}`);
  if (relations.length > 0) parts.push(`named by ${listText([...new Set(refs.map((ref) => `"${ref.label}.${ref.name}"`))])} in the relation field${relations.length > 1 ? 's' : ''} at ${lines(relations)}`);
  if (annotations.length > 0) parts.push(`quoted in the annotation${annotations.length > 1 ? 's' : ''} at ${lines(annotations)}`);
  if (forTypeCheckers) parts.push(`imported under if TYPE_CHECKING: for type checkers${future ? ' (from __future__ import annotations keeps its annotations unevaluated, so they stay as they are)' : ''}`);
  return `${listText(names)} ${listText(parts)}`;
}
