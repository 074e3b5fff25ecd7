// Where per-file work runs: in this thread and on worker threads, or in this thread alone when one
// job is asked for (and for the few files re-analysed after djfix changed them). All give the same
// results.
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, MessagePort } from 'node:worker_threads';
import type Piscina from 'piscina';
import type { SharedIndex, SharedWork } from './worker';
import { analyzeBatch, AnalyzeBatch, AnalyzeResult, collectFiles, CollectJob, CollectResult } from './analysis';

/** `progress` is told how many more files are done, as chunks finish. */
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
 * Where the chunks of `count` items start, and where the last ends. Chunks shrink as the work runs
 * out (guided scheduling): large ones first keep messages few, small ones last keep every thread busy
 * to the end instead of one finishing a large chunk while the others wait. A `first` chunk of that
 * many items may lead: an analysis's files that need a project-wide plan, so that one thread makes it.
 */
export function chunkBounds(count: number, jobs: number, first = 0): number[] {
  const bounds = [0];
  if (first > 0) bounds.push(Math.min(first, count));
  for (let at = bounds[bounds.length - 1]; at < count; ) {
    at = Math.min(count, at + Math.max(MIN_CHUNK, Math.ceil((count - at) / (jobs * 8))));
    bounds.push(at);
  }
  return bounds;
}

/**
 * Takes chunks until none is left, each thread claiming the next from one counter in shared memory:
 * no thread waits for another to hand it work. `done` hears of each chunk as it ends.
 */
export async function claimChunks<T, R>(claims: Int32Array, bounds: number[], items: T[], work: (chunk: T[]) => Promise<R[]>, done: (at: number, results: R[]) => void): Promise<void> {
  for (let at = Atomics.add(claims, 0, 1); at < bounds.length - 1; at = Atomics.add(claims, 0, 1)) {
    done(at, await work(items.slice(bounds[at], bounds[at + 1])));
  }
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

/**
 * One worker thread: a pool of its own, so that it is given exactly one task per phase and is always
 * waited for. Terminating a thread that still loads the native parser aborts the whole process
 * ("terminate called after throwing an instance of 'Napi::Error'"); a thread that always has a task
 * is never terminated before it has answered.
 */
export function poolOptions() {
  return { filename: path.join(__dirname, 'worker.js'), minThreads: 1, maxThreads: 1, idleTimeout: 1000 };
}

/**
 * Work shared by this thread and `jobs - 1` workers, each claiming the next chunk from one counter.
 * This thread is a job too: with it the run starts one copy fewer of djfix and of the index, and the
 * threads that work have the cores to themselves. Workers answer each chunk by a port of their own
 * as they finish it, so the main thread, busy with a chunk, never holds them up.
 */
class SharedExecutor implements Executor {
  private pools: Piscina[] | undefined;

  constructor(private readonly jobs: number) {}

  /** Started for the first work of more than one chunk: a run from the cache never starts a thread. */
  private workers(): Piscina[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Piscina: Pool } = require('piscina') as typeof import('piscina');
    return (this.pools ??= Array.from({ length: this.jobs - 1 }, () => new Pool(poolOptions())));
  }

  async collect(jobs: CollectJob[], progress?: (count: number) => void): Promise<CollectResult[]> {
    return this.share({ phase: 'collect', items: jobs }, chunkBounds(jobs.length, this.jobs), collectFiles, progress);
  }

  async analyze(batch: AnalyzeBatch, progress?: (count: number) => void): Promise<AnalyzeResult[]> {
    const { index, files, ...rest } = batch;
    const bounds = chunkBounds(files.length, this.jobs, batch.planned ?? 0);
    // Made only when workers get work: work of one chunk is all done here.
    const shared = () => ({ phase: 'analyze' as const, items: files, batch: { ...rest, index: shareIndex(index) } });
    return this.share(bounds.length > 2 ? shared() : { phase: 'analyze', items: files }, bounds, (part) => analyzeBatch({ ...batch, files: part }), progress);
  }

  /** Runs every chunk, here and on the workers, and gives back their results in the chunks' order. */
  private async share<T, R>(work: Pick<SharedWork, 'phase' | 'batch'> & { items: T[] }, bounds: number[], here: (chunk: T[]) => Promise<R[]>, progress?: (count: number) => void): Promise<R[]> {
    const results: R[][] = new Array(bounds.length - 1);
    let missing = results.length;
    let arrived: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => (arrived = resolve));
    const done = (at: number, answer: R[]) => {
      results[at] = answer;
      progress?.(bounds[at + 1] - bounds[at]);
      if (--missing === 0) arrived();
    };
    const claims = new Int32Array(new SharedArrayBuffer(4));
    const ports: MessagePort[] = [];
    const tasks = (results.length > 1 ? this.workers() : []).map((pool) => {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      port1.on('message', ({ at, answer }: { at: number; answer: R[] }) => done(at, answer));
      const task: SharedWork = { ...work, bounds, claims: claims.buffer as SharedArrayBuffer, port: port2 };
      return pool.run(task, { name: 'share', transferList: [port2] }) as Promise<void>;
    });
    try {
      await claimChunks(claims, bounds, work.items, here, done);
      await Promise.all(tasks);
      // A worker's last answers may come after its task has ended: they come by another port.
      if (missing > 0) await allArrived;
    } finally {
      for (const port of ports) port.close();
    }
    return results.flat();
  }

  async close(): Promise<void> {
    await Promise.all((this.pools ?? []).map((pool) => pool.destroy()));
  }
}
