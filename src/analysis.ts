// The per-file work of a run, the same whether it runs in a worker thread or in the main thread:
// read and parse a file once to collect its facts, and later run the transforms over it.
import fs from 'node:fs';
import path from 'node:path';
import { emptyFacts, extractFacts, FileFacts } from './facts';
import type { Finding, Problem } from './model';
import { firstSyntaxError, parsePython, Tree } from './parse';
import { FileRole, needsFacts, ProjectIndex } from './project/index';
import { decodeSource, hashSource, textHash } from './source';
import { keep, takeKept } from './kept';
import { FileStamp, stampOf } from './stamps';
import { mayHoldSuppressions, SuppressedFinding, Suppression, suppressionFor, suppressionsIn } from './suppressions';
import { selectTransforms } from '../transforms/registry';
import type { ParsedFile, TransformOptions } from '../transforms/types';

export interface CollectJob {
  root: string;
  path: string;
  /** Hash of the bytes the main thread read, if it did: a file that changed since is reported, not parsed. */
  hash?: string;
  maxFileBytes: number;
  transforms: string[];
}

/** `hash` is missing only when the file could not be read or decoded; `stamp` is the file's when it was read. */
export type CollectResult =
  /** `kept`: the thread that collected it kept its tree for the analysis (see kept.ts). */
  | { path: string; ok: true; hash: string; stamp?: FileStamp; facts: FileFacts; kept?: boolean }
  | { path: string; ok: false; hash?: string; stamp?: FileStamp; reason: string; line?: number; error?: boolean };

/**
 * Native tree memory is released by finalizers that run only when the event loop turns, so batch
 * loops yield after every file: without it a worker holds every tree of its batch at once.
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function collectFiles(jobs: CollectJob[]): Promise<CollectResult[]> {
  const results: CollectResult[] = [];
  for (const job of jobs) {
    results.push(collectFile(job));
    await yieldToEventLoop();
  }
  return results;
}

function collectFile(job: CollectJob): CollectResult {
  const read = readSource(job.root, job.path, job.maxFileBytes);
  if (!read.ok) return { path: job.path, ok: false, reason: read.reason, error: read.error };
  if (job.hash !== undefined && read.hash !== job.hash) return { path: job.path, ok: false, reason: 'changed on disk while djfix was running; run djfix again', error: true };
  const stamp = read.stamp;
  if (!needsFacts(job.path, read.text)) return { path: job.path, ok: true, hash: read.hash, stamp, facts: { ...emptyFacts(), commented: mayHoldSuppressions(read.text) } };
  const { result, tree } = collectTree(job.path, read.text, read.hash, job.transforms);
  // A file some screen let through is likely to be parsed again by the analysis.
  if (result.ok && tree && result.facts.screened?.length && keep(job.path, { hash: read.hash, text: read.text, tree })) result.kept = true;
  return { ...result, stamp };
}

/** What a file's text says of the analysis to come: which transforms' screens it passes, whether it has djfix comments. */
function screens(text: string, transforms: string[]): Pick<FileFacts, 'screened' | 'commented'> {
  const screened = selectTransforms(transforms)
    .filter((transform) => transform.screen?.(text))
    .map((transform) => transform.id);
  return { screened, commented: mayHoldSuppressions(text) };
}

export type ReadResult = { ok: true; text: string; hash: string; stamp: FileStamp } | { ok: false; reason: string; error?: boolean };

/** A project file as djfix may edit it, or why it will not (unreadable: `error`; not text: a skip). */
export function readSource(root: string, relative: string, maxFileBytes: number): ReadResult {
  const read = readBytes(root, relative);
  if (!read.ok) return read;
  const decoded = decodeSource(read.bytes, maxFileBytes);
  return decoded.ok ? { ok: true, text: decoded.source.text, hash: decoded.source.hash, stamp: read.stamp } : { ok: false, reason: decoded.reason };
}

/** What readSource says of a file, but only its hash (and stamp): the text is not built. */
export function hashProjectFile(root: string, relative: string, maxFileBytes: number): { ok: true; hash: string; stamp: FileStamp } | { ok: false; reason: string; error?: boolean } {
  const read = readBytes(root, relative);
  if (!read.ok) return read;
  const hashed = hashSource(read.bytes, maxFileBytes);
  return hashed.ok ? { ...hashed, stamp: read.stamp } : hashed;
}

