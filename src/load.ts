// Loading a project: discover its files, read and hash each once, take facts from the cache or
// collect them in workers, and build the project index from all of them.
import fs from 'node:fs';
import path from 'node:path';
import { CollectJob, hashProjectFile, readSource } from './analysis';
import { cacheKey, fileKey, PackCache } from './cache';
import { discover, Discovered, joinNormalised } from './discovery';
import type { Executor } from './executor';
import { hashIfUnchanged, StampedHash } from './stamps';
import type { FileFacts } from './facts';
import type { Problem, Skip } from './model';
import { buildIndex, IndexContext, IndexInput, ProjectIndex, withoutPrototypes } from './project/index';
import { detectDjangoVersion, TargetDjango } from './project/django-version';
import { moduleNameOf } from './project/modules';
import type { RunOptions } from './runner';
import { selectTransforms } from '../transforms/registry';
import { compareText } from './order';

export interface LoadedProject {
  discovered: Discovered;
  /** The Django version the project targets. */
  django: TargetDjango;
  /** Files in the index: every Python file that parsed. */
  indexed: Set<string>;
  /**
   * The project index. A warm run whose analyses are all cached never needs it, so it is read from
   * the cache (or rebuilt, if the cache lost it) only when asked for.
   */
  loadIndex(): Promise<ProjectIndex>;
  /** What the index was built from besides facts: needed to rebuild it after fixes. */
  indexContext: IndexContext;
  /** Identifies the index: a hash of everything it is built from. */
  indexKey: string;
  /** The facts of every indexed file: needed only when fixes must be re-analysed on changed text. */
  loadInputs(): Promise<IndexInput[]>;
  /**
   * The facts this run collected for a file on disk, if it collected them (a run without an index in
   * the cache collects every file's): asking loads nothing.
   */
  collectedFacts(file: string): FileFacts | undefined;
  /** Hash of the bytes of every readable Python file, checked again before analysis and writing. */
  hashes: Map<string, string>;
  dependencyTexts: Record<string, string>;
  skips: Skip[];
  problems: Problem[];
}

/** What the facts cache keeps of a collected file: its facts, or the syntax error that stopped it. */
export type CachedFacts = { ok: true; facts: FileFacts } | { ok: false; reason: string; line?: number };

/**
 * What a run needs to know of a tree's index before analysing anything, kept for the next run over
 * the same files apart from the index itself: a small pack that a warm run reads instead of the index.
 */
export interface CachedTree {
  indexed: string[];
  /** Files that were not indexed (syntax errors), with the reason. */
  unparsable: Array<{ path: string; reason: string; line?: number }>;
}

export interface LoadCaches {
  /** The hash of each file's bytes with its stamp, by root and path: unchanged stamps spare the reading. */
  stamps: PackCache<StampedHash>;
  facts: PackCache<CachedFacts>;
  tree: PackCache<CachedTree>;
  index: PackCache<ProjectIndex>;
}

