// What makes two findings the same finding when their lines move: the transform, the code, the file and
// the text of the finding's line. Messages quote line numbers, so they cannot tell it; the settle rounds
// (a file analysed again after other fixes) and SARIF's fingerprints (code scanning across commits) can.
import { createHash } from 'node:crypto';
import type { Finding } from './model';

/** The text of a 1-based line, without its end of line; '' past the end. */
export function lineAt(text: string, line: number): string {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', start);
    if (next === -1) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
}

/** A short hash of the finding's kind, file and line text; indentation and trailing blanks do not count. */
export function lineHash(finding: Finding, lineText: string): string {
  return createHash('sha256')
    .update([finding.transform, finding.code, finding.location.path, lineText.trim()].join('\0'))
    .digest('hex')
    .slice(0, 16);
}
