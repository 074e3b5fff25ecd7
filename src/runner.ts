// A run: discover the project, collect facts from every file (in workers), build the index, analyse
// the files to fix, then take the fixes one group at a time in a deterministic order. A fix whose
// edits overlap one already taken is set aside and the file is analysed again on the new text, up to
// a fixed point; nothing is written here.
import fs from 'node:fs';
import path from 'node:path';
import { analyzeBatch, AnalyzeJob, collectText, CollectResult } from './analysis';
import { discover, Discovered } from './discovery';
import { applyEdits, changeConflicts, validateEdits } from './edits';
import { createExecutor, inProcessExecutor } from './executor';
import type { Change, Finding, Problem, Skip, TextEdit } from './model';
import { countSyntaxErrors, parsePython } from './parse';
import { buildIndex, IndexInput, ProjectIndex } from './project/index';
import { detectDjangoVersion, TargetDjango, Version } from './project/django-version';
import { moduleNameOf } from './project/modules';
import { decodeSource, textHash } from './source';
import type { TransformOptions } from '../transforms/types';

export interface RunOptions {
  root: string;
  targets: string[];
  include: string[];
  exclude: string[];
  transforms: string[];
  transformOptions: Record<string, TransformOptions>;
  /** `--target-django`; undefined: read the dependency files. */
  targetDjango?: Version;
  jobs: number;
  maxFileBytes: number;
  /** How many times set-aside fixes are re-analysed before they are reported instead. */
  maxRounds: number;
}

export type FindingStatus = 'applied' | 'declined' | 'not-fixed' | 'conflict' | 'invalid';

export interface ReportedFinding extends Finding {
  status: FindingStatus;
}

export interface FileResult {
  path: string;
  /** null for a file djfix creates. */
  before: string | null;
  after: string;
  /** Hash of the bytes read, checked again just before writing. */
  diskHash: string | null;
}

export interface RunReport {
  root: string;
  django: TargetDjango;
  findings: ReportedFinding[];
  files: FileResult[];
  skips: Skip[];
  problems: Problem[];
  filesIndexed: number;
  filesChecked: number;
  /** The user stopped the interactive session before every fix was offered. */
  stopped: boolean;
}

export type Decision = 'apply' | 'skip' | 'quit';
/** Asked for each fix that can be applied; `preview` is the file texts before and after it. */
export type Decide = (finding: Finding, preview: Array<{ path: string; before: string | null; after: string }>) => Decision | Promise<Decision>;

export const applyAll: Decide = () => 'apply';

interface Prepared {
  discovered: Discovered;
  inputs: IndexInput[];
  index: ProjectIndex;
  hashes: Map<string, string>;
  dependencyTexts: Record<string, string>;
  skips: Skip[];
  problems: Problem[];
}

export async function run(options: RunOptions, decide: Decide = applyAll): Promise<RunReport> {
  const executor = createExecutor(options.jobs);
  try {
    const prepared = await prepare(options, executor.collect.bind(executor));
    const jobs: AnalyzeJob[] = [...prepared.discovered.targetFiles].filter((file) => prepared.hashes.has(file)).sort().map((file) => ({ path: file, hash: prepared.hashes.get(file)! }));
    const results = await executor.analyze(batchFor(options, prepared, jobs, {}));
    const problems = [...prepared.problems, ...results.flatMap((result) => result.problems)];
    return await settle(options, prepared, results.flatMap((result) => result.findings), problems, decide, jobs.length);
  } finally {
    await executor.close();
  }
}

async function prepare(options: RunOptions, collect: (jobs: Parameters<typeof inProcessExecutor.collect>[0]) => Promise<CollectResult[]>): Promise<Prepared> {
  const discovered = discover(options);
  const skips = [...discovered.skips];
  const problems = [...discovered.problems];
  for (const target of options.targets) {
    if (!fs.existsSync(target)) problems.push({ path: path.relative(options.root, target) || '.', message: 'no such file or directory' });
  }
  const collected = await collect(discovered.pythonFiles.map((file) => ({ root: options.root, path: file, maxFileBytes: options.maxFileBytes, transforms: options.transforms })));
  const inputs: IndexInput[] = [];
  const hashes = new Map<string, string>();
  for (const result of collected.sort((a, b) => a.path.localeCompare(b.path))) {
    if (!result.ok) {
      // Files outside the targets are only indexed; their trouble matters only where djfix would fix.
      if (result.error) problems.push({ path: result.path, line: result.line, message: result.reason });
      else if (discovered.targetFiles.has(result.path)) skips.push({ path: result.path, reason: result.reason });
      continue;
    }
    hashes.set(result.path, result.hash);
    inputs.push({ path: result.path, ...moduleNameOf(result.path, (dir) => discovered.packageDirs.has(dir)), hash: result.hash, facts: result.facts });
  }
  const dependencyTexts: Record<string, string> = {};
  for (const file of discovered.dependencyFiles) {
    const decoded = decodeSource(fs.readFileSync(path.join(options.root, file)), options.maxFileBytes);
    if (decoded.ok) dependencyTexts[file] = decoded.source.text;
  }
  const versionProblems: string[] = [];
  const django: TargetDjango = options.targetDjango
    ? { version: options.targetDjango, source: '--target-django' }
    : detectDjangoVersion(new Map(Object.entries(dependencyTexts)), versionProblems);
  problems.push(...versionProblems.map((message) => ({ path: message.split(':')[0], message: message.slice(message.indexOf(':') + 2) })));
  return { discovered, inputs, index: buildIndex(inputs, django), hashes, dependencyTexts, skips, problems };
}

