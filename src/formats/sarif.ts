// `--format sarif`: a SARIF 2.1.0 log that GitHub code scanning accepts. One rule per kind of finding
// (`transform/code`), one result per finding still in the code on disk when djfix exits (with --write,
// those it did not fix), each with a fingerprint that survives edits elsewhere in the file and, for
// fixes djfix would make, the replacements that make them.
import { pathToFileURL } from 'node:url';
import type { Finding, TextEdit } from '../model';
import type { ReportedFinding } from '../runner';
import { positionOf, textHash } from '../source';
import { lineAt, lineHash } from '../identity';
import type { Version } from '../project/django-version';
import { TRANSFORMS, transformById } from '../../transforms/registry';
import { helpUrl, parseSource } from './django-docs';
import { escapeMarkdown, sourceMarkdown } from './markdown';
import { leftAlone, Outcome, repositoryPath, repositoryRoot, textsAsRead, wrote } from './outcome';
import { compareText } from '../order';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** GitHub cuts rule descriptions longer than this. */
const DESCRIPTION_LIMIT = 1024;
const SRCROOT = '%SRCROOT%';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const HOMEPAGE: string | undefined = require('../../../package.json').homepage;

type Level = 'error' | 'warning' | 'note';

interface Region {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}

/** `executionSuccessful` is false when djfix exits 2: a write failed, or djfix caught a bug of its own. */
export function toSarif(outcome: Outcome, executionSuccessful: boolean): object {
  const { report } = outcome;
  const repository = repositoryRoot(report.root);
  const artifact = (file: string) => ({ uri: repositoryPath(repository, report.root, file).split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT });
  const textOf = textsAsRead(report);
  const findings = wrote(outcome) ? leftAlone(report) : report.findings.filter((finding) => finding.status !== 'declined');
  const rules = rulesOf(findings, report.django.version);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const occurrences = new Map<string, number>();

  const results = findings.map((finding) => {
    const text = textOf(finding.location.path);
    const hash = lineHash(finding, text === undefined ? '' : lineAt(text, finding.location.line));
    const occurrence = (occurrences.get(hash) ?? 0) + 1;
    occurrences.set(hash, occurrence);
    const ruleId = ruleIdOf(finding);
    const fix = finding.status === 'applied' ? fixOf(finding, textOf, artifact) : undefined;
    return {
      ruleId,
      ruleIndex: ruleIndex.get(ruleId)!,
      level: levelOf(finding),
      message: { text: finding.status === 'applied' ? finding.message : `${finding.message}\n\nNot fixed: ${finding.notFixed ?? 'no safe fix'}` },
      locations: [{ physicalLocation: { artifactLocation: artifact(finding.location.path), region: lineRegion(text, finding.location.line, finding.location.column) } }],
      partialFingerprints: { primaryLocationLineHash: `${hash}:${occurrence}` },
      ...(fix ? { fixes: [fix] } : {}),
      properties: { status: finding.status, ...(finding.change ? { safety: finding.change.safety } : {}), sources: finding.sources ?? [] },
    };
  });

  const notification = (level: Level, text: string, file?: string, line?: number) => ({
    level,
    message: { text },
    ...(file ? { locations: [{ physicalLocation: { artifactLocation: artifact(file), ...(line ? { region: { startLine: line } } : {}) } }] } : {}),
  });
  const notifications = [
    ...report.problems.map((problem) => notification(problem.message.startsWith('djfix bug') ? 'error' : 'warning', problem.message, problem.path, problem.line)),
    ...outcome.failures.map((failure) => notification('error', failure.reason, failure.path)),
    ...report.skips.map((skip) => notification('note', `skipped: ${skip.reason}`, skip.path)),
    ...outcome.unusedIgnores.map((unused) => notification('warning', `${unused.comment} suppresses nothing`, unused.path, unused.line)),
    ...(outcome.reportError ? [notification('error', outcome.reportError)] : []),
  ];

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'djfix', version: outcome.version, semanticVersion: outcome.version, ...(HOMEPAGE ? { informationUri: HOMEPAGE } : {}), rules } },
        invocations: [{ executionSuccessful, toolExecutionNotifications: notifications }],
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(repository).href}/` } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function ruleIdOf(finding: Finding): string {
  return `${finding.transform}/${finding.code}`;
}

/** A fix djfix makes (or would) is a warning; what it leaves alone is a note: it found no safe fix. */
function levelOf(finding: ReportedFinding): Level {
  return finding.status === 'not-fixed' ? 'note' : 'warning';
}

/** One rule per kind of finding in the log, in registry order, with the sources its findings cite. */
function rulesOf(findings: ReportedFinding[], version: Version | null) {
  const ids = [...new Set(findings.map(ruleIdOf))];
  const sourcesOf = (id: string) => [...new Set(findings.filter((finding) => ruleIdOf(finding) === id).flatMap((finding) => finding.sources ?? []))];
  return ids
    .map((id) => ({ id, transform: transformById(id.slice(0, id.indexOf('/')))!, code: id.slice(id.indexOf('/') + 1) }))
    .sort((a, b) => TRANSFORMS.indexOf(a.transform) - TRANSFORMS.indexOf(b.transform) || compareText(a.code, b.code))
    .map(({ id, transform, code }) => {
      const sources = sourcesOf(id);
      const uri = helpUrl(sources, version);
      const cited = sources.map((source) => {
        const parsed = parseSource(source, version);
        return { text: 'url' in parsed ? `${source} <${parsed.url}>` : source, markdown: sourceMarkdown(source, version) };
      });
      return {
        id,
        name: id,
        shortDescription: { text: limit(`${transform.title} (${code})`) },
        fullDescription: { text: limit(transform.explanation) },
        help: {
          text: [transform.explanation, ...(cited.length ? [`Sources: ${cited.map((source) => source.text).join('; ')}`] : [])].join('\n\n'),
          markdown: [escapeMarkdown(transform.explanation), ...(cited.length ? [`Sources:\n\n${cited.map((source) => `- ${source.markdown}`).join('\n')}`] : [])].join('\n\n'),
        },
        ...(uri ? { helpUri: uri } : {}),
        defaultConfiguration: { level: 'warning' },
        properties: { tags: ['django', transform.id] },
      };
    });
}

/** Cut at the last sentence that fits, so a description never ends mid-word. */
function limit(text: string): string {
  if (text.length <= DESCRIPTION_LIMIT) return text;
  const cut = text.slice(0, DESCRIPTION_LIMIT - 1);
  const sentence = cut.lastIndexOf('. ');
  return sentence > 0 ? cut.slice(0, sentence + 1) : `${cut}…`;
}

/** The finding's line from its column to the line's end: GitHub underlines that much. */
function lineRegion(text: string | undefined, line: number, column: number): Region {
  if (text === undefined) return { startLine: line, startColumn: column };
  return { startLine: line, startColumn: column, endLine: line, endColumn: Math.max(column, lineAt(text, line).length + 1) };
}

function offsetRegion(text: string, start: number, end: number): Region {
  const from = positionOf(text, start);
  const to = positionOf(text, end);
  return { startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column };
}

/**
 * The replacements of a fix, against the files as they are on disk. A fix djfix made on top of another
 * (they overlapped, so it was analysed again on the changed text) has none: it only applies after the other.
 */
function fixOf(finding: ReportedFinding, textOf: (file: string) => string | undefined, artifact: (file: string) => object): object | undefined {
  const artifactChanges = [];
  for (const file of finding.change!.files) {
    if (file.kind === 'create') {
      artifactChanges.push({ artifactLocation: artifact(file.path), replacements: [{ deletedRegion: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }, insertedContent: { text: file.text } }] });
      continue;
    }
    const text = textOf(file.path);
    if (text === undefined || (file.baseHash !== undefined && file.baseHash !== textHash(text))) return undefined;
    const replacements = [...file.edits]
      .sort((a: TextEdit, b: TextEdit) => a.start - b.start)
      .map((edit) => ({ deletedRegion: offsetRegion(text, edit.start, edit.end), insertedContent: { text: edit.text } }));
    artifactChanges.push({ artifactLocation: artifact(file.path), replacements });
  }
  return { description: { text: transformById(finding.transform)?.title ?? finding.transform }, artifactChanges };
}
