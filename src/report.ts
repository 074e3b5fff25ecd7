// What a run says: the human text of each mode, and the stable JSON schema.
import pc from 'picocolors';
import { colourDiff, displayPath, unifiedDiff } from './diff';
import type { ReportedFinding, RunReport } from './runner';

export type Mode = 'dry-run' | 'check' | 'write' | 'interactive';

export interface WriteFailure {
  path: string;
  reason: string;
}

export const JSON_SCHEMA_VERSION = 1;

function location(root: string, finding: ReportedFinding): string {
  return `${displayPath(root, finding.location.path)}:${finding.location.line}:${finding.location.column}`;
}

/** `path:line:col [transform, safety] message`, with the sources on a second line unless `brief`. */
function findingLine(root: string, finding: ReportedFinding, colour: boolean, brief = false): string {
  const label = finding.change && finding.status === 'applied' ? `${finding.transform}, ${finding.change.safety}` : finding.transform;
  const tag = colour ? pc.magenta(`[${label}]`) : `[${label}]`;
  const where = colour ? pc.bold(location(root, finding)) : location(root, finding);
  const sources = finding.sources?.length && !brief ? `\n    see: ${finding.sources.join('; ')}` : '';
  return `${where} ${tag} ${finding.message}${sources}`;
}

/** Diffs with the explanation of every fix above them: what `--dry-run` prints. */
export function renderDiffs(report: RunReport, colour: boolean): string {
  const out: string[] = [];
  const explained = new Set<ReportedFinding>();
  for (const file of report.files) {
    // A fix that spans files is explained once, above the first of its diffs.
    const fixes = report.findings.filter((finding) => finding.status === 'applied' && !explained.has(finding) && finding.change?.files.some((change) => change.path === file.path));
    for (const finding of fixes) {
      explained.add(finding);
      out.push(findingLine(report.root, finding, colour));
    }
    const diff = unifiedDiff(displayPath(report.root, file.path), file.before, file.after);
    out.push(colour ? colourDiff(diff) : diff);
  }
  return out.join('\n');
}

/** One line per finding: what `--check` prints, and `--write` after writing. */
export function renderFindings(report: RunReport, colour: boolean): string {
  return report.findings
    .filter((finding) => finding.status === 'applied')
    .map((finding) => findingLine(report.root, finding, colour, true))
    .join('\n');
}

/** Findings not fixed, files skipped, problems, and the counts. */
export function renderSummary(report: RunReport, mode: Mode, failures: WriteFailure[], colour: boolean): string {
  const out: string[] = [];
  const heading = (text: string) => (colour ? pc.bold(text) : text);
  const notFixed = report.findings.filter((finding) => finding.status !== 'applied' && finding.status !== 'declined');
  if (notFixed.length > 0) {
    out.push(heading('Found, not fixed:'));
    for (const finding of notFixed) out.push(`  ${findingLine(report.root, finding, colour)}\n    not fixed: ${finding.notFixed ?? 'no safe fix'}`);
  }
  if (report.skips.length > 0) {
    out.push(heading('Skipped files:'));
    for (const skip of report.skips) out.push(`  ${displayPath(report.root, skip.path)}: ${skip.reason}`);
  }
  const shown = (file: string) => displayPath(report.root, file);
  const problems = [...report.problems.map((p) => ({ path: p.line ? `${shown(p.path)}:${p.line}` : shown(p.path), message: p.message })), ...failures.map((f) => ({ path: shown(f.path), message: f.reason }))];
  if (problems.length > 0) {
    out.push(heading('Problems:'));
    for (const problem of problems) out.push(`  ${problem.path}: ${problem.message}`);
  }
  out.push(summaryLine(report, mode, failures));
  return out.join('\n');
}

/** The counts of a run, on one line: the last line of every text output. */
export function summaryLine(report: RunReport, mode: Mode, failures: WriteFailure[]): string {
  const applied = report.findings.filter((finding) => finding.status === 'applied');
  const notFixed = report.findings.filter((finding) => finding.status !== 'applied' && finding.status !== 'declined');
  const problems = report.problems.length + failures.length;
  const byTransform = new Map<string, number>();
  for (const finding of applied) byTransform.set(finding.transform, (byTransform.get(finding.transform) ?? 0) + 1);
  const perTransform = [...byTransform].map(([id, count]) => `${id} ${count}`).join(', ');
  const changedFiles = report.files.length - failures.length;
  const verb = mode === 'write' || mode === 'interactive' ? 'Changed' : 'Would change';
  const django = report.django.version ? `Django ${report.django.version.join('.')} (from ${report.django.source})` : `Django: ${report.django.source}`;
  return (
    `${verb} ${changedFiles} file${changedFiles === 1 ? '' : 's'} with ${applied.length} fix${applied.length === 1 ? '' : 'es'}${perTransform ? ` (${perTransform})` : ''}; ` +
    `${notFixed.length} not fixed; ${report.suppressed} suppressed; ${report.skips.length} skipped; ${problems} problem${problems === 1 ? '' : 's'}. ` +
    `${report.filesChecked} of ${report.filesIndexed} indexed files checked; target ${django}.`
  );
}

/** The `--json` document. Its shape is versioned by `schema`; fields are only ever added. */
export function toJson(report: RunReport, mode: Mode, failures: WriteFailure[], version: string): object {
  const failed = new Set(failures.map((failure) => failure.path));
  return {
    schema: JSON_SCHEMA_VERSION,
    djfix: version,
    mode,
    root: report.root,
    django: { version: report.django.version ? report.django.version.join('.') : null, source: report.django.source },
    findings: report.findings.map((finding) => ({
      transform: finding.transform,
      code: finding.code,
      path: finding.location.path,
      line: finding.location.line,
      column: finding.location.column,
      message: finding.message,
      sources: finding.sources ?? [],
      status: finding.status,
      safety: finding.change?.safety ?? null,
      files: finding.change?.files.map((file) => file.path) ?? [],
      reason: finding.notFixed ?? null,
    })),
    changes: report.files.map((file) => ({
      path: file.path,
      created: file.before === null,
      written: mode === 'write' || mode === 'interactive' ? !failed.has(file.path) : false,
      diff: unifiedDiff(displayPath(report.root, file.path), file.before, file.after),
    })),
    skipped: report.skips,
    problems: [...report.problems, ...failures.map((failure) => ({ path: failure.path, message: failure.reason }))],
    summary: {
      filesIndexed: report.filesIndexed,
      filesChecked: report.filesChecked,
      filesChanged: report.files.length - failures.length,
      fixes: report.findings.filter((finding) => finding.status === 'applied').length,
      notFixed: report.findings.filter((finding) => finding.status !== 'applied' && finding.status !== 'declined').length,
      suppressed: report.suppressed,
    },
    unusedIgnores: report.unusedIgnores,
  };
}

/** `--report-unused-ignores`: each suppression comment that dropped nothing, where it is. */
export function renderUnusedIgnores(report: RunReport, colour: boolean): string {
  const heading = 'Suppressions that suppressed nothing:';
  return [colour ? pc.bold(heading) : heading, ...report.unusedIgnores.map((unused) => `  ${displayPath(report.root, unused.path)}:${unused.line}: ${unused.comment}`)].join('\n');
}
