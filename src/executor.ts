// Where per-file work runs: in this thread and on worker threads, or in this thread alone when one
// job is asked for (and for the few files re-analysed after djfix changed them). All give the same
// results.
import { MessageChannel, MessagePort } from 'node:worker_threads';
import type Piscina from 'piscina';
import type { SharedIndex, SharedWork } from './worker';
import type { ProjectIndex } from './project/index';
import { analyzeBatch, AnalyzeBatch, AnalyzeResult, collectFiles, CollectJob, CollectResult } from './analysis';
import { dropKept, startKeeping } from './kept';
import { startWorker, takePrestarted } from './workers';

/** `progress` is told how many more files are done, as chunks finish. */
export interface Executor {
  collect(jobs: CollectJob[], progress?: (count: number) => void): Promise<CollectResult[]>;
  /**
   * `last`: no work follows, so each worker stops as soon as its part is done; freeing what it holds
   * takes a while (60 ms on saleor), which it spends while this thread still works.
   */
  analyze(batch: AnalyzeBatch, progress?: (count: number) => void, last?: boolean): Promise<AnalyzeResult[]>;
  /**
   * Starts the workers before there is work for them: a run that will collect every file's facts
   * has them load djfix while this thread finds the files.
   */
  start(): void;
  /**
   * Hands the index to the workers already running before the analysis is planned: they parse it
   * while this thread works out which files to analyse, and the import cycles, which go with the
   * analysis.
   */
  shareIndex(index: ProjectIndex): void;
  close(): Promise<void>;
}

export function createExecutor(jobs: number): Executor {
  return jobs <= 1 ? inProcessExecutor : new SharedExecutor(jobs);
}

export const inProcessExecutor: Executor = {
  async collect(jobs, progress) {
    startKeeping(KEEP_CHARS);
    const results = await collectFiles(jobs);
    progress?.(jobs.length);
    return results;
  },
  async analyze(batch, progress) {
    try {
      const results = await analyzeBatch(batch);
      progress?.(batch.files.length);
      return results;
    } finally {
      dropKept();
    }
  },
  start() {},
  shareIndex() {},
  async close() {},
};

/**
 * The smallest chunk of a collect: below it, a chunk's messages cost more than its files. An
 * analysis goes down to single files: few files get that far, and one can take 100 ms, which eight
 * together left one thread working alone at the end.
 */
const MIN_CHUNK = 8;
const MIN_ANALYSIS_CHUNK = 1;

/**
 * Where the chunks of `count` items start, and where the last ends. Chunks shrink as the work runs
 * out (guided scheduling): large ones first keep messages few, small ones last keep every thread busy
 * to the end instead of one finishing a large chunk while the others wait. A `first` chunk of that
 * many items may lead: an analysis's files that need a project-wide plan, so that one thread makes it.
 */
export function chunkBounds(count: number, jobs: number, first = 0, smallest = MIN_CHUNK): number[] {
  const bounds = [0];
  if (first > 0) bounds.push(Math.min(first, count));
  for (let at = bounds[bounds.length - 1]; at < count; ) {
    at = Math.min(count, at + Math.max(smallest, Math.ceil((count - at) / (jobs * 8))));
    bounds.push(at);
  }
  return bounds;
}

/**
 * The chunks of a phase, in queues: chunk `c` covers `items[bounds[c]]` up to `items[bounds[c + 1]]`,
 * and queue `q` holds chunks `queues[q]` up to `queues[q + 1]`. Queue 0 is every thread's; queue
 * `1 + t` holds the files thread `t` kept trees of (thread 0 is the main thread).
 */
export interface ChunkPlan {
  bounds: number[];
  queues: number[];
}

/** A plan of one queue, which every thread shares. */
export function singleQueue(bounds: number[]): ChunkPlan {
  return { bounds, queues: [0, bounds.length - 1] };
}

/**
 * The order in which thread `t` takes from the queues: the main thread starts with the shared queue
 * (an analysis's planned chunk leads it), workers with their own files; then each helps with the
 * others, so that every thread is busy to the end.
 */
export function claimOrder(thread: number, queueCount: number): number[] {
  const others = Array.from({ length: queueCount }, (_, q) => q).filter((q) => q !== 0 && q !== 1 + thread);
  return thread === 0 ? [0, ...(queueCount > 1 ? [1] : []), ...others] : [...(1 + thread < queueCount ? [1 + thread] : []), 0, ...others];
}

/**
 * Takes chunks until none is left, each thread claiming the next of a queue from that queue's
 * counter in shared memory: no thread waits for another to hand it work. `done` hears of each chunk
 * as it ends.
 */
