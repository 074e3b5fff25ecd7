// Where per-file work runs: in this thread and on a pool of worker threads, or in this thread alone
// when one job is asked for (and for the few files re-analysed after djfix changed them). All give
// the same results.
import os from 'node:os';
import path from 'node:path';
import type Piscina from 'piscina';
import type { SharedIndex } from './worker';
import { analyzeBatch, AnalyzeBatch, AnalyzeResult, collectFiles, CollectJob, CollectResult } from './analysis';

/** `progress` is told how many more files are done, as batches finish. */
export interface Executor {
  collect(jobs: CollectJob[], progress?: (count: number) => void): Promise<CollectResult[]>;
  analyze(batch: AnalyzeBatch, progress?: (count: number) => void): Promise<AnalyzeResult[]>;
  close(): Promise<void>;
}

export function defaultJobs(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export function createExecutor(jobs: number): Executor {
  return jobs <= 1 ? inProcessExecutor : new SharedExecutor(jobs);
}

export const inProcessExecutor: Executor = {
  async collect(jobs, progress) {
    const results = await collectFiles(jobs);
    progress?.(jobs.length);
    return results;
  },
  async analyze(batch, progress) {
    const results = await analyzeBatch(batch);
    progress?.(batch.files.length);
    return results;
  },
  async close() {},
};

/** The smallest chunk: below it, a chunk's messages cost more than its files. */
const MIN_CHUNK = 8;

/**
 * Splits work into chunks that shrink as it runs out (guided scheduling): large ones first keep
 * messages few, small ones last keep every thread busy to the end instead of one finishing a large
 * chunk while the others wait.
 */
export function chunk<T>(items: T[], jobs: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = Math.max(MIN_CHUNK, Math.ceil((items.length - i) / (jobs * 8)));
    chunks.push(items.slice(i, i + size));
    i += size;
  }
  return chunks;
}

/**
 * The batches of an analysis: the first `planned` files, which need a project-wide plan, in one batch
 * (so one thread makes the plan, once), then the others in chunks.
 */
export function analysisChunks<T>(files: T[], planned: number, jobs: number): T[][] {
  return [...(planned > 0 ? [files.slice(0, planned)] : []), ...chunk(files.slice(planned), jobs)];
}

let shares = 0;

/**
 * The index goes to the workers as JSON in shared memory: posting the object itself would copy it
 * once per batch, which costs more than the analysis on a large project. Each worker parses it once.
 */
function shareIndex(index: AnalyzeBatch['index']): SharedIndex {
  const bytes = Buffer.from(JSON.stringify(index), 'utf8');
  const buffer = new SharedArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return { key: `${process.pid}:${++shares}`, buffer };
}

/** Chunks a worker holds at once: it starts the next while this thread, busy with a file, has not yet answered. */
const TASKS_PER_WORKER = 2;

/**
 * `jobs - 1` worker threads: this thread is the last job. One thread starts with the pool and the
 * others only when work queues up for them. Starting every thread at once left threads nobody waited
 * for still loading the native parser when a short run destroyed the pool, which aborts the whole
 * process ("terminate called after throwing an instance of 'Napi::Error'"): a one-file project hit
 * it a few runs in a hundred on two cores. (No thread at start, minThreads 0, avoids it too, but then
 * Piscina never starts one under Jest.)
 */
export function poolOptions(jobs: number) {
  return { filename: path.join(__dirname, 'worker.js'), minThreads: 1, maxThreads: Math.max(1, jobs - 1), concurrentTasksPerWorker: TASKS_PER_WORKER, idleTimeout: 1000 };
}

/**
 * Work shared by this thread and the workers, each taking the next chunk from one queue. This thread
 * would otherwise wait while the workers work; with it as a job the run starts one copy fewer of
 * djfix and of the index, and the threads that work have the cores to themselves (on two cores, two
 * workers beside a main thread busy receiving their results were slower than one worker and this
 * thread, and held 55 MiB more).
 */
class SharedExecutor implements Executor {
  private pool: Piscina | undefined;

  constructor(private readonly jobs: number) {}

  /**
   * Started for the first share with a chunk for a worker, so never for work of one chunk: a worker
   * given no task could still be loading the native parser when the pool is destroyed.
   */
  private workers(): Piscina {
    // Loaded here: a run answered from the cache never starts a thread.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Piscina: Pool } = require('piscina') as typeof import('piscina');
    return (this.pool ??= new Pool(poolOptions(this.jobs)));
  }

  async collect(jobs: CollectJob[], progress?: (count: number) => void): Promise<CollectResult[]> {
    return this.share(chunk(jobs, this.jobs), collectFiles, (part) => this.workers().run(part, { name: 'collect' }) as Promise<CollectResult[]>, progress);
  }

  async analyze(batch: AnalyzeBatch, progress?: (count: number) => void): Promise<AnalyzeResult[]> {
    const { index, ...rest } = batch;
    // Made only when a worker gets a chunk: work of one chunk is all done here.
    let shared: SharedIndex | undefined;
    return this.share(
      analysisChunks(batch.files, batch.planned ?? 0, this.jobs),
      (files) => analyzeBatch({ ...batch, files }),
      (files) => this.workers().run({ ...rest, files, index: (shared ??= shareIndex(index)) }, { name: 'analyze' }) as Promise<AnalyzeResult[]>,
      progress,
    );
  }

  /** Runs every chunk, here or on a worker, and gives back their results in the chunks' order. */
  private async share<T, R>(chunks: T[][], here: (chunk: T[]) => Promise<R[]>, there: (chunk: T[]) => Promise<R[]>, progress?: (count: number) => void): Promise<R[]> {
    const results: R[][] = new Array(chunks.length);
    let next = 0;
    const lane = async (run: (chunk: T[]) => Promise<R[]>, first = next++) => {
      for (let at = first; at < chunks.length; at = next++) {
        results[at] = await run(chunks[at]);
        progress?.(chunks[at].length);
      }
    };
    // This thread takes the first chunk (an analysis's planned batch, the longest: the workers would
    // still be reading the index), but starts it only once the workers have theirs: its first file
    // runs without a break, and on an analysis that is the project-wide plan.
    const first = next++;
    const lanes: Array<Promise<void>> = [];
    for (let i = 0; i < (this.jobs - 1) * TASKS_PER_WORKER && next < chunks.length; i++) lanes.push(lane(there));
    lanes.push(lane(here, first));
    await Promise.all(lanes);
    return results.flat();
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
