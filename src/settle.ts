// Settling: fixes are taken one group at a time in a deterministic order, each checked against the
// texts as changed so far. A fix whose edits overlap one already taken is set aside, and its file is
// analysed again on the new text, up to a fixed point. Nothing is written here.
import fs from 'node:fs';
import path from 'node:path';
import { analyzeBatch, collectText, readSource } from './analysis';
import { applyEdits, changeConflicts, validateEdits } from './edits';
import type { LoadedProject } from './load';
import type { Change, Finding, Problem, TextEdit } from './model';
import { countSyntaxErrors, parsePython } from './parse';
import { buildIndex, IndexInput, isMigrationPath } from './project/index';
import { moduleNameOf } from './project/modules';
import { analysisBatch, Decide, FileResult, ReportedFinding, RunOptions, RunReport } from './runner';
import { textHash } from './source';

/** The texts of the files djfix changed so far in this run, and what they were on disk. */
class Overlay {
  readonly files = new Map<string, FileResult>();
  /** Edits taken in the current round, against the texts the round analysed. */
  taken = new Map<string, TextEdit[] | 'created'>();
  /** The texts the current round analysed, for files it changed: later fixes of the round apply to them. */
  private roundTexts = new Map<string, string>();
  /** Syntax errors of texts already validated: the text before one fix is the text after the last. */
  private readonly errorCounts = new Map<string, number>();

  constructor(private readonly root: string, private readonly maxFileBytes: number) {}

  newRound(): void {
    this.taken = new Map();
    this.roundTexts = new Map();
  }

  /** The current text of a file, reading it from disk the first time; undefined if it does not exist. */
  text(file: string): string | undefined {
    const known = this.files.get(file);
    if (known) return known.after;
    if (!fs.existsSync(path.join(this.root, file))) return undefined;
    const read = readSource(this.root, file, this.maxFileBytes);
    if (!read.ok) throw new Error(`${file}: ${read.reason}`);
    this.files.set(file, { path: file, before: read.text, after: read.text, diskHash: read.hash });
    return read.text;
  }

  /** The texts a change would produce, or why it cannot be applied to the current texts. */
  preview(change: Change): { ok: true; texts: Array<{ path: string; before: string | null; after: string }> } | { ok: false; reason: string; bug?: boolean } {
    const texts = [];
    for (const file of change.files) {
      const current = this.text(file.path);
      if (file.kind === 'create') {
        if (current !== undefined) return { ok: false, reason: `${file.path} exists already` };
        texts.push({ path: file.path, before: null, after: file.text });
        continue;
      }
      if (current === undefined) return { ok: false, reason: `${file.path} does not exist` };
      // Fixes of one round were all made for the text the round analysed; those that do not overlap
      // apply together to it.
      const analysed = this.roundTexts.get(file.path) ?? current;
      if (file.baseHash && file.baseHash !== textHash(analysed)) return { ok: false, reason: `${file.path} changed since it was analysed` };
      const invalid = validateEdits(file.edits, analysed.length);
      if (invalid) return { ok: false, reason: `${file.path}: ${invalid}`, bug: true };
      const taken = this.taken.get(file.path);
      texts.push({ path: file.path, before: current, after: applyEdits(analysed, [...(Array.isArray(taken) ? taken : []), ...file.edits]) });
    }
    for (const { path: file, before, after } of texts) {
      if (!file.endsWith('.py')) continue;
      if (this.syntaxErrors(after) > (before === null ? 0 : this.syntaxErrors(before))) return { ok: false, reason: `the result in ${file} would not parse`, bug: true };
    }
    return { ok: true, texts };
  }

  private syntaxErrors(text: string): number {
    let count = this.errorCounts.get(text);
    if (count === undefined) {
      count = countSyntaxErrors(parsePython(text));
      this.errorCounts.set(text, count);
    }
    return count;
  }

  apply(change: Change, texts: Array<{ path: string; before: string | null; after: string }>): void {
    for (const { path: file, before } of texts) if (before !== null && !this.roundTexts.has(file)) this.roundTexts.set(file, before);
    for (const { path: file, after } of texts) {
      const known = this.files.get(file);
      if (known) known.after = after;
      else this.files.set(file, { path: file, before: null, after, diskHash: null });
    }
    for (const file of change.files) {
      const existing = this.taken.get(file.path);
      if (file.kind === 'create') this.taken.set(file.path, 'created');
      else if (existing !== 'created') this.taken.set(file.path, [...(existing ?? []), ...file.edits]);
    }
  }

  changed(): FileResult[] {
    return [...this.files.values()].filter((file) => file.before !== file.after).sort((a, b) => a.path.localeCompare(b.path));
  }
}

function fingerprint(finding: Finding): string {
  return `${finding.transform}|${finding.code}|${finding.location.path}|${finding.message}`;
}

