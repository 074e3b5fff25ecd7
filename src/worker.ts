// Worker-thread entry point for the pool: a phase's chunks claimed one by one, each answered by a port.
import type { MessagePort } from 'node:worker_threads';
import { analyzeBatch, AnalyzeBatch, AnalyzeJob, collectFiles, CollectJob } from './analysis';
import { ChunkPlan, claimChunks } from './executor';
import { dropKept, startKeeping } from './kept';
import { compileDeclaredQueries } from './parse';
import type { ImportCycle } from './project/cycles';
import { ProjectIndex, withoutPrototypes } from './project/index';

/** The project index as JSON in shared memory, parsed once per worker and run (see executor.ts). */
export interface SharedIndex {
  key: string;
  buffer: SharedArrayBuffer;
  encoding: 'latin1' | 'utf8';
}

/** A phase as a worker is given it: every item, where each chunk starts, and the claims counter all threads share. */
export interface SharedWork {
  phase: 'collect' | 'analyze';
  items: unknown[];
  plan: ChunkPlan;
  /** The queues in the order this thread takes from them. */
  order: number[];
  /** One Int32 per queue: the next of its chunks to claim. */
  claims: SharedArrayBuffer;
  /** A collect's budget of characters whose trees this thread keeps for its analysis (see kept.ts). */
  keep?: number;
  /** Where each chunk's results go, as `{ at, answer }`, as soon as they are ready. */
  port: MessagePort;
  /** An analysis's batch, its files and index apart: the index is shared, its import cycles sent if known. */
  batch?: Omit<AnalyzeBatch, 'files' | 'index'> & { index: SharedIndex; cycles?: ImportCycle[] };
}

let parsed: { key: string; index: ProjectIndex } | undefined;

function indexOf(shared: SharedIndex): ProjectIndex {
  if (parsed?.key !== shared.key) parsed = { key: shared.key, index: withoutPrototypes(JSON.parse(Buffer.from(shared.buffer).toString(shared.encoding)) as ProjectIndex) };
  return parsed.index;
}

/** Parses the index before its analysis comes (see Executor.shareIndex). */
export function loadIndex(shared: SharedIndex): boolean {
  indexOf(shared);
  return true;
}

/**
 * Answers once this worker has loaded djfix and compiled the queries that collecting facts runs (see
 * Executor.start): a worker started early compiles them while the main thread finds the files, not
 * in its first chunk.
 */
export function ready(): boolean {
  compileDeclaredQueries('collect');
  return true;
}

/** Compiles the analysis's queries while the main thread builds the index (see Executor.collect). */
export function compileAnalysisQueries(): number {
  return compileDeclaredQueries('analyze');
}

/** The index with the import cycles the main thread found after sharing it (the ones it would find). */
function withCycles(index: ProjectIndex, cycles: ImportCycle[] | undefined): ProjectIndex {
  if (cycles && !index.cycles) index.cycles = cycles;
  return index;
}

export async function share(work: SharedWork): Promise<void> {
  const { batch } = work;
  if (work.phase === 'analyze' && !batch) throw new Error('djfix bug: an analysis was shared without its batch');
  const run: (chunk: unknown[]) => Promise<unknown[]> =
    work.phase === 'collect' ? (chunk) => collectFiles(chunk as CollectJob[]) : (chunk) => analyzeBatch({ ...batch!, files: chunk as AnalyzeJob[], index: withCycles(indexOf(batch!.index), batch!.cycles) });
  if (work.phase === 'collect') startKeeping(work.keep ?? 0);
  try {
    await claimChunks(new Int32Array(work.claims), work.plan, work.order, work.items, run, (at, answer) => work.port.postMessage({ at, answer }));
  } finally {
    if (work.phase === 'analyze') dropKept();
  }
}
