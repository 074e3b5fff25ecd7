// Loading a project: discover its files, read and hash each once, take facts from the cache or
// collect them in workers, and build the project index from all of them.
import fs from 'node:fs';
import path from 'node:path';
import { CollectJob, readSource } from './analysis';
import { cacheKey, PackCache } from './cache';
import { discover, Discovered } from './discovery';
import type { Executor } from './executor';
import type { FileFacts } from './facts';
import type { Problem, Skip } from './model';
import { buildIndex, IndexInput, ProjectIndex } from './project/index';
import { detectDjangoVersion, TargetDjango } from './project/django-version';
import { moduleNameOf } from './project/modules';
import type { RunOptions } from './runner';
import { selectTransforms } from '../transforms/registry';

export interface LoadedProject {
  discovered: Discovered;
  index: ProjectIndex;
  /** The facts of every indexed file: needed only when fixes must be re-analysed on changed text. */
  loadInputs(): Promise<IndexInput[]>;
  /** Hash of the bytes of every readable Python file, checked again before analysis and writing. */
  hashes: Map<string, string>;
  dependencyTexts: Record<string, string>;
  skips: Skip[];
  problems: Problem[];
}

/** What the facts cache keeps of a collected file: its facts, or the syntax error that stopped it. */
export type CachedFacts = { ok: true; facts: FileFacts } | { ok: false; reason: string; line?: number };

/** The index of a whole tree, kept for the next run over the same files. */
export interface CachedIndex {
  index: ProjectIndex;
  /** Files that were not indexed (syntax errors), with the reason. */
  unparsable: Array<{ path: string; reason: string; line?: number }>;
}

export interface LoadCaches {
  facts: PackCache<CachedFacts>;
  index: PackCache<CachedIndex>;
}

export async function loadProject(options: RunOptions, executor: () => Executor, caches: LoadCaches, progress: (done: number, total: number) => void): Promise<LoadedProject> {
  const discovered = discover(options);
  const skips = [...discovered.skips];
  const problems = [...discovered.problems];
  for (const target of options.targets) {
    if (!fs.existsSync(target)) problems.push({ path: path.relative(options.root, target) || '.', message: 'no such file or directory' });
  }
  const hashes = new Map<string, string>();
  for (const file of discovered.pythonFiles) {
    const read = readSource(options.root, file, options.maxFileBytes);
    if (read.ok) hashes.set(file, read.hash);
    else if (read.error) problems.push({ path: file, message: read.reason });
    else if (discovered.targetFiles.has(file)) skips.push({ path: file, reason: read.reason });
  }
  const dependencyTexts: Record<string, string> = {};
  for (const file of discovered.dependencyFiles) {
    const read = readSource(options.root, file, options.maxFileBytes);
    if (read.ok) dependencyTexts[file] = read.text;
    else problems.push({ path: file, message: read.reason });
  }
  const versionProblems: string[] = [];
  const django: TargetDjango = options.targetDjango
    ? { version: options.targetDjango, source: '--target-django' }
    : detectDjangoVersion(new Map(Object.entries(dependencyTexts)), versionProblems);
  problems.push(...versionProblems.map((message) => ({ path: message.split(':')[0], message: message.slice(message.indexOf(':') + 2) })));

  const factsKey = selectTransforms(options.transforms)
    .filter((transform) => transform.collect)
    .map((transform) => transform.id)
    .join(',');
  const collect = () => collectFacts(options, discovered, hashes, factsKey, executor, caches.facts, progress);
  // An unchanged tree (same files, same bytes, same target) has the same index: no facts needed.
  const treeKey = cacheKey(factsKey, JSON.stringify(django), ...[...hashes].flat());
  let cached = caches.index.get(treeKey);
  let inputs: Promise<IndexInput[]> | undefined;
  if (!cached) {
    const collected = await collect();
    problems.push(...collected.errors);
    inputs = Promise.resolve(collected.inputs);
    cached = { index: buildIndex(collected.inputs, django), unparsable: collected.unparsable };
    caches.index.set(treeKey, cached);
  }
  progress(discovered.pythonFiles.length, discovered.pythonFiles.length);
  for (const file of cached.unparsable) {
    if (discovered.targetFiles.has(file.path)) skips.push({ path: file.path, reason: file.reason });
  }
  return { discovered, index: cached.index, loadInputs: () => (inputs ??= collect().then((collected) => collected.inputs)), hashes, dependencyTexts, skips, problems };
}

/** Facts of every readable Python file: from the cache, else parsed in workers. */
async function collectFacts(
  options: RunOptions,
  discovered: Discovered,
  hashes: Map<string, string>,
  factsKey: string,
  executor: () => Executor,
  cache: PackCache<CachedFacts>,
  progress: (done: number, total: number) => void,
): Promise<{ inputs: IndexInput[]; unparsable: CachedIndex['unparsable']; errors: Problem[] }> {
  const facts = new Map<string, CachedFacts>();
  const misses: CollectJob[] = [];
  for (const [file, hash] of hashes) {
    const cached = cache.get(cacheKey(hash, factsKey));
    if (cached) facts.set(file, cached);
    else misses.push({ root: options.root, path: file, hash, maxFileBytes: options.maxFileBytes, transforms: options.transforms });
  }
  let done = discovered.pythonFiles.length - misses.length;
  progress(done, discovered.pythonFiles.length);
  const errors: Problem[] = [];
  if (misses.length > 0) {
    const collected = await executor().collect(misses, (count) => progress((done += count), discovered.pythonFiles.length));
    for (const result of collected) {
      if (result.ok || !result.error) {
        const entry: CachedFacts = result.ok ? { ok: true, facts: result.facts } : { ok: false, reason: result.reason, line: result.line };
        facts.set(result.path, entry);
        cache.set(cacheKey(hashes.get(result.path)!, factsKey), entry);
      } else {
        errors.push({ path: result.path, message: result.reason });
      }
    }
  }
  const inputs: IndexInput[] = [];
  const unparsable: CachedIndex['unparsable'] = [];
  for (const file of [...facts.keys()].sort()) {
    const entry = facts.get(file)!;
    if (!entry.ok) {
      unparsable.push({ path: file, reason: entry.reason, line: entry.line });
      continue;
    }
    inputs.push({ path: file, ...moduleNameOf(file, (dir) => discovered.packageDirs.has(dir)), hash: hashes.get(file)!, facts: entry.facts });
  }
  return { inputs, unparsable, errors };
}