export async function claimChunks<T, R>(claims: Int32Array, plan: ChunkPlan, order: number[], items: T[], work: (chunk: T[]) => Promise<R[]>, done: (at: number, results: R[]) => void): Promise<void> {
  for (const queue of order) {
    for (let at = plan.queues[queue] + Atomics.add(claims, queue, 1); at < plan.queues[queue + 1]; at = plan.queues[queue] + Atomics.add(claims, queue, 1)) {
      done(at, await work(items.slice(plan.bounds[at], plan.bounds[at + 1])));
    }
  }
}

let shares = 0;

/**
 * The index goes to the workers as JSON in shared memory: posting the object itself would copy it
 * once per batch, which costs more than the analysis on a large project. Each worker parses it once.
 * JSON that is all ASCII (as it is unless a name or string in the project is not) is copied as
 * Latin-1, byte for character, which is faster both ways than encoding and decoding UTF-8.
 */
function indexCopy(index: ProjectIndex): SharedIndex {
  const json = JSON.stringify(index);
  const key = `${process.pid}:${++shares}`;
  // Written as UTF-8 into memory of one byte per character: it all fits when it is all ASCII, which
  // the encoder tells without a pass of its own.
  let buffer = new SharedArrayBuffer(json.length);
  const { read, written } = new TextEncoder().encodeInto(json, new Uint8Array(buffer));
  if (read === json.length && written === json.length) return { key, buffer, encoding: 'latin1' };
  buffer = new SharedArrayBuffer(Buffer.byteLength(json, 'utf8'));
  Buffer.from(buffer).write(json, 'utf8');
  return { key, buffer, encoding: 'utf8' };
}

/**
 * Characters of text whose trees the threads of a run keep between the passes, shared among them:
 * about 190 MB of trees at most. Saleor's screened files (6.5 MB) fit.
 */
export const KEEP_CHARS = 8_000_000;

/** What every thread is told of a phase: the work, how it is chunked, and how much to keep. */
type Phase<T> = Pick<SharedWork, 'phase' | 'batch' | 'keep'> & { items: T[]; plan: ChunkPlan };

/**
 * Work shared by this thread and `jobs - 1` workers, each claiming chunks from counters in shared
 * memory. This thread is a job too: with it the run starts one copy fewer of djfix and of the index,
 * and the threads that work have the cores to themselves. Workers answer each chunk by a port of
 * their own as they finish it, so the main thread, busy with a chunk, never holds them up. A file's
 * analysis goes to the thread that kept its tree when it can.
 */
class SharedExecutor implements Executor {
  private pools: Piscina[] | undefined;
  /** Tasks of the workers that are not work (starting, compiling queries): waited for before they stop. */
  private preparing: Array<Promise<unknown>> = [];
  /** Workers stopping after their last work: close() waits for them. */
  private stopping: Array<Promise<unknown>> = [];
  /** Which thread kept the tree of each file in the last collect. */
  private keptBy = new Map<string, number>();
  /** The index shareIndex() gave the workers, and their copy of it. */
  private shared: { index: ProjectIndex; copy: SharedIndex } | undefined;

  constructor(private readonly jobs: number) {}

  /** Started for the first work of more than one chunk, or by start(); taken over when bin/djfix started them. */
  private workers(): Piscina[] {
    if (!this.pools) {
      const taken = takePrestarted(this.jobs - 1);
      const started = [...taken, ...Array.from({ length: this.jobs - 1 - taken.length }, startWorker)];
      this.preparing = started.map((worker) => worker.ready);
      this.pools = started.map((worker) => worker.pool);
    }
    return this.pools;
  }

  start(): void {
    this.workers();
  }

  async collect(jobs: CollectJob[], progress?: (count: number) => void): Promise<CollectResult[]> {
    const keepChars = Math.floor(KEEP_CHARS / this.jobs);
    startKeeping(keepChars);
    this.keptBy.clear();
    const results = await this.share({ phase: 'collect', items: jobs, keep: keepChars, plan: singleQueue(chunkBounds(jobs.length, this.jobs)) }, collectFiles, progress, (thread, answer) => {
      for (const result of answer) if (result.ok && result.kept) this.keptBy.set(result.path, thread);
    });
    // The index comes next, built here while the workers wait for it: they compile the analysis's
    // queries meanwhile. Waited for like a start (see close).
    if (this.pools) this.preparing.push(...this.pools.map((pool) => pool.run(undefined, { name: 'compileAnalysisQueries' }).catch(() => undefined)));
    return results;
  }

  shareIndex(index: ProjectIndex): void {
    if (!this.pools) return;
    const copy = indexCopy(index);
    this.shared = { index, copy };
    this.preparing.push(...this.pools.map((pool) => pool.run(copy, { name: 'loadIndex' }).catch(() => undefined)));
  }

