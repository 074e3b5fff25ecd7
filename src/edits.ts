// Applying edits with magic-string, and telling when two changes touch the same text.
import MagicString from 'magic-string';
import type { Change, TextEdit } from './model';

/** Applies non-overlapping edits, all given against the same original text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  if (edits.length === 0) return text;
  const magic = new MagicString(text);
  for (const edit of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    if (edit.start === edit.end) magic.appendLeft(edit.start, edit.text);
    else magic.overwrite(edit.start, edit.end, edit.text);
  }
  return magic.toString();
}

/**
 * Two edits conflict when their spans overlap, or when both insert at the same point (their order
 * would be a guess). Touching spans (one ends where the other starts) do not conflict.
 */
export function editsConflict(a: TextEdit, b: TextEdit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  if (a.start === a.end) return a.start > b.start && a.start < b.end;
  if (b.start === b.end) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

/**
 * Insertions at the same point joined into one, in the order given: a fix that inserts twice at one
 * point (an import and the code after it) would otherwise conflict with itself.
 */
export function mergeInsertions(edits: TextEdit[]): TextEdit[] {
  const merged: TextEdit[] = [];
  for (const edit of edits) {
    const same = edit.start === edit.end ? merged.find((other) => other.start === other.end && other.start === edit.start) : undefined;
    if (same) same.text += edit.text;
    else merged.push({ ...edit });
  }
  return merged;
}

/** Whether a change's edits to `path` overlap any of `taken`. New files conflict with any other change to them. */
export function changeConflicts(change: Change, taken: Map<string, TextEdit[] | 'created'>): boolean {
  return change.files.some((file) => {
    const existing = taken.get(file.path);
    if (!existing) return false;
    if (existing === 'created' || file.kind === 'create') return true;
    return file.edits.some((edit) => existing.some((other) => editsConflict(edit, other)));
  });
}

export function validateEdits(edits: TextEdit[], textLength: number): string | undefined {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 0; i < sorted.length; i++) {
    const edit = sorted[i];
    if (edit.start < 0 || edit.end > textLength || edit.start > edit.end) return `edit ${edit.start}-${edit.end} is outside the file`;
    if (i > 0 && editsConflict(sorted[i - 1], edit)) return `edits ${sorted[i - 1].start}-${sorted[i - 1].end} and ${edit.start}-${edit.end} overlap`;
  }
  return undefined;
}