/**
 * The bytes of a file, read into one buffer per thread: djfix keeps a file's decoded text and hash,
 * never its bytes, so they are valid only until the next read. Fresh memory for every file cost more
 * than the reading.
 */
let scratch = Buffer.allocUnsafe(1 << 20);

function readBytes(root: string, relative: string): { ok: true; bytes: Buffer; stamp: FileStamp } | { ok: false; reason: string; error: true } {
  try {
    const fd = fs.openSync(path.join(root, relative), 'r');
    try {
      const stamp = stampOf(fd);
      return { ok: true, bytes: readAll(fd, stamp.size), stamp };
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    return { ok: false, reason: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check its permissions`, error: true };
  }
}

/** Files larger than this (djfix refuses them by default) are read into memory of their own, not kept. */
const MAX_SCRATCH_BYTES = 8 << 20;

/** As readFileSync does: `size` bytes of a regular file (fstat's size), else everything up to the end. */
function readAll(fd: number, size: number): Buffer {
  if (size > MAX_SCRATCH_BYTES) return fs.readFileSync(fd);
  let length = 0;
  while (size === 0 || length < size) {
    if (length === scratch.length || scratch.length < size) {
      const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, size));
      scratch.copy(bigger, 0, 0, length);
      scratch = bigger;
    }
    const read = fs.readSync(fd, scratch, length, (size || scratch.length) - length, null);
    if (read === 0) break;
    length += read;
  }
  return scratch.subarray(0, length);
}

/** Facts of a text already in memory (files re-read after djfix changed them within a run), from its tree if it has one. */
export function collectText(filePath: string, text: string, hash: string, transforms: string[], tree?: Tree): CollectResult {
  return collectTree(filePath, text, hash, transforms, tree).result;
}

/** A text's facts, and its tree when it parsed. */
function collectTree(filePath: string, text: string, hash: string, transforms: string[], tree = parsePython(text)): { result: CollectResult; tree?: Tree } {
  const error = firstSyntaxError(tree);
  if (error) {
    const line = error.startPosition.row + 1;
    return { result: { path: filePath, ok: false, hash, reason: `syntax error at line ${line}; fix it or exclude the file`, line } };
  }
  const facts = { ...extractFacts(tree, text), ...screens(text, transforms) };
  for (const transform of selectTransforms(transforms)) {
    if (!transform.collect) continue;
    const extra = transform.collect(tree, text);
    if (extra !== undefined) facts.extra[transform.id] = extra;
  }
  return { result: { path: filePath, ok: true, hash, facts }, tree };
}

export interface AnalyzeJob {
  path: string;
  /** The text to analyse when djfix already changed it in this run; otherwise the file is read. */
  text?: string;
  /** Hash of the bytes collected in the first pass: a file that changed since is not analysed. */
  hash: string;
}

export interface AnalyzeBatch {
  root: string;
  maxFileBytes: number;
  index: ProjectIndex;
  transforms: string[];
  options: Record<string, TransformOptions>;
  files: AnalyzeJob[];
  /** How many of the first files start from a project-wide plan: a pool analyses them in one batch. */
  planned?: number;
  /** Texts djfix already changed in this run, and the dependency files, by path. */
  texts: Record<string, string>;
}

export interface AnalyzeResult {
  path: string;
  findings: Finding[];
  problems: Problem[];
  /** The file's djfix comments; only files whose text mentions `djfix:` are searched. */
  suppressions?: Suppression[];
  /** Findings those comments dropped. */
  suppressed?: SuppressedFinding[];
}

/**
 * `parsed`: the tree of a job's `text`, when the caller has one (settling re-analyses texts it parsed
 * to check them); trees cannot go to a worker, so only an analysis in this thread is given them.
 */
export async function analyzeBatch(batch: AnalyzeBatch, parsed?: (text: string) => Tree | undefined): Promise<AnalyzeResult[]> {
  const results: AnalyzeResult[] = [];
  for (const file of batch.files) {
    results.push(analyzeFile(batch, file, parsed));
    await yieldToEventLoop();
  }
  return results;
}

function analyzeFile(batch: AnalyzeBatch, job: AnalyzeJob, parsed?: (text: string) => Tree | undefined): AnalyzeResult {
  const result: AnalyzeResult = { path: job.path, findings: [], problems: [] };
  const entry = batch.index.files[job.path];
  const kept = job.text === undefined ? takeKept(job.path, job.hash) : undefined;
  const tree = kept?.tree ?? (job.text === undefined ? undefined : parsed?.(job.text));
  const text = job.text ?? kept?.text ?? readProjectText(batch, job.path, job.hash);
  if (!entry || text === undefined) {
    result.problems.push({ path: job.path, message: 'changed on disk while djfix was running; not analysed, run djfix again' });
    return result;
  }
  const applicable = selectTransforms(batch.transforms).filter((transform) =>
    transform.mayApply({ path: job.path, role: entry.role, screened: transform.screen?.(text) ?? true }, batch.index),
  );
  const marked = mayHoldSuppressions(text);
  // A file with djfix comments is parsed even when no transform applies, so unused comments are known.
  if (applicable.length === 0 && !marked) return result;
  const file = new LazilyParsedFile(job.path, entry.module, entry.role, text, tree);
  // Every text a transform reads is remembered, so its edits are applied only to that same text.
  const seen = new Map<string, string>([[job.path, text]]);
  const readText = (other: string) => {
    if (!seen.has(other)) {
      const found = batch.texts[other] ?? readProjectText(batch, other);
      if (found === undefined) return undefined;
      seen.set(other, found);
    }
    return seen.get(other);
  };
  // The comments of any file a transform asks about are read here, in the worker, once per file. A
  // result that depends on another file's comments is still right when cached: the cache key holds
  // the index key, which hashes every file of the project.
  const commentsByFile = new Map<string, Suppression[]>();
  const suppressionsOf = (filePath: string): Suppression[] => {
    let found = commentsByFile.get(filePath);
    if (!found) {
      const other = filePath === job.path ? text : readText(filePath);
      found = other !== undefined && mayHoldSuppressions(other) ? suppressionsIn(filePath === job.path ? file.tree : parsePython(other)) : [];
      commentsByFile.set(filePath, found);
    }
    return found;
  };
  for (const transform of applicable) {
    try {
      const isSuppressed = (location: { path: string; line: number }) => suppressionFor(suppressionsOf(location.path), transform.id, location.line) !== undefined;
      const findings = transform.analyze({ file, index: batch.index, options: batch.options[transform.id] ?? {}, readText, isSuppressed });
      for (const finding of findings) {
        const { path: at, line } = finding.location;
        const suppression = suppressionFor(suppressionsOf(at), finding.transform, line);
        if (suppression) {
          (result.suppressed ??= []).push({ transform: finding.transform, code: finding.code, path: at, line, by: suppression.line });
          continue;
        }
        for (const change of finding.change?.files ?? []) {
          if (change.kind === 'edit') change.baseHash = textHash(seen.get(change.path) ?? '');
        }
        result.findings.push(finding);
      }
    } catch (error) {
      // A transform bug must not stop the run: the file is reported and left as it is.
      result.problems.push({ path: job.path, message: `djfix bug in ${transform.id}: ${(error as Error).stack ?? error}; the file was left unchanged` });
    }
  }
  if (marked) result.suppressions = suppressionsOf(job.path);
  return result;
}

/**
 * A file to analyse, parsed when a transform first asks for its tree: some answer from the index's
 * facts alone. The tree is kept on the object, not in a closure: with a getter closing over a local
 * of analyzeFile, trees outlived their analysis (peak memory on four copies of saleor went from 540
 * to 780 MiB).
 */
class LazilyParsedFile implements ParsedFile {
  constructor(
    readonly path: string,
    readonly module: string,
    readonly role: FileRole,
    readonly text: string,
    /** The tree kept from the first pass, if the file's thread kept it. */
    private parsed?: Tree,
  ) {}

  get tree(): Tree {
    return (this.parsed ??= parsePython(this.text));
  }
}

/** A project file's text from disk; undefined when unreadable, not text, or not the expected bytes. */
function readProjectText(batch: AnalyzeBatch, relative: string, expectedHash?: string): string | undefined {
  const read = readSource(batch.root, relative, batch.maxFileBytes);
  return read.ok && (!expectedHash || read.hash === expectedHash) ? read.text : undefined;
}