function batchFor(options: RunOptions, prepared: Prepared, files: AnalyzeJob[], texts: Record<string, string>) {
  return {
    root: options.root,
    maxFileBytes: options.maxFileBytes,
    index: prepared.index,
    transforms: options.transforms,
    options: options.transformOptions,
    files,
    texts: { ...prepared.dependencyTexts, ...texts },
  };
}

/** The texts of the files djfix changed so far in this run, and what they were on disk. */
class Overlay {
  readonly files = new Map<string, FileResult>();
  /** Edits taken in the current round, against the texts the round analysed. */
  taken = new Map<string, TextEdit[] | 'created'>();
  /** The texts the current round analysed, for files it changed: later fixes of the round apply to them. */
  private roundTexts = new Map<string, string>();

  constructor(private readonly root: string, private readonly maxFileBytes: number) {}

  newRound(): void {
    this.taken = new Map();
    this.roundTexts = new Map();
  }

  /** The current text of a file, reading it from disk the first time; undefined if it does not exist. */
  text(file: string): string | undefined {
    const known = this.files.get(file);
    if (known) return known.after;
    const full = path.join(this.root, file);
    if (!fs.existsSync(full)) return undefined;
    const decoded = decodeSource(fs.readFileSync(full), this.maxFileBytes);
    if (!decoded.ok) throw new Error(`${file}: ${decoded.reason}`);
    this.files.set(file, { path: file, before: decoded.source.text, after: decoded.source.text, diskHash: decoded.source.hash });
    return decoded.source.text;
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
      const errorsBefore = before === null ? 0 : countSyntaxErrors(parsePython(before));
      if (countSyntaxErrors(parsePython(after)) > errorsBefore) return { ok: false, reason: `the result in ${file} would not parse`, bug: true };
    }
    return { ok: true, texts };
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

async function settle(options: RunOptions, prepared: Prepared, firstFindings: Finding[], problems: Problem[], decide: Decide, filesChecked: number): Promise<RunReport> {
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
    findings = reanalyse(options, prepared, overlay, setAside);
  }
  const files = overlay.changed();
  return {
    root: options.root,
    django: prepared.index.django,
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
function reanalyse(options: RunOptions, prepared: Prepared, overlay: Overlay, setAside: Finding[]): Finding[] {
  const changed = new Map(overlay.changed().map((file) => [file.path, file.after]));
  const known = new Set(prepared.inputs.map((input) => input.path));
  const inputs: IndexInput[] = prepared.inputs.map((input) => {
    const text = changed.get(input.path);
    const collected = text === undefined ? undefined : collectText(input.path, text, textHash(text), options.transforms);
    return collected?.ok ? { ...input, facts: collected.facts } : input;
  });
  for (const [file, text] of changed) {
    if (known.has(file) || !file.endsWith('.py')) continue;
    const collected = collectText(file, text, textHash(text), options.transforms);
    if (collected.ok) inputs.push({ path: file, ...moduleNameOf(file, (dir) => prepared.discovered.packageDirs.has(dir)), hash: collected.hash, facts: collected.facts });
  }
  const index = buildIndex(inputs, prepared.index.django);
  const files = [...new Set(setAside.map((finding) => finding.location.path))].sort();
  const texts = Object.fromEntries(changed);
  const jobs = files.map((file) => ({ path: file, hash: prepared.hashes.get(file) ?? '', text: overlay.text(file) }));
  return analyzeBatch(batchFor(options, { ...prepared, index }, jobs, texts)).flatMap((result) => result.findings);
}
