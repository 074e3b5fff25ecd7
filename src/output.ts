// What a finished run prints (in the chosen format), the `--report` file it writes, and the exit code.
import path from 'node:path';
import { renderDiffs, renderFindings, renderSummary, renderUnusedIgnores, summaryLine, toJson } from './report';
import { replaceFile } from './write';
import { renderGithubAnnotations } from './formats/github';
import { Outcome, wrote } from './formats/outcome';
import { GITHUB_BODY_LIMIT, renderPullRequestReport } from './formats/pr-report';
import { toSarif } from './formats/sarif';

export const EXIT = { clean: 0, changes: 1, error: 2 } as const;

export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * 2 when something went wrong (a file or the report not written, a djfix bug caught); 1 when a dry run
 * or check found changes, `--exit-non-zero-on-fix` and fixes were written, or a suppression reported
 * unused; else 0. Findings djfix does not fix never count: some are only information (an import cycle
 * that imports fine), and none is something the run could have done.
 */
export function exitCode(outcome: Outcome, exitNonZeroOnFix: boolean): number {
  const { report, failures, reportError, unusedIgnores } = outcome;
  const bug = report.problems.some((problem) => problem.message.startsWith('djfix bug'));
  if (failures.length > 0 || bug || reportError) return EXIT.error;
  if (report.files.length > 0 && (!wrote(outcome) || exitNonZeroOnFix)) return EXIT.changes;
  if (unusedIgnores.length > 0) return EXIT.changes;
  return EXIT.clean;
}

/** Everything a run prints on stdout, in one format; errors go to stderr from the caller. */
export function render(format: Format, outcome: Outcome, code: number, colour: boolean): string {
  const { report, mode, failures, version } = outcome;
  switch (format) {
    case 'json':
      return JSON.stringify(toJson(report, mode, failures, version), null, 2);
    case 'sarif':
      return JSON.stringify(toSarif(outcome, code !== EXIT.error), null, 2);
    case 'github':
      return joinLines(renderGithubAnnotations(outcome), summaryLine(report, mode, failures));
    case 'text': {
      const changes = report.files.length === 0 || mode === 'interactive' ? '' : mode === 'dry-run' ? renderDiffs(report, colour) : renderFindings(report, colour);
      const unused = outcome.unusedIgnores.length > 0 ? renderUnusedIgnores(report, colour) : '';
      return joinLines(changes, unused, renderSummary(report, mode, failures, colour));
    }
  }
}

/** Non-empty pieces, each ending its last line. */
function joinLines(...pieces: string[]): string {
  return pieces
    .filter(Boolean)
    .map((piece) => (piece.endsWith('\n') ? piece : `${piece}\n`))
    .join('');
}

/**
 * Writes the pull-request description to `file` (relative to where djfix runs); returns why it could
 * not, and notes on stderr when GitHub would refuse it as too long.
 */
export function writeReport(file: string, outcome: Outcome, warn: (text: string) => void): string | undefined {
  const text = renderPullRequestReport(outcome);
  const written = replaceFile(path.resolve(file), text);
  if (!written.ok) return `cannot write the report: ${written.reason}`;
  if (text.length > GITHUB_BODY_LIMIT) {
    warn(`djfix: the report has ${text.length} characters; GitHub takes at most ${GITHUB_BODY_LIMIT} in a pull-request description (split the run with --only or --shard)`);
  }
  return undefined;
}
