// A run: load the project (discovery, facts, index), analyse the files to fix, settle the fixes.
// Per-file work runs in worker threads, created only when something is not in the cache; the
// persistent cache lets a re-run on an unchanged tree parse nothing.
import type { AnalyzeBatch, AnalyzeJob, AnalyzeResult } from './analysis';
import { cacheKey, engineFingerprint, fileKey, packFile, PackCache } from './cache';
import { createExecutor, Executor } from './executor';
import { CachedFacts, CachedTree, LoadedProject, loadProject } from './load';
import type { Finding, Problem, Skip } from './model';
import { appOfModule, FileEntry, ProjectIndex } from './project/index';
import type { TargetDjango, Version } from './project/django-version';
import { Revisited, settle } from './settle';
import type { StampedHash } from './stamps';
import { suppressionOutcome, UnusedSuppression } from './suppressions';
import { selectTransforms, TRANSFORMS } from '../transforms/registry';
import type { Transform, TransformOptions } from '../transforms/types';
import { compareText } from './order';

export interface RunOptions {
  root: string;
  targets: string[];
  include: string[];
  exclude: string[];
  transforms: string[];
  transformOptions: Record<string, TransformOptions>;
  /** `--target-django`; undefined: read the dependency files. */
  targetDjango?: Version;
  /** Where `targetDjango` was set, for the report; `--target-django` unless said. */
  targetDjangoSource?: string;
  jobs: number;
  maxFileBytes: number;
  /** How many rounds of fixes a run takes at most (each after the first analyses again what the last changed). */
  maxRounds: number;
  /** Where the persistent cache lives; null: no cache. */
  cacheDir: string | null;
  /** Whether fixes may change migrations (`edit-migrations = true`); by default they are not applied. */
  editMigrations?: boolean;
  /** `--changed-since`: fix only these files (relative to root); the whole project is still indexed. */
  changedFiles?: Set<string>;
  /** Fix only the files of shard `index` (0-based) of `count`; the whole project is still indexed. */
  shard?: { index: number; count: number };
  /** Called as files are collected and analysed. */
  progress?: (phase: 'index' | 'analyse', done: number, total: number) => void;
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
  /** How many findings `# djfix: ignore` comments dropped. */
  suppressed: number;
  /** Comments in the files checked that dropped nothing. */
  unusedIgnores: UnusedSuppression[];
}

export type Decision = 'apply' | 'skip' | 'quit';
/** Asked for each fix that can be applied; `preview` is the file texts before and after it. */
export type Decide = (finding: Finding, preview: Array<{ path: string; before: string | null; after: string }>) => Decision | Promise<Decision>;

export const applyAll: Decide = () => 'apply';

export async function run(options: RunOptions, decide: Decide = applyAll): Promise<RunReport> {
  let executor: Executor | undefined;
  const lazyExecutor = () => (executor ??= createExecutor(options.jobs));
  const version = engineFingerprint();
  const cacheFile = (name: string) => (options.cacheDir ? packFile(options.cacheDir, name) : null);
  const stampCache = new PackCache<StampedHash>(cacheFile('stamps'), version);
  const factsCache = new PackCache<CachedFacts>(cacheFile('facts'), version);
  const treeCache = new PackCache<CachedTree>(cacheFile('tree'), version);
  const indexCache = new PackCache<ProjectIndex>(cacheFile('index'), version);
  const analysisCache = new PackCache<AnalyzeResult>(cacheFile('analysis'), version);
  const revisitCache = new PackCache<Revisited>(cacheFile('revisit'), version);
  const syntaxCache = new PackCache<number>(cacheFile('syntax'), version);
  const progress = options.progress ?? (() => undefined);
  let closing: Promise<void> | undefined;
  // With nothing cached, every file's facts are collected: the workers load while the files are found.
  if (factsCache.isEmpty()) lazyExecutor().start();
  try {
    const project = await loadProject(options, lazyExecutor, { stamps: stampCache, facts: factsCache, tree: treeCache, index: indexCache }, (done, total) => progress('index', done, total));
    // Shards are drawn by app, which only the index knows.
    const shardIndex = options.shard && (await project.loadIndex());
    // Every finding is located in the file analysed for it, so limiting the files analysed limits
    // findings (and the fixes they carry, wherever those edit) to the changed files.
    const targets = [...project.discovered.targetFiles]
      .filter((file) => project.indexed.has(file) && (options.changedFiles?.has(file) ?? true) && (!shardIndex || inShard(options, shardIndex, file)))
      .sort();
    const context = cacheKey(project.indexKey, options.transforms.join(','), JSON.stringify(options.transformOptions));
    const results = await analyse(options, project, targets, context, lazyExecutor, analysisCache, (done) => progress('analyse', done, targets.length));
    // The workers' part is done (fixes are re-analysed in this thread): they shut down while the
    // fixes settle, and free their trees meanwhile, which took 60 ms at the end of a cold run.
    closing = executor?.close();
    // Awaited after settling; a failure to stop is not an unhandled rejection meanwhile.
    closing?.catch(() => undefined);
    const suppressions = suppressionOutcome(results, options.transforms, TRANSFORMS.map((transform) => transform.id));
    const problems = [...project.problems, ...results.flatMap((result) => result.problems), ...suppressions.problems];
    const settled = await settle(options, project, results.flatMap((result) => result.findings), problems, decide, targets, { context, rounds: revisitCache, syntaxErrors: syntaxCache });
    stampCache.save(2 * project.discovered.pythonFiles.length + 100);
    factsCache.save(2 * project.discovered.pythonFiles.length + 100);
    treeCache.save(2);
    indexCache.save(2);
    analysisCache.save(2 * targets.length + 100);
    revisitCache.save(100);
    syntaxCache.save(1000);
    return { ...settled, suppressed: suppressions.suppressed, unusedIgnores: suppressions.unused };
  } finally {
    await closing;
    // A settle that had to collect facts again started workers anew.
    await executor?.close();
  }
}

