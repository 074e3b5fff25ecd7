// `--report FILE.md`: a pull-request description of a run. A summary table by transform, then every
// change with its location, what it does and why, and the Django documentation it follows; then what
// djfix found and left alone, with the reason; then skipped files and problems. Paths are relative to
// the repository root, as GitHub shows them; lines are those of the code as djfix read it. Nothing in
// it depends on the machine or the time, so the same run gives the same text.
import type { ReportedFinding } from '../runner';
import { TRANSFORMS } from '../../transforms/registry';
import { codeSpan, escapeMarkdown, folded, sourceMarkdown } from './markdown';
import { fixes, leftAlone, Outcome, repositoryPath, repositoryRoot, wrote } from './outcome';

/** Lists longer than this are folded, so the description opens on the summary. */
const FOLD_AFTER = 10;
/** GitHub refuses pull-request descriptions longer than this. */
export const GITHUB_BODY_LIMIT = 65_536;

export function renderPullRequestReport(outcome: Outcome): string {
  const { report } = outcome;
  const repository = repositoryRoot(report.root);
  const where = (file: string, line?: number) => codeSpan(`${repositoryPath(repository, report.root, file)}${line ? `:${line}` : ''}`);
  const version = report.django.version;
  const sources = (finding: ReportedFinding) => (finding.sources?.length ? `\n  See: ${finding.sources.map((source) => sourceMarkdown(source, version)).join('; ')}` : '');
  const applied = fixes(report);
  const notFixed = leftAlone(report);
  const failed = new Set(outcome.failures.map((failure) => failure.path));
  const filesChanged = report.files.filter((file) => !failed.has(file.path)).length;

  const out: string[] = [];
  const verb = wrote(outcome) ? 'changed' : 'would change';
  out.push(`## djfix: ${count(applied.length, 'fix', 'fixes')} in ${count(filesChanged, 'file')}`);
  const django = version ? `Django ${version.join('.')} (from ${report.django.source})` : `the latest Django (${report.django.source})`;
  const declined = report.findings.filter((finding) => finding.status === 'declined').length;
  out.push(
    `djfix ${outcome.version} ${verb} ${count(filesChanged, 'file')} with ${count(applied.length, 'fix', 'fixes')}, targeting ${escapeMarkdown(django)}; ` +
      `${count(notFixed.length, 'finding')} not fixed${report.suppressed ? `, ${report.suppressed} suppressed by \`# djfix: ignore\`` : ''}` +
      `${declined ? `, ${count(declined, 'fix', 'fixes')} declined in the session` : ''}.`,
  );
  if (report.findings.length > 0) out.push(summaryTable(outcome, failed));

  if (applied.length > 0) {
    out.push(wrote(outcome) ? '### Changes' : '### Changes djfix would make');
    for (const transform of TRANSFORMS) {
      const own = applied.filter((finding) => finding.transform === transform.id);
      if (own.length === 0) continue;
      const items = own.map((finding) => {
        const files = finding.change!.files;
        // Most fixes change only the line they are reported at; the others say which files they touch.
        const touched = files.length === 1 && files[0].path === finding.location.path ? '' : `\n  Changes ${files.map((file) => `${where(file.path)}${file.kind === 'create' ? ' (new)' : ''}`).join(', ')}.`;
        return `- **${where(finding.location.path, finding.location.line)}** (${finding.change!.safety}): ${escapeMarkdown(finding.message)}${touched}${sources(finding)}`;
      });
      out.push(`#### ${codeSpan(transform.id)}: ${escapeMarkdown(transform.title)}`, folded('Why', escapeMarkdown(transform.explanation)), foldLong(items, 'change'));
    }
  }
  if (notFixed.length > 0) {
    const items = notFixed.map(
      (finding) => `- **${where(finding.location.path, finding.location.line)}** ${codeSpan(finding.transform)}: ${escapeMarkdown(finding.message)}\n  **Not fixed:** ${escapeMarkdown(finding.notFixed ?? 'no safe fix')}${sources(finding)}`,
    );
    out.push('### Found, not fixed', foldLong(items, 'finding'));
  }
  if (report.skips.length > 0) {
    out.push('### Skipped files', foldLong(report.skips.map((skip) => `- ${where(skip.path)}: ${escapeMarkdown(skip.reason)}`), 'file'));
  }
  const problems = [
    ...report.problems.map((problem) => `- ${where(problem.path, problem.line)}: ${escapeMarkdown(problem.message)}`),
    ...outcome.failures.map((failure) => `- ${where(failure.path)}: ${escapeMarkdown(failure.reason)}`),
  ];
  if (problems.length > 0) out.push('### Problems', foldLong(problems, 'problem'));
  return `${out.join('\n\n')}\n`;
}

function summaryTable(outcome: Outcome, failed: Set<string>): string {
  const applied = fixes(outcome.report);
  const notFixed = leftAlone(outcome.report);
  const changedFiles = (findings: ReportedFinding[]) => new Set(findings.flatMap((finding) => finding.change!.files.map((file) => file.path)).filter((file) => !failed.has(file))).size;
  const rows = TRANSFORMS.map((transform) => {
    const own = applied.filter((finding) => finding.transform === transform.id);
    const left = notFixed.filter((finding) => finding.transform === transform.id).length;
    return { transform, fixed: own.length, left, files: changedFiles(own) };
  }).filter((row) => row.fixed + row.left > 0);
  return [
    `| Transform | ${wrote(outcome) ? 'Fixes applied' : 'Fixes to apply'} | Not fixed | Files changed |`,
    '|---|---:|---:|---:|',
    ...rows.map((row) => `| ${codeSpan(row.transform.id)}: ${escapeMarkdown(row.transform.title)} | ${row.fixed} | ${row.left} | ${row.files} |`),
    `| **Total** | **${applied.length}** | **${notFixed.length}** | **${changedFiles(applied)}** |`,
  ].join('\n');
}

function foldLong(items: string[], noun: string): string {
  const list = items.join('\n');
  return items.length > FOLD_AFTER ? folded(count(items.length, noun), list) : list;
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
