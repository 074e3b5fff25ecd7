// What the CI formats (SARIF, GitHub annotations, the pull-request report) are made from: the run,
// what writing did, and where the repository is, since GitHub resolves paths from the repository root.
import fs from 'node:fs';
import path from 'node:path';
import { readSource } from '../analysis';
import type { Mode, WriteFailure } from '../report';
import type { ReportedFinding, RunReport } from '../runner';
import type { UnusedSuppression } from '../suppressions';

export interface Outcome {
  report: RunReport;
  mode: Mode;
  failures: WriteFailure[];
  /** djfix's version. */
  version: string;
  /** Why the `--report` file could not be written, if it could not. */
  reportError?: string;
  /** With `--report-unused-ignores`, the `# djfix: ignore` comments that suppressed nothing; else none. */
  unusedIgnores: UnusedSuppression[];
}

/** Whether the files djfix changed are on disk now (write, interactive) or only proposed (dry run, check). */
export function wrote(outcome: Outcome): boolean {
  return outcome.mode === 'write' || outcome.mode === 'interactive';
}

/** Findings whose fix this run applied (written) or would apply (dry run, check). */
export function fixes(report: RunReport): ReportedFinding[] {
  return report.findings.filter((finding) => finding.status === 'applied');
}

/** Findings djfix found and did not fix; declined ones are the user's choice, not djfix's. */
export function leftAlone(report: RunReport): ReportedFinding[] {
  return report.findings.filter((finding) => finding.status !== 'applied' && finding.status !== 'declined');
}

/** The nearest directory at or above the project root that holds `.git`; else the project root. */
export function repositoryRoot(root: string): string {
  for (let dir = root; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return root;
  }
}

/** A project path (relative to the project root) as a path relative to the repository root. */
export function repositoryPath(repository: string, root: string, file: string): string {
  return path.relative(repository, path.join(root, file)).split(path.sep).join('/');
}

/**
 * The text of each file as djfix read it, which finding locations refer to: from the run for files it
 * changed (on disk they may hold the fixes now), else from disk.
 */
export function textsAsRead(report: RunReport): (file: string) => string | undefined {
  const known = new Map<string, string | undefined>(report.files.map((file) => [file.path, file.before ?? undefined]));
  return (file) => {
    if (!known.has(file)) {
      const read = readSource(report.root, file, Number.MAX_SAFE_INTEGER);
      known.set(file, read.ok ? read.text : undefined);
    }
    return known.get(file);
  };
}
