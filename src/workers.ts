// Starting worker threads. Each worker is a pool of its own (see executor.ts). A cold run on two cores
// gains from a worker that is ready when the files have been found: bin/djfix may start one before the
// rest of djfix loads, and the run's executor takes it over. This module loads next to nothing, so
// that it can come first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Piscina from 'piscina';
import { DEFAULT_CACHE_DIR, packFile } from './cache';

export function defaultJobs(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/**
 * One worker thread: a pool of its own, so that it is given exactly one task per phase and is always
 * waited for. Terminating a thread that still loads the native parser aborts the whole process
 * ("terminate called after throwing an instance of 'Napi::Error'"); a thread that always has a task
 * is never terminated before it has answered. Two tasks may be in flight: a phase's work reaches the
 * worker while it still parses the index, without waiting for the main thread to hear that it is done.
 * Only one of them is ever work; the others (starting, compiling queries, parsing the index) run
 * without a pause, so tasks never interleave.
 */
export function poolOptions() {
  return { filename: path.join(__dirname, 'worker.js'), minThreads: 1, maxThreads: 1, idleTimeout: 1000, concurrentTasksPerWorker: 2 };
}

/** A worker and its first task, which ends once the worker has loaded djfix and compiled the queries collecting runs. */
export interface StartedWorker {
  pool: Piscina;
  ready: Promise<unknown>;
}

export function startWorker(): StartedWorker {
  // Loaded here: a run answered from the cache never starts a thread.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Piscina: Pool } = require('piscina') as typeof import('piscina');
  const pool = new Pool(poolOptions());
  // A worker that cannot start says so when it is given work.
  return { pool, ready: pool.run(undefined, { name: 'ready' }).catch(() => undefined) };
}

let prestarted: StartedWorker[] = [];

/**
 * Starts the workers of a run before djfix loads, when the command line looks like a run that will
 * collect every file's facts (see collectsEverything). On saleor the worker started collecting 10 ms
 * after the main thread instead of 50-90 ms, and a cold run took about 3 % less. A guess only decides
 * when threads start: workers the run does not take are stopped at its end (discardPrestarted).
 */
export function prestart(argv: string[], env: NodeJS.ProcessEnv, cwd: string): void {
  const jobs = jobsFlag(argv) ?? defaultJobs();
  if (jobs > 1 && collectsEverything(argv, env, cwd)) prestarted = Array.from({ length: jobs - 1 }, startWorker);
}

/**
 * Whether a command line will run djfix with no facts cached: with `--no-cache`, or with no facts pack
 * where the cache lives when djfix runs in the project root. Flags that print and exit run nothing.
 */
export function collectsEverything(argv: string[], env: NodeJS.ProcessEnv, cwd: string): boolean {
  if (argv.some((arg) => ['-h', '--help', '-V', '--version', '--list-transforms'].includes(arg) || arg.startsWith('--explain'))) return false;
  if (argv.includes('--no-cache')) return true;
  const cacheDir = flagValue(argv, '--cache-dir') ?? env.DJFIX_CACHE_DIR ?? DEFAULT_CACHE_DIR;
  return !fs.existsSync(packFile(path.resolve(cwd, cacheDir), 'facts'));
}

function jobsFlag(argv: string[]): number | undefined {
  const value = flagValue(argv, '--jobs');
  return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
}

/** `--flag value` or `--flag=value`, the last one given. */
function flagValue(argv: string[], flag: string): string | undefined {
  let found: string | undefined;
  argv.forEach((arg, at) => {
    if (arg === flag && at + 1 < argv.length) found = argv[at + 1];
    else if (arg.startsWith(`${flag}=`)) found = arg.slice(flag.length + 1);
  });
  return found;
}

/** Up to `count` workers started ahead of the run, which the caller now owns. */
export function takePrestarted(count: number): StartedWorker[] {
  return prestarted.splice(0, count);
}

/** Stops the workers started ahead that no run took, once each is ready (see poolOptions). */
export async function discardPrestarted(): Promise<void> {
  const left = prestarted.splice(0);
  // A worker that fails to stop has nothing left to lose: the process is ending.
  await Promise.all(left.map(({ pool, ready }) => ready.then(() => pool.destroy()).catch(() => undefined)));
}
