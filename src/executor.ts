// Where per-file work runs: on a pool of worker threads, or in this thread when one job is asked for
// (and for the few files re-analysed after djfix changed them). Both give the same results.
import os from 'node:os';
import path from 'node:path';
import Piscina from 'piscina';
import { analyzeBatch, AnalyzeBatch, AnalyzeResult, collectFile, CollectJob, CollectResult } from './analysis';

export interface Executor {
  collect(jobs: CollectJob[]): Promise<CollectResult[]>;
  analyze(batch: AnalyzeBatch): Promise<AnalyzeResult[]>;
  close(): Promise<void>;
}

export function defaultJobs(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export function createExecutor(jobs: number): Executor {
  return jobs <= 1 ? inProcessExecutor : new PoolExecutor(jobs);
}

export const inProcessExecutor: Executor = {
  async collect(jobs) {
    return jobs.map(collectFile);
  },
  async analyze(batch) {
    return analyzeBatch(batch);
  },
  async close() {},
};

/** Splits work into a few chunks per thread: enough to balance load, few enough to keep messages cheap. */
function chunk<T>(items: T[], jobs: number): T[][] {
  const size = Math.max(1, Math.ceil(items.length / (jobs * 4)));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
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

class PoolExecutor implements Executor {
  private readonly pool: Piscina;

  constructor(private readonly jobs: number) {
    this.pool = new Piscina(poolOptions(jobs));
  }

  async collect(jobs: CollectJob[]): Promise<CollectResult[]> {
    const results = await Promise.all(chunk(jobs, this.jobs).map((part) => this.pool.run(part, { name: 'collect' }) as Promise<CollectResult[]>));
    return results.flat();
  }

  async analyze(batch: AnalyzeBatch): Promise<AnalyzeResult[]> {
    const results = await Promise.all(chunk(batch.files, this.jobs).map((files) => this.pool.run({ ...batch, files }, { name: 'analyze' }) as Promise<AnalyzeResult[]>));
    return results.flat();
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