  async analyze(batch: AnalyzeBatch, progress?: (count: number) => void, last = false): Promise<AnalyzeResult[]> {
    const { index, files, ...rest } = batch;
    const planned = batch.planned ?? 0;
    // Queue 0: the planned files first, then those no thread kept; queue 1 + t: those thread t kept.
    const queues: number[][] = Array.from({ length: 1 + this.jobs }, () => []);
    files.forEach((file, at) => {
      const keeper = this.keptBy.get(file.path);
      queues[at < planned || keeper === undefined ? 0 : 1 + keeper].push(at);
    });
    const order = queues.flat();
    const bounds = [0];
    const starts = [0];
    queues.forEach((queue, q) => {
      const offset = bounds[bounds.length - 1];
      bounds.push(...chunkBounds(queue.length, this.jobs, q === 0 ? planned : 0, MIN_ANALYSIS_CHUNK).slice(1).map((end) => offset + end));
      starts.push(bounds.length - 1);
    });
    const items = order.map((at) => files[at]);
    const plan = { bounds, queues: starts };
    // Made only when workers get work: work of one chunk is all done here. Import cycles found since
    // the index was shared go with it.
    const copy = () => (this.shared?.index === index ? this.shared.copy : indexCopy(index));
    const shared = bounds.length > 2 ? { batch: { ...rest, index: copy(), cycles: index.cycles } } : {};
    try {
      const flat = await this.share({ phase: 'analyze', items, plan, ...shared }, (part) => analyzeBatch({ ...batch, files: part }), progress, undefined, last);
      const results: AnalyzeResult[] = new Array(files.length);
      order.forEach((at, i) => (results[at] = flat[i]));
      return results;
    } finally {
      dropKept();
      this.keptBy.clear();
      this.shared = undefined;
    }
  }

  /**
   * Runs every chunk, here and on the workers, and gives back their results in the chunks' order;
   * `answered` hears which thread did each chunk. `last`: each worker stops when its part is done.
   */
  private async share<T, R>(work: Phase<T>, here: (chunk: T[]) => Promise<R[]>, progress?: (count: number) => void, answered?: (thread: number, answer: R[]) => void, last = false): Promise<R[]> {
    const { plan } = work;
    const results: R[][] = new Array(plan.bounds.length - 1);
    let missing = results.length;
    let arrived: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => (arrived = resolve));
    const done = (thread: number) => (at: number, answer: R[]) => {
      results[at] = answer;
      answered?.(thread, answer);
      progress?.(plan.bounds[at + 1] - plan.bounds[at]);
      if (--missing === 0) arrived();
    };
    const queueCount = plan.queues.length - 1;
    const claims = new Int32Array(new SharedArrayBuffer(4 * queueCount));
    const ports: MessagePort[] = [];
    const tasks = (results.length > 1 ? this.workers() : []).map((pool, worker) => {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      port1.on('message', ({ at, answer }: { at: number; answer: R[] }) => done(1 + worker)(at, answer));
      const task: SharedWork = { ...work, order: claimOrder(1 + worker, queueCount), claims: claims.buffer as SharedArrayBuffer, port: port2 };
      const finished = pool.run(task, { name: 'share', transferList: [port2] }) as Promise<void>;
      // A failed task is reported below; stopping the worker is all that waits for it here.
      if (last) this.stopping.push(finished.finally(() => pool.destroy()).catch(() => undefined));
      return finished;
    });
    // Workers given their last work stop by themselves; workers given none are left to close().
    if (last && tasks.length > 0) this.pools = undefined;
    // Workers may fail while this thread works through its own chunks: the failure is reported after
    // them, and must not count as an unhandled rejection (which ends the process) meanwhile.
    const workersDone = Promise.all(tasks);
    workersDone.catch(() => undefined);
    try {
      // A worker whose last task ended while this thread was busy (building the index) is still busy
      // to its pool until this thread's event loop turns and hears so; its new task waits until then.
      // This thread's first chunk can be the import plan, 150 ms without a turn: the worker idled.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await claimChunks(claims, plan, claimOrder(0, queueCount), work.items, here, done(0));
      await workersDone;
      // A worker's last answers may come after its task has ended: they come by another port.
      if (missing > 0) await allArrived;
    } finally {
      for (const port of ports) port.close();
    }
    return results.flat();
  }

  /** Stops the workers; work given after it starts new ones. */
  async close(): Promise<void> {
    const pools = this.pools ?? [];
    this.pools = undefined;
    this.shared = undefined;
    // A worker that never got work may still be loading the native parser, or compiling queries: it
    // is let finish.
    await Promise.all(this.preparing);
    await Promise.all([...pools.map((pool) => pool.destroy()), ...this.stopping]);
    this.preparing = [];
    this.stopping = [];
  }
}
