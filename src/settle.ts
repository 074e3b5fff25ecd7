// Settling: fixes are taken one group at a time in a deterministic order, each checked against the
// texts as changed so far. A fix whose edits overlap one already taken is set aside; after each round,
// the files of fixes set aside and the files the round's fixes may have changed the analysis of are
// analysed again on the new texts, until a round changes nothing (a fixed point) or the rounds run out.
// Nothing is written here.
import fs from 'node:fs';
import path from 'node:path';
import { analyzeBatch, collectText, readSource } from './analysis';
import { cacheKey, PackCache } from './cache';
import { applyEdits, changeConflicts, validateEdits } from './edits';
import { lineAt, lineHash } from './identity';
import type { LoadedProject } from './load';
import type { Change, Finding, Problem, TextEdit } from './model';
import { countSyntaxErrors, parsePython, Tree } from './parse';
import { buildIndex, IndexInput, isMigrationPath, needsFacts, ProjectIndex } from './project/index';
import { moduleNameOf } from './project/modules';
import { analysisBatch, Decide, FileResult, ReportedFinding, RunOptions, RunReport } from './runner';
import { textHash } from './source';
import { compareText } from './order';

/** How many trees of recent texts the overlay keeps. */
const RECENT_TREES = 32;

/** The texts of the files djfix changed so far in this run, and what they were on disk. */
class Overlay {
  readonly files = new Map<string, FileResult>();
  /** Edits taken in the current round, against the texts the round analysed. */
  taken = new Map<string, TextEdit[] | 'created'>();
  /** The texts the current round analysed, for files it changed: later fixes of the round apply to them. */
  private roundTexts = new Map<string, string>();
  /**
   * Trees of the texts parsed last, by text: a fixed file's texts are checked, then their facts
   * compared, each parsed once. The oldest go first, so a long interactive session holds a few.
   */
  private readonly trees = new Map<string, Tree>();
  /**
   * `errorCounts`: the syntax errors of texts already validated, by the hash of the text. The text
   * before one fix is the text after the last, and a re-run validates the same texts again.
   */
  /**
   * Texts read from disk that this run indexed from a parse without syntax errors. The count before a
   * fix only sets how many errors its result may have: a text wrongly taken for clean could only
   * make a fix be refused, never let a broken one through.
   */
  private readonly clean = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly maxFileBytes: number,
    private readonly errorCounts: PackCache<number>,
    /** Whether a file with these bytes parsed without syntax errors when the index was built. */
    private readonly parsedClean: (file: string, hash: string, text: string) => boolean,
  ) {}

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
    if (this.parsedClean(file, read.hash, read.text)) this.clean.add(read.text);
    return read.text;
  }

  /** The text a file had on disk, before any fix of this run; undefined for a file djfix creates. */
  original(file: string): string | undefined {
    try {
      this.text(file);
    } catch {
      return undefined; // unreadable now: nothing to compare with
    }
    return this.files.get(file)?.before ?? undefined;
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
    if (this.clean.has(text)) return 0;
    const key = textHash(text);
    let count = this.errorCounts.get(key);
    if (count === undefined) {
      count = countSyntaxErrors(this.tree(text));
      this.errorCounts.set(key, count);
    }
    return count;
  }

  /** The tree of a text if it is among the last ones parsed. */
  parsedTree(text: string): Tree | undefined {
    return this.trees.get(text);
  }

  /** The tree of a text, parsed unless it is among the last ones parsed. */
  tree(text: string): Tree {
    const tree = this.trees.get(text) ?? parsePython(text);
    this.trees.delete(text);
    this.trees.set(text, tree);
    if (this.trees.size > RECENT_TREES) this.trees.delete(this.trees.keys().next().value!);
    return tree;
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
    return [...this.files.values()].filter((file) => file.before !== file.after).sort((a, b) => compareText(a.path, b.path));
  }
}

function fingerprint(finding: Finding): string {
  return `${finding.transform}|${finding.code}|${finding.location.path}|${finding.message}`;
}

function order(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      compareText(a.location.path, b.location.path) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      compareText(a.transform, b.transform) ||
      compareText(a.message, b.message),
  );
}

/** The files a round analysed again and what it found in them: kept for the next run (see RevisitCache). */
export interface Revisited {
  files: string[];
  findings: Finding[];
}

/**
 * Rounds after the first, kept across runs like the first analysis: a re-run on an unchanged tree takes
 * the same fixes, so it analyses the same texts again, and needs neither the index nor a parse for it.
 */
