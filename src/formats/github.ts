// `--format github`: one GitHub Actions workflow command per finding still in the code on disk when
// djfix exits, which the runner turns into an annotation on that line; problems become errors or
// warnings on their file. Paths are relative to the repository root, where Actions resolves them.
// Actions shows 10 annotations of each level per step; the log keeps every line.
import type { Version } from '../project/django-version';
import type { ReportedFinding } from '../runner';
import { parseSource } from './django-docs';
import { fixes, leftAlone, Outcome, repositoryPath, repositoryRoot, wrote } from './outcome';

type Command = 'error' | 'warning' | 'notice';

/** Workflow-command data: the message after `::`. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow-command property value, where `:` and `,` would end it. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(name: Command, properties: Record<string, string | number | undefined>, message: string): string {
  const list = Object.entries(properties)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${list ? ` ${list}` : ''}::${escapeData(message)}`;
}

export function renderGithubAnnotations(outcome: Outcome): string {
  const { report } = outcome;
  const repository = repositoryRoot(report.root);
  const file = (path: string) => repositoryPath(repository, report.root, path);
  const findings = wrote(outcome) ? leftAlone(report) : [...fixes(report), ...leftAlone(report)];
  const lines = findings.map((finding) =>
    command(finding.status === 'not-fixed' ? 'notice' : 'warning', { file: file(finding.location.path), line: finding.location.line, col: finding.location.column, title: `djfix ${finding.transform}` }, messageOf(finding, report.django.version)),
  );
  for (const problem of report.problems) lines.push(command(problem.message.startsWith('djfix bug') ? 'error' : 'warning', { file: file(problem.path), line: problem.line, title: 'djfix' }, problem.message));
  for (const failure of outcome.failures) lines.push(command('error', { file: file(failure.path), title: 'djfix' }, failure.reason));
  for (const unused of outcome.unusedIgnores) lines.push(command('warning', { file: file(unused.path), line: unused.line, title: 'djfix' }, `${unused.comment} suppresses nothing`));
  if (outcome.reportError) lines.push(command('error', { title: 'djfix' }, outcome.reportError));
  return lines.join('\n');
}

function messageOf(finding: ReportedFinding, version: Version | null): string {
  const next = finding.status === 'applied' ? 'djfix --write fixes it.' : `Not fixed: ${finding.notFixed ?? 'no safe fix'}`;
  const pages = (finding.sources ?? []).map((source) => parseSource(source, version)).map((source) => ('url' in source ? source.url : source.text));
  return [finding.message, next, ...(pages.length ? [`See: ${pages.join(', ')}`] : [])].join('\n');
}
