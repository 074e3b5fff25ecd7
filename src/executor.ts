// Where per-file work runs: on a pool of worker threads, or in this thread when one job is asked for
// (and for the few files re-analysed after djfix changed them). Both give the same results.
import os from 'node:os';
import path from 'node:path';
import type Piscina from 'piscina';
import { createHash } from 'node:crypto';
import type { SharedIndex } from './worker';
import { analyzeBatch, AnalyzeBatch, AnalyzeJob, AnalyzeResult, collectFiles, CollectJob, CollectResult } from './analysis';

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
  return jobs <= 1 ? inProcessExecutor : new PoolExecutor(jobs);
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

/** Splits work into chunks: enough per thread to balance load and show progress, few enough to keep messages cheap. */
function chunk<T>(items: T[], jobs: number): T[][] {
  const size = Math.max(8, Math.ceil(items.length / (jobs * 16)));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * The batches of an analysis: the first `planned` files, which need a project-wide plan, in one batch
 * (so one worker makes the plan, once), then the others in chunks.
 */
export function analysisChunks<T>(files: T[], planned: number, jobs: number): T[][] {
  return [...(planned > 0 ? [files.slice(0, planned)] : []), ...chunk(files.slice(planned), jobs)];
}

/**
 * The index goes to the workers as JSON in shared memory: posting the object itself would copy it
 * once per batch, which costs more than the analysis on a large project. Each worker parses it once.
 */
function shareIndex(index: AnalyzeBatch['index']): SharedIndex {
  const bytes = Buffer.from(JSON.stringify(index), 'utf8');
  const buffer = new SharedArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return { key: createHash('sha256').update(bytes).digest('hex'), buffer };
}

/**
 * One thread starts with the pool and the others only when work queues up for them. Starting every
 * thread at once left threads nobody waited for still loading the native parser when a short run
 * destroyed the pool, which aborts the whole process ("terminate called after throwing an instance
 * of 'Napi::Error'"): a one-file project hit it a few runs in a hundred on two cores. (No thread at
 * start, minThreads 0, avoids it too, but then Piscina never starts one under Jest.)
 */
export function poolOptions(jobs: number) {
  return { filename: path.join(__dirname, 'worker.js'), minThreads: 1, maxThreads: jobs, idleTimeout: 1000 };
}

function done<T>(count: number, progress?: (count: number) => void): (results: T) => T {
  return (results) => {
    progress?.(count);
    return results;
  };
}

class PoolExecutor implements Executor {
  private readonly pool: Piscina;

  constructor(private readonly jobs: number) {
    // Loaded here: a run answered from the cache never starts a thread.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Piscina: Pool } = require('piscina') as typeof import('piscina');
    this.pool = new Pool(poolOptions(jobs));
  }

  async collect(jobs: CollectJob[], progress?: (count: number) => void): Promise<CollectResult[]> {
    const run = (part: CollectJob[]) => (this.pool.run(part, { name: 'collect' }) as Promise<CollectResult[]>).then(done(part.length, progress));
    return (await Promise.all(chunk(jobs, this.jobs).map(run))).flat();
  }

  async analyze(batch: AnalyzeBatch, progress?: (count: number) => void): Promise<AnalyzeResult[]> {
    const { index, ...rest } = batch;
    const shared = shareIndex(index);
    const run = (files: AnalyzeJob[]) => (this.pool.run({ ...rest, files, index: shared }, { name: 'analyze' }) as Promise<AnalyzeResult[]>).then(done(files.length, progress));
    return (await Promise.all(analysisChunks(batch.files, batch.planned ?? 0, this.jobs).map(run))).flat();
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