export interface RevisitCache {
  /** Identifies the index, the transforms and their options. */
  context: string;
  rounds: PackCache<Revisited>;
  /** How many syntax errors a text has, by its hash: fixes are validated on every run. */
  syntaxErrors: PackCache<number>;
}

/** What a round hands to the next: the findings of the files analysed again, and the texts they were found in. */
interface Analysed {
  findings: Finding[];
  texts: Map<string, string>;
}

export async function settle(options: RunOptions, prepared: LoadedProject, firstFindings: Finding[], problems: Problem[], decide: Decide, targets: string[], cache: RevisitCache): Promise<Omit<RunReport, 'suppressed' | 'unusedIgnores'>> {
  // Files whose facts were collected from a parse (see needsFacts) had no syntax errors, or they would not be indexed.
  const parsedClean = (file: string, hash: string, text: string) => prepared.indexed.has(file) && prepared.hashes.get(file) === hash && needsFacts(file, text);
  const overlay = new Overlay(options.root, options.maxFileBytes, cache.syntaxErrors, parsedClean);
  const reported = new Map<string, ReportedFinding>();
  /** The text a finding of a later round was found in; findings of the first round were found in the text on disk. */
  const foundIn = new Map<string, string>();
  const foundText = (key: string, finding: Finding) => foundIn.get(key) ?? overlay.original(finding.location.path);
  let analysed: Analysed = { findings: firstFindings, texts: new Map() };
  let stopped = false;
  for (let round = 1; ; round++) {
    overlay.newRound();
    const setAside: Finding[] = [];
    const applied: Finding[] = [];
    const repeats = round === 1 ? new Map<Finding, string>() : decidedBefore(analysed, reported, foundText);
    for (const finding of order(analysed.findings)) {
      const key = fingerprint(finding);
      if (reported.has(key)) continue;
      const earlier = repeats.get(finding);
      if (earlier !== undefined) {
        // Found again in a file analysed again: decided already, unless another fix made it fixable.
        if (!finding.change || reported.get(earlier)!.status !== 'not-fixed') continue;
        reported.delete(earlier);
      }
      const text = analysed.texts.get(finding.location.path);
      if (text !== undefined) foundIn.set(key, text);
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
      if (decision === 'apply') {
        overlay.apply(finding.change, preview.texts);
        applied.push(finding);
      }
      reported.set(key, { ...finding, status: decision === 'apply' ? 'applied' : 'declined' });
    }
    // A round that changed nothing and set nothing aside is the fixed point.
    if (stopped || (setAside.length === 0 && applied.length === 0)) break;
    if (round >= options.maxRounds) {
      for (const finding of setAside) {
        reported.set(fingerprint(finding), { ...finding, status: 'conflict', notFixed: `overlaps other fixes and did not settle after ${options.maxRounds} rounds; run djfix again` });
      }
      // Fixes of the last round may have made more fixes possible: the run cannot tell without another round.
      const changed = [...new Set(applied.flatMap((finding) => finding.change!.files.map((file) => file.path)))].sort();
      if (setAside.length === 0) for (const file of changed) problems.push({ path: file, message: `fixes changed it in each of djfix's ${options.maxRounds} rounds; run djfix again for fixes they made possible` });
      break;
    }
    analysed = await revisit(options, prepared, overlay, targets, setAside, applied, cache);
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
    filesChecked: targets.length,
    stopped,
  };
}

/**
 * The files to fix that must be analysed again after a round: those of fixes set aside, and those whose
 * analysis the round's fixes may have changed: the files the fixes were found in (they read every file
 * they change), the files they changed, and the files that import those.
 */
function filesToRevisit(index: ProjectIndex, targets: string[], setAside: Finding[], applied: Finding[]): string[] {
  const changed = new Set(applied.flatMap((finding) => finding.change!.files.map((file) => file.path)));
  const changedModules = new Set([...changed].map((file) => index.files[file]?.module).filter(Boolean));
  const importers = index.imports.filter((edge) => changedModules.has(edge.to)).map((edge) => edge.path);
  const revisit = new Set([...setAside.map((finding) => finding.location.path), ...applied.map((finding) => finding.location.path), ...changed, ...importers]);
  return targets.filter((file) => revisit.has(file));
}

/**
 * Maps findings of files analysed again to the findings they repeat: same transform, code, file and
 * line text (their messages may quote other line numbers now). A decision is never asked for twice.
 */