/**
 * Analyses the target files, taking results from the cache where the file, the whole index and the
 * options are unchanged. Any change to any file changes the index hash: correct before clever.
 */
async function analyse(options: RunOptions, project: LoadedProject, targets: string[], context: string, executor: () => Executor, cache: PackCache<AnalyzeResult>, progress: (done: number) => void): Promise<AnalyzeResult[]> {
  const results: AnalyzeResult[] = [];
  const misses: AnalyzeJob[] = [];
  for (const file of targets) {
    const hash = project.hashes.get(file)!;
    const cached = cache.get(fileKey(context, hash));
    if (cached) results.push({ ...cached, path: file });
    else misses.push({ path: file, hash });
  }
  let done = results.length;
  progress(done);
  if (misses.length > 0) {
    const index = await project.loadIndex();
    // Workers parse it while this thread decides what they will analyse.
    executor().shareIndex(index);
    const transforms = selectTransforms(options.transforms);
    // What the file's facts say of its text is enough to leave most files out: their answer is empty.
    const needed: AnalyzeJob[] = [];
    const unneeded: AnalyzeResult[] = [];
    for (const job of misses) {
      if (needsAnalysis(index.files[job.path], job.path, transforms, index)) needed.push(job);
      else unneeded.push({ path: job.path, findings: [], problems: [] });
    }
    const planners = transforms.filter((transform) => transform.usesProjectPlan);
    const usesPlan = (job: AnalyzeJob) => planners.some((transform) => transform.usesProjectPlan!(job.path, index));
    const planned = needed.filter(usesPlan);
    const jobs = [...planned, ...needed.filter((job) => !usesPlan(job))];
    progress((done += unneeded.length));
    // The workers' last work: fixes are re-analysed in this thread.
    const analysed = jobs.length > 0 ? await executor().analyze({ ...analysisBatch(options, project, index, jobs, {}), planned: planned.length }, (count) => progress((done += count)), true) : [];
    for (const result of [...unneeded, ...analysed]) {
      // A file that changed during the run says so in its problems: that answer is not kept.
      if (result.problems.length === 0) cache.set(fileKey(context, project.hashes.get(result.path)!), result);
      results.push(result);
    }
  }
  return results.sort((a, b) => compareText(a.path, b.path));
}

/**
 * Whether a file must be analysed: some transform may apply to it, judged from its role, its facts'
 * screens and the index (the worker asks each transform again on the text it reads), or it has djfix
 * comments, whose use is reported.
 */
function needsAnalysis(entry: FileEntry | undefined, file: string, transforms: Transform[], index: ProjectIndex): boolean {
  if (!entry) return true;
  return entry.commented || transforms.some((transform) => transform.mayApply({ path: file, role: entry.role, screened: !transform.screen || !entry.screened || entry.screened.includes(transform.id) }, index));
}

export function analysisBatch(options: RunOptions, project: LoadedProject, index: ProjectIndex, files: AnalyzeJob[], texts: Record<string, string>): AnalyzeBatch {
  return {
    root: options.root,
    maxFileBytes: options.maxFileBytes,
    index,
    transforms: options.transforms,
    options: options.transformOptions,
    files,
    texts: { ...project.dependencyTexts, ...texts },
  };
}

/**
 * Shards group files by the app that holds them (else their top directory), so that a fix touching
 * several files of one app (signals.py and apps.py) lands in one shard. Groups are assigned by a hash
 * of their name: every machine computes the same split without talking to the others.
 */
function inShard(options: RunOptions, index: ProjectIndex, file: string): boolean {
  if (!options.shard) return true;
  const module = index.files[file]?.module ?? file;
  const group = appOfModule(index, module)?.module ?? file.split('/')[0];
  return parseInt(cacheKey(group).slice(0, 8), 16) % options.shard.count === options.shard.index;
}