export async function loadProject(options: RunOptions, executor: () => Executor, caches: LoadCaches, progress: (done: number, total: number) => void): Promise<LoadedProject> {
  const discovered = discover(options);
  const skips = [...discovered.skips];
  const problems = [...discovered.problems];
  for (const target of options.targets) {
    if (!fs.existsSync(target)) problems.push({ path: path.relative(options.root, target) || '.', message: 'no such file or directory' });
  }
  const dependencyTexts: Record<string, string> = {};
  for (const file of discovered.dependencyFiles) {
    const read = readSource(options.root, file, options.maxFileBytes);
    if (read.ok) dependencyTexts[file] = read.text;
    else problems.push({ path: file, message: read.reason });
  }
  const versionProblems: string[] = [];
  const django: TargetDjango = options.targetDjango
    ? { version: options.targetDjango, source: options.targetDjangoSource ?? '--target-django' }
    : detectDjangoVersion(new Map(Object.entries(dependencyTexts)), versionProblems);
  problems.push(...versionProblems.map((message) => ({ path: message.split(':')[0], message: message.slice(message.indexOf(':') + 2) })));

  // Facts hold what the selected transforms collect and what their screens say.
  const factsKey = selectTransforms(options.transforms)
    .filter((transform) => transform.collect || transform.screen)
    .map((transform) => transform.id)
    .join(',');
  const collect = (known: Map<string, string>) => collectFacts(options, discovered, known, factsKey, executor, caches, progress);
  let collected: Collected | undefined;
  let hashes: Map<string, string>;
  if (caches.facts.isEmpty()) {
    // Nothing cached: the workers read, hash and parse each file in one go.
    collected = await collect(new Map());
    hashes = collected.hashes;
  } else {
    hashes = new Map();
    for (const file of discovered.pythonFiles) {
      const key = stampKey(options.root, file);
      const trusted = trustedHash(caches.stamps.get(key), options.maxFileBytes, path.join(options.root, file));
      if (trusted) {
        hashes.set(file, trusted);
        continue;
      }
      const read = hashProjectFile(options.root, file, options.maxFileBytes);
      if (!read.ok) reportUnread(file, read, discovered, skips, problems);
      else {
        hashes.set(file, read.hash);
        caches.stamps.set(key, { ...read.stamp, hash: read.hash });
      }
    }
  }
  const indexContext: IndexContext = { dependencyFiles: Object.keys(dependencyTexts), settingsRefs: configuredSettingsModules(dependencyTexts) };
  // An unchanged tree (same files, same bytes, same target) has the same index: no facts needed.
  const treeKey = treeKeyOf(factsKey, django, dependencyTexts, hashes);
  let cached = collected ? undefined : caches.tree.get(treeKey);
  let index: ProjectIndex | undefined;
  if (!cached) {
    collected ??= await collect(hashes);
    index = buildIndex(collected.inputs, django, indexContext);
    cached = { indexed: Object.keys(index.files), unparsable: collected.unparsable };
    caches.tree.set(treeKey, cached);
    caches.index.set(treeKey, index);
  }
  for (const failure of collected?.failures ?? []) reportUnread(failure.path, failure, discovered, skips, problems);
  if (!collected) progress(discovered.pythonFiles.length, discovered.pythonFiles.length);
  for (const file of cached.unparsable) {
    if (discovered.targetFiles.has(file.path)) skips.push({ path: file.path, reason: file.reason });
  }
  // Facts an index from the cache did not need are collected once, if a re-analysis asks for them.
  let inputs = collected && Promise.resolve(collected.inputs);
  const loadInputs = () => (inputs ??= collect(hashes).then((again) => again.inputs));
  let indexLoad: Promise<ProjectIndex> | undefined;
  const loadIndex = () =>
    (indexLoad ??= Promise.resolve(index ?? fromCache(caches.index.get(treeKey))).then(async (found) => {
      if (found) return found;
      const rebuilt = buildIndex(await loadInputs(), django, indexContext);
      caches.index.set(treeKey, rebuilt);
      return rebuilt;
    }));
  let factsByPath: Map<string, FileFacts> | undefined;
  const collectedFacts = (file: string) => (collected ? (factsByPath ??= new Map(collected.inputs.map((input) => [input.path, input.facts]))).get(file) : undefined);
  return { discovered, django, indexed: new Set(cached.indexed), loadIndex, indexContext, indexKey: treeKey, loadInputs, collectedFacts, hashes, dependencyTexts, skips, problems };
}

/**
 * Identifies a tree's index: what the facts hold, the target Django, the dependency files, and every
 * Python file's path and hash. The files go to the hash as one part: as arguments of their own,
 * 100,000 files overflowed the stack.
 */
export function treeKeyOf(factsKey: string, django: TargetDjango, dependencyTexts: Record<string, string>, hashes: Map<string, string>): string {
  return cacheKey(factsKey, JSON.stringify(django), JSON.stringify(dependencyTexts), [...hashes].flat().join('\0'));
}

/** An index read from the cache, its records as buildIndex makes them. */
function fromCache(index: ProjectIndex | undefined): ProjectIndex | undefined {
  return index && withoutPrototypes(index);
}

/** Stamps are kept by absolute path: one cache directory may serve several projects. */
function stampKey(root: string, file: string): string {
  return joinNormalised(root, file);
}