function decidedBefore(analysed: Analysed, reported: Map<string, ReportedFinding>, foundText: (key: string, finding: Finding) => string | undefined): Map<Finding, string> {
  const earlier = new Map<string, string[]>();
  for (const [key, finding] of reported) {
    if (!analysed.texts.has(finding.location.path)) continue;
    const text = foundText(key, finding);
    if (text === undefined) continue;
    const hash = lineHash(finding, lineAt(text, finding.location.line));
    earlier.set(hash, [...(earlier.get(hash) ?? []), key]);
  }
  const repeats = new Map<Finding, string>();
  for (const finding of order(analysed.findings)) {
    const text = analysed.texts.get(finding.location.path);
    if (text === undefined) continue;
    const key = earlier.get(lineHash(finding, lineAt(text, finding.location.line)))?.shift();
    if (key !== undefined) repeats.set(finding, key);
  }
  return repeats;
}

/**
 * Analyses again, on the texts as changed so far, the files a round's fixes may have changed the
 * analysis of. The index is rebuilt from the changed files' new facts when a fix changed what the
 * project holds (its imports, classes, settings); fixes inside function bodies usually do not, and the
 * index of the run serves as it is.
 */
async function revisit(options: RunOptions, prepared: LoadedProject, overlay: Overlay, targets: string[], setAside: Finding[], applied: Finding[], cache: RevisitCache): Promise<Analysed> {
  const changed = new Map(overlay.changed().map((file) => [file.path, file]));
  const key = cacheKey(cache.context, ...[...changed.values()].flatMap((file) => [file.path, textHash(file.after)]), ...[...setAside, ...applied].map(fingerprint));
  const textsOf = (files: string[]) => new Map(files.map((file) => [file, overlay.text(file) ?? '']));
  const cached = cache.rounds.get(key);
  if (cached) return { findings: cached.findings, texts: textsOf(cached.files) };
  const runIndex = await prepared.loadIndex();
  const files = filesToRevisit(runIndex, targets, setAside, applied);
  const texts = textsOf(files);
  const index = sameFacts(options, prepared, overlay, [...changed.values()]) ? runIndex : await rebuildIndex(options, prepared, overlay, changed);
  const jobs = files.map((file) => ({ path: file, hash: prepared.hashes.get(file) ?? '', text: texts.get(file) }));
  // The changed files' new texts were parsed to check them: their analysis starts from those trees.
  const batch = analysisBatch(options, prepared, index, jobs, Object.fromEntries([...changed].map(([file, result]) => [file, result.after])));
  const results = await analyzeBatch(batch, (text) => overlay.parsedTree(text));
  const findings = results.flatMap((result) => result.findings);
  // A file that changed on disk meanwhile says so in its problems: that answer is not kept.
  if (results.every((result) => result.problems.length === 0)) cache.rounds.set(key, { files, findings });
  return { findings, texts };
}

/**
 * Whether the changed Python files hold the facts they held on disk (a new file never does). The facts
 * of a text on disk are those this run collected from it, when it parsed it (see needsFacts).
 */
function sameFacts(options: RunOptions, prepared: LoadedProject, overlay: Overlay, changed: FileResult[]): boolean {
  const factsOf = (file: string, text: string) => {
    const collected = collectText(file, text, '', options.transforms, overlay.tree(text));
    return collected.ok ? JSON.stringify(collected.facts) : undefined;
  };
  const factsBefore = (file: FileResult, before: string) => {
    const collected = file.diskHash === prepared.hashes.get(file.path) && needsFacts(file.path, before) ? prepared.collectedFacts(file.path) : undefined;
    return collected ? JSON.stringify(collected) : factsOf(file.path, before);
  };
  return changed.filter((file) => file.path.endsWith('.py')).every((file) => file.before !== null && factsBefore(file, file.before) === factsOf(file.path, file.after));
}

async function rebuildIndex(options: RunOptions, prepared: LoadedProject, overlay: Overlay, changed: Map<string, FileResult>): Promise<ProjectIndex> {
  const loaded = await prepared.loadInputs();
  const known = new Set(loaded.map((input) => input.path));
  const inputs: IndexInput[] = loaded.map((input) => {
    const text = changed.get(input.path)?.after;
    const collected = text === undefined ? undefined : collectText(input.path, text, textHash(text), options.transforms, overlay.tree(text));
    return collected?.ok ? { ...input, facts: collected.facts } : input;
  });
  for (const [file, { after }] of changed) {
    if (known.has(file) || !file.endsWith('.py')) continue;
    const collected = collectText(file, after, textHash(after), options.transforms, overlay.tree(after));
    if (collected.ok) inputs.push({ path: file, ...moduleNameOf(file, (dir) => prepared.discovered.packageDirs.has(dir)), hash: collected.hash, facts: collected.facts });
  }
  return buildIndex(inputs, prepared.django, prepared.indexContext);
}
