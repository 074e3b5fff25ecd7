// The text test a file passes before select-related parses it: every loop the transform reports on
// reads `row.relation` on its variable, so a file where no loop variable is ever followed by a
// relation name of the project's models is not analysed. Most files that loop over querysets only
// read plain fields; on a large project this test spares the parse and analysis of two thirds of
// them. It must never turn away a file the analysis would report on, so every step errs toward
// "maybe": text in strings and comments counts, and Python's token gaps are all allowed.
import type { ProjectIndex } from '../../src/project/index';
import { wordOccurrences } from '../../src/source';
import type { Loop } from './loops';

/**
 * A name, read wider than Python's identifiers (which tree-sitter-python takes from Unicode's
 * XID_Start and XID_Continue) so that no name is ever cut short.
 */
const IDENTIFIER = String.raw`[\p{ID_Continue}\p{L}\p{M}\p{N}\p{Pc}]+`;
/**
 * What may separate two tokens: whitespace (tree-sitter-python also skips a few invisible
 * characters), line continuations, and, inside brackets, line breaks and comments.
 */
const GAP = String.raw`(?:[\s\u200B\u2060]|\\(?:\r\n|\r|\n)|#[^\r\n]*)*`;
/** What follows an object read as `object.attribute`: the attribute's name. */
const ATTRIBUTE_AFTER = new RegExp(`${GAP}\\.${GAP}(${IDENTIFIER})`, 'uy');
const FOR = /\bfor\b/g;
/** The tokens of a loop target: a comment, a name, or any other single character. */
const TARGET_TOKEN = new RegExp(`(#[^\\r\\n]*)|(${IDENTIFIER})|[^]`, 'uy');

const relationNames = new WeakMap<ProjectIndex, Set<string>>();

/** Every attribute name that is a relation (either direction, resolved or not) of some model in the index. */
function relationsOf(index: ProjectIndex): Set<string> {
  let names = relationNames.get(index);
  if (!names) {
    names = new Set();
    for (const model of Object.values(index.models)) {
      for (const field of model.fields) if (field.relation) names.add(field.name);
      for (const reverse of model.reverse) names.add(reverse.accessor);
    }
    relationNames.set(index, names);
  }
  return names;
}

/**
 * The variables of the file's loops. A loop djfix follows binds its rows to a name, alone or second of
 * two (`for i, row in enumerate(...)`), so the variable is the last name before the target's `in`:
 * the first `in` after `for` outside a comment, since a target holds no strings. A `for` in prose
 * only adds a name or two.
 */
function loopVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(FOR)) {
    TARGET_TOKEN.lastIndex = match.index + match[0].length;
    let last: string | undefined;
    let token: RegExpExecArray | null;
    while ((token = TARGET_TOKEN.exec(text)) && token[2] !== 'in') last = token[2] ?? last;
    // Without an `in` up to the end, no later `for` has one either.
    if (!token) break;
    if (last) names.add(last);
  }
  return names;
}

/** Whether some loop variable of the file may be read as `variable.relation`. */
export function mayReadRelations(text: string, index: ProjectIndex): boolean {
  const relations = relationsOf(index);
  return relations.size > 0 && [...loopVariables(text)].some((variable) => readsRelation(text, variable, relations, 0, text.length));
}

/**
 * Whether the loop may read `variable.relation` in the code it runs per row: the same test for one
 * loop, so that the loops of a file that passed are not all followed.
 */
export function loopMayReadRelations(text: string, loop: Loop, index: ProjectIndex): boolean {
  const relations = relationsOf(index);
  return loop.regions.some((region) => readsRelation(text, loop.variable.text, relations, region.startIndex, region.endIndex));
}

function readsRelation(text: string, variable: string, relations: Set<string>, from: number, to: number): boolean {
  for (const at of wordOccurrences(text, variable, from, to)) {
    ATTRIBUTE_AFTER.lastIndex = at + variable.length;
    const attribute = ATTRIBUTE_AFTER.exec(text)?.[1];
    if (attribute !== undefined && relations.has(attribute)) return true;
  }
  return false;
}
