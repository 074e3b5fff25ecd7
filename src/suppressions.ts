// Suppression comments. `# djfix: ignore` (every transform) or `# djfix: ignore[id, ...]` on the line
// of a finding, or on the first line of the statement that holds it, drops the finding: it is
// neither fixed nor reported. "The statement that holds it" is the innermost one: a comment on the
// first line of a multi-line MIDDLEWARE list or import covers the whole statement, one on a `for`,
// `if`, `def` or `class` line covers that statement's header, never its body. Comments are the
// comment nodes of the tree, so `"# djfix: ignore"` inside a string is not one.
import type { Problem } from './model';
import type { Node, Tree } from './parse';

export interface Suppression {
  /** 1-based line of the comment. */
  line: number;
  /** The last line it covers: the end of the statement (or header) that starts on its line. */
  lastLine: number;
  /** The transforms it names; undefined for a bare `# djfix: ignore`, which names them all. */
  ids?: string[];
  /** The comment as written. */
  comment: string;
  /** Why it is not a suppression djfix understands; such a comment suppresses nothing. */
  malformed?: string;
}

/** A finding a suppression dropped: enough to count it and to know the comment was used. */
export interface SuppressedFinding {
  transform: string;
  code: string;
  path: string;
  line: number;
  /** Line of the comment that dropped it, in `path`. */
  by: number;
}

export interface UnusedSuppression {
  path: string;
  line: number;
  comment: string;
}

/** Only a text holding this can hold a suppression: other files are not searched for comments. */
export function mayHoldSuppressions(text: string): boolean {
  return text.includes('djfix:');
}

const DIRECTIVE = /#\s*djfix:\s*(.*)$/;
const IGNORE = /^ignore(?:\[([^\]]*)\])?(?=\s|$)/;

/** The djfix comments of a file, in line order. */
export function suppressionsIn(tree: Tree): Suppression[] {
  const found: Suppression[] = [];
  for (const comment of tree.rootNode.descendantsOfType('comment')) {
    const directive = DIRECTIVE.exec(comment.text);
    if (!directive) continue;
    const row = comment.startPosition.row;
    const suppression: Suppression = { line: row + 1, lastLine: lastRowCovered(comment) + 1, comment: comment.text };
    const ignore = IGNORE.exec(directive[1]);
    if (!ignore) {
      suppression.malformed = directive[1].startsWith('ignore[') ? 'its [ has no closing ]' : 'djfix knows only "# djfix: ignore" and "# djfix: ignore[transform-id, ...]"';
    } else if (ignore[1] !== undefined) {
      const ids = ignore[1].split(',').map((id) => id.trim());
      if (ids.some((id) => id === '')) suppression.malformed = 'an empty name in its [...] list';
      else suppression.ids = ids;
    }
    found.push(suppression);
  }
  return found;
}

/** The suppression that drops a finding of `transform` on `line`, if any. */
export function suppressionFor(suppressions: Suppression[], transform: string, line: number): Suppression | undefined {
  return suppressions.find((suppression) => !suppression.malformed && suppression.line <= line && line <= suppression.lastLine && (!suppression.ids || suppression.ids.includes(transform)));
}

/**
 * The last row a comment covers: the end of every statement that starts on its row (for a compound
 * statement, the end of its header). A comment inside a multi-line statement is one of its nodes; a
 * comment after a one-line statement is the statement's next sibling.
 */
function lastRowCovered(comment: Node): number {
  const row = comment.startPosition.row;
  const candidates: Node[] = [];
  for (let node = comment.parent; node; node = node.parent) if (isStatement(node) && node.startPosition.row === row) candidates.push(node);
  const previous = comment.previousNamedSibling;
  if (previous && isStatement(previous) && previous.startPosition.row === row) candidates.push(previous);
  return Math.max(row, ...candidates.map(headerEndRow));
}

function isStatement(node: Node): boolean {
  return node.parent?.type === 'module' || node.parent?.type === 'block';
}

/** A simple statement's last row; for a compound one, the row of the colon that ends its header. */
function headerEndRow(statement: Node): number {
  const owner = statement.type === 'decorated_definition' ? (statement.childForFieldName('definition') ?? statement) : statement;
  const body = owner.children.find((child) => child.type === 'block');
  if (!body) return statement.endPosition.row;
  let colon = body.previousSibling;
  while (colon?.type === 'comment') colon = colon.previousSibling;
  return colon ? colon.endPosition.row : statement.startPosition.row;
}

/** What the suppressions of the analysed files add up to: the count, the comments that dropped nothing, and the ones djfix cannot use. */
export function suppressionOutcome(
  results: Array<{ path: string; suppressions?: Suppression[]; suppressed?: SuppressedFinding[] }>,
  ran: string[],
  known: string[],
): { suppressed: number; unused: UnusedSuppression[]; problems: Problem[] } {
  const dropped = results.flatMap((result) => result.suppressed ?? []);
  const used = new Set(dropped.map((finding) => `${finding.path}:${finding.by}`));
  const unused: UnusedSuppression[] = [];
  const problems: Problem[] = [];
  for (const result of results) {
    for (const suppression of result.suppressions ?? []) {
      const where = { path: result.path, line: suppression.line };
      if (suppression.malformed) {
        problems.push({ ...where, message: `"${suppression.comment}" is not a suppression djfix understands (${suppression.malformed}); it suppresses nothing` });
        continue;
      }
      const unknown = suppression.ids?.filter((id) => !known.includes(id)) ?? [];
      for (const id of unknown) problems.push({ ...where, message: `"${suppression.comment}" names unknown transform "${id}" (known: ${known.join(', ')})` });
      // A comment for transforms that did not run (--only, --skip) cannot be judged unused.
      const couldApply = !suppression.ids || suppression.ids.some((id) => ran.includes(id));
      if (couldApply && !used.has(`${result.path}:${suppression.line}`)) unused.push({ ...where, comment: suppression.comment });
    }
  }
  return { suppressed: dropped.length, unused, problems };
}