/** The remembered hash of a file whose stamp has not changed (and whose size is still within bounds). */
function trustedHash(remembered: StampedHash | undefined, maxFileBytes: number, full: string): string | undefined {
  if (!remembered || remembered.size > maxFileBytes) return undefined;
  try {
    return hashIfUnchanged(remembered, fs.statSync(full));
  } catch {
    // Gone or unreadable: reading it says why.
    return undefined;
  }
}

/** `DJANGO_SETTINGS_MODULE = x` in pytest.ini, tox.ini, setup.cfg or pyproject.toml (pytest-django). */
function configuredSettingsModules(texts: Record<string, string>): string[] {
  return Object.values(texts).flatMap((text) => [...text.matchAll(/^\s*DJANGO_SETTINGS_MODULE\s*=\s*["']?([\w.]+)/gm)].map((match) => match[1]));
}

/** A file djfix could not read is a problem; one it will not edit (binary, not UTF-8, too large) is a skip where it would fix. */
function reportUnread(file: string, read: { reason: string; error?: boolean }, discovered: Discovered, skips: Skip[], problems: Problem[]): void {
  if (read.error) problems.push({ path: file, message: read.reason });
  else if (discovered.targetFiles.has(file)) skips.push({ path: file, reason: read.reason });
}

interface Collected {
  inputs: IndexInput[];
  unparsable: CachedTree['unparsable'];
  /** Hashes of every readable file. */
  hashes: Map<string, string>;
  /** Files that could not be read or are not text. */
  failures: Array<{ path: string; reason: string; error?: boolean }>;
}

/**
 * Facts of every Python file: from the cache where its hash is known and cached, else read, hashed
 * and parsed in workers.
 */
async function collectFacts(
  options: RunOptions,
  discovered: Discovered,
  known: Map<string, string>,
  factsKey: string,
  executor: () => Executor,
  caches: LoadCaches,
  progress: (done: number, total: number) => void,
): Promise<Collected> {
  const cache = caches.facts;
  const factsContext = cacheKey(factsKey);
  const facts = new Map<string, CachedFacts>();
  const hashes = new Map(known);
  const failures: Collected['failures'] = [];
  const misses: CollectJob[] = [];
  const files = known.size > 0 ? [...known.keys()] : discovered.pythonFiles;
  for (const file of files) {
    const hash = known.get(file);
    const cached = hash === undefined ? undefined : cache.get(fileKey(factsContext, hash));
    if (cached) facts.set(file, cached);
    else misses.push({ root: options.root, path: file, hash, maxFileBytes: options.maxFileBytes, transforms: options.transforms });
  }
  let done = discovered.pythonFiles.length - misses.length;
  progress(done, discovered.pythonFiles.length);
  if (misses.length > 0) {
    const collected = await executor().collect(misses, (count) => progress((done += count), discovered.pythonFiles.length));
    for (const result of collected) {
      if (result.hash === undefined || (!result.ok && result.error)) {
        failures.push({ path: result.path, reason: result.ok ? '' : result.reason, error: !result.ok && result.error });
        continue;
      }
      const entry: CachedFacts = result.ok ? { ok: true, facts: result.facts } : { ok: false, reason: result.reason, line: result.line };
      hashes.set(result.path, result.hash);
      if (result.stamp) caches.stamps.set(stampKey(options.root, result.path), { ...result.stamp, hash: result.hash });
      facts.set(result.path, entry);
      cache.set(fileKey(factsContext, result.hash), entry);
    }
  }
  const inputs: IndexInput[] = [];
  const unparsable: CachedTree['unparsable'] = [];
  for (const file of [...facts.keys()].sort()) {
    const entry = facts.get(file)!;
    if (!entry.ok) {
      unparsable.push({ path: file, reason: entry.reason, line: entry.line });
      continue;
    }
    inputs.push({ path: file, ...moduleNameOf(file, (dir) => discovered.packageDirs.has(dir)), hash: hashes.get(file)!, facts: entry.facts });
  }
  return { inputs, unparsable, hashes, failures: failures.sort((a, b) => compareText(a.path, b.path)) };
}