function order(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.location.path.localeCompare(b.location.path) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      a.transform.localeCompare(b.transform) ||
      a.message.localeCompare(b.message),
  );
}

export async function settle(options: RunOptions, prepared: LoadedProject, firstFindings: Finding[], problems: Problem[], decide: Decide, filesChecked: number): Promise<Omit<RunReport, 'suppressed' | 'unusedIgnores'>> {
  const overlay = new Overlay(options.root, options.maxFileBytes);
  const reported = new Map<string, ReportedFinding>();
  let findings = firstFindings;
  let stopped = false;
  for (let round = 1; ; round++) {
    overlay.newRound();
    const setAside: Finding[] = [];
    for (const finding of order(findings)) {
      const key = fingerprint(finding);
      if (reported.has(key)) continue;
      if (!finding.change) {
        reported.set(key, { ...finding, status: 'not-fixed' });
        continue;
      }
      const migration = options.editMigrations ? undefined : finding.change.files.find((file) => isMigrationPath(file.path));
      if (migration) {
        reported.set(key, { ...finding, status: 'not-fixed', notFixed: `the fix would change the migration ${migration.path}; djfix changes migrations only with edit-migrations = true` });
        continue;
      }
      if (stopped) {
        reported.set(key, { ...finding, status: 'declined' });
        continue;
      }
      if (changeConflicts(finding.change, overlay.taken)) {
        setAside.push(finding);
        continue;
      }
      let preview;
      try {
        preview = overlay.preview(finding.change);
      } catch (error) {
        reported.set(key, { ...finding, status: 'not-fixed', notFixed: (error as Error).message });
        continue;
      }
      if (!preview.ok) {
        if (preview.bug) {
          reported.set(key, { ...finding, status: 'invalid', notFixed: `djfix bug: ${preview.reason}; the change was dropped (please report it)` });
          problems.push({ path: finding.location.path, line: finding.location.line, message: `djfix bug in ${finding.transform}: ${preview.reason}; the change was not applied` });
        } else {
          setAside.push(finding);
        }
        continue;
      }
      const decision = await decide(finding, preview.texts);
      if (decision === 'quit') {
        stopped = true;
        reported.set(key, { ...finding, status: 'declined' });
        continue;
      }
      if (decision === 'apply') overlay.apply(finding.change, preview.texts);
      reported.set(key, { ...finding, status: decision === 'apply' ? 'applied' : 'declined' });
    }
    if (setAside.length === 0 || stopped) break;
    if (round >= options.maxRounds) {
      for (const finding of setAside) {
        reported.set(fingerprint(finding), { ...finding, status: 'conflict', notFixed: `overlaps other fixes and did not settle after ${options.maxRounds} rounds; run djfix again` });
      }
      break;
    }
    findings = await reanalyse(options, prepared, overlay, setAside);
  }
  const files = overlay.changed();
  return {
    root: options.root,
    django: prepared.django,
    findings: order([...reported.values()]) as ReportedFinding[],
    files,
    skips: prepared.skips,
    problems,
    filesIndexed: prepared.hashes.size,
    filesChecked,
    stopped,
  };
}

/**
 * Re-analyses, on the texts as changed so far, the files of fixes that were set aside. The index is
 * rebuilt from the changed files' new facts, since a fix can change what the project holds.
 */
async function reanalyse(options: RunOptions, prepared: LoadedProject, overlay: Overlay, setAside: Finding[]): Promise<Finding[]> {
  const changed = new Map(overlay.changed().map((file) => [file.path, file.after]));
  const loaded = await prepared.loadInputs();
  const known = new Set(loaded.map((input) => input.path));
  const inputs: IndexInput[] = loaded.map((input) => {
    const text = changed.get(input.path);
    const collected = text === undefined ? undefined : collectText(input.path, text, textHash(text), options.transforms);
    return collected?.ok ? { ...input, facts: collected.facts } : input;
  });
  for (const [file, text] of changed) {
    if (known.has(file) || !file.endsWith('.py')) continue;
    const collected = collectText(file, text, textHash(text), options.transforms);
    if (collected.ok) inputs.push({ path: file, ...moduleNameOf(file, (dir) => prepared.discovered.packageDirs.has(dir)), hash: collected.hash, facts: collected.facts });
  }
  const index = buildIndex(inputs, prepared.django, prepared.indexContext);
  const files = [...new Set(setAside.map((finding) => finding.location.path))].sort();
  const texts = Object.fromEntries(changed);
  const jobs = files.map((file) => ({ path: file, hash: prepared.hashes.get(file) ?? '', text: overlay.text(file) }));
  const results = await analyzeBatch(analysisBatch(options, prepared, index, jobs, texts));
  return results.flatMap((result) => result.findings);
}
