// Work is shared by this thread and `jobs - 1` workers, each claiming chunks from one counter in
// shared memory. Each worker is a pool of one thread given exactly one task per phase: terminating a
// thread while it still loads the native parser aborts the process, so no thread is left without work
// to be waited for.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CollectJob, CollectResult } from '../../src/analysis';
import { chunkBounds, claimChunks, claimOrder, createExecutor, inProcessExecutor, singleQueue } from '../../src/executor';
import { poolOptions } from '../../src/workers';
import { parseCount } from '../../src/parse';
import { buildIndex } from '../../src/project/index';

test('each worker is a pool of one thread', () => {
  expect(poolOptions()).toMatchObject({ minThreads: 1, maxThreads: 1 });
});

/** The sizes of the chunks that bounds describe. */
const sizesOf = (bounds: number[]) => bounds.slice(1).map((end, i) => end - bounds[i]);

test('files that need a project-wide plan are analysed in one chunk, the others in chunks of their own', () => {
  const bounds = chunkBounds(100, 2, 20);
  expect(bounds.slice(0, 2)).toEqual([0, 20]);
  expect(sizesOf(bounds.slice(1)).every((size) => size <= 8)).toBe(true);
  expect(bounds[bounds.length - 1]).toBe(100);
  expect(chunkBounds(100, 2).slice(0, 2)).toEqual([0, 8]);
  // An analysis's last chunks are single files.
  expect(sizesOf(chunkBounds(100, 2, 20, 1)).slice(-3)).toEqual([1, 1, 1]);
});

test('threads claiming from one counter take every chunk once, however their work interleaves', async () => {
  const bounds = chunkBounds(500, 2);
  const items = Array.from({ length: 500 }, (_, i) => i);
  const claims = new Int32Array(new SharedArrayBuffer(4));
  const taken: number[][] = [];
  const claimer = (delay: number) =>
    claimChunks(claims, singleQueue(bounds), [0], items, async (chunk) => (await new Promise((resolve) => setTimeout(resolve, delay)), chunk), (at, answer) => (taken[at] = answer));
  await Promise.all([claimer(0), claimer(3)]);
  expect(taken.flat()).toEqual(items);
});

test('each thread takes from its own queue first, the main thread from the shared one, then all help', async () => {
  expect(claimOrder(0, 4)).toEqual([0, 1, 2, 3]);
  expect(claimOrder(1, 4)).toEqual([2, 0, 1, 3]);
  expect(claimOrder(2, 4)).toEqual([3, 0, 1, 2]);
  // Queues 0 (shared, two chunks), 1 (the main thread's, one) and 2 (the worker's, two).
  const plan = { bounds: [0, 2, 4, 5, 7, 9], queues: [0, 2, 3, 5] };
  const items = Array.from({ length: 9 }, (_, i) => i);
  const claims = new Int32Array(new SharedArrayBuffer(12));
  const byThread: number[][] = [[], []];
  const claimer = (thread: number) =>
    claimChunks(claims, plan, claimOrder(thread, 3), items, async (chunk) => (await new Promise((resolve) => setTimeout(resolve, 2)), chunk), (at) => byThread[thread].push(at));
  await Promise.all([claimer(0), claimer(1)]);
  expect([...byThread[0], ...byThread[1]].sort()).toEqual([0, 1, 2, 3, 4]);
  expect(byThread[0][0]).toBe(0);
  expect(byThread[1][0]).toBe(3);
});

function pythonFiles(count: number): CollectJob[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-executor-'));
  fs.mkdirSync(path.join(root, 'app'));
  return Array.from({ length: count }, (_, i) => {
    const file = `app/m${String(i).padStart(3, '0')}.py`;
    fs.writeFileSync(path.join(root, file), `from .m${i + 1} import Model${i + 1}\n\nclass Model${i}(Model${i + 1}):\n    pass\n`);
    return { root, path: file, maxFileBytes: 1 << 20, transforms: [] };
  });
}

test('work of one chunk is done in this thread, without starting a worker that would get nothing', async () => {
  const executor = createExecutor(2);
  try {
    const before = parseCount();
    await executor.collect(pythonFiles(5));
    expect(parseCount() - before).toBe(5);
    expect((executor as unknown as { pools?: unknown }).pools).toBeUndefined();
  } finally {
    await executor.close();
  }
});

test('workers started before there is work are let finish loading when the run closes at once', async () => {
  for (let i = 0; i < 3; i++) {
    const executor = createExecutor(3);
    executor.start();
    await executor.close();
  }
  // Closed, an executor starts workers anew for more work.
  const executor = createExecutor(2);
  executor.start();
  await executor.close();
  try {
    expect(await executor.collect(pythonFiles(40))).toHaveLength(40);
  } finally {
    await executor.close();
  }
});

test('workers started early and given no analysis are stopped by close, even after the last analysis', async () => {
  const executor = createExecutor(2);
  executor.start();
  const pools = (executor as unknown as { pools: Array<{ threads: unknown[] }> }).pools;
  const index = buildIndex([], { version: null, source: 'test' });
  // One file: all done in this thread, no worker gets a part of this last work.
  await executor.analyze({ root: os.tmpdir(), maxFileBytes: 1 << 20, index, transforms: [], options: {}, files: [{ path: 'x.py', hash: 'h' }], texts: {} }, undefined, true);
  await executor.close();
  expect(pools.map((pool) => pool.threads.length)).toEqual([0]);
});

test('this thread and a worker share the files, and the results are those of one thread, in order', async () => {
  const jobs = pythonFiles(400);
  // A stamp says when it was taken, which differs from run to run.
  const withoutTime = (results: CollectResult[]) => results.map((result) => ({ ...result, stamp: { ...result.stamp, takenMs: 0 } }));
  const alone = withoutTime(await inProcessExecutor.collect(jobs));
  const executor = createExecutor(2);
  try {
    // A worker started by earlier work is ready: it claims chunks from the start (a starting one
    // finds a small tree done before it can help).
    await executor.collect(pythonFiles(40));
    const counted: number[] = [];
    const before = parseCount();
    const shared = await executor.collect(jobs, (count) => counted.push(count));
    const parsedHere = parseCount() - before;
    expect(withoutTime(shared)).toEqual(alone);
    expect(counted.reduce((sum, count) => sum + count, 0)).toBe(jobs.length);
    // Both did some: this thread parsed some files, the worker the others.
    expect(parsedHere).toBeGreaterThan(0);
    expect(parsedHere).toBeLessThan(jobs.length);
  } finally {
    await executor.close();
  }
});

test('chunks shrink as the work runs out, down to a floor, and cover every item once in order', () => {
  const bounds = chunkBounds(4338, 2);
  const sizes = sizesOf(bounds);
  expect(bounds[0]).toBe(0);
  expect(bounds[bounds.length - 1]).toBe(4338);
  expect(sizes.every((size) => size > 0)).toBe(true);
  expect(sizes[0]).toBe(Math.ceil(4338 / 16));
  expect(sizes.every((size, i) => i === 0 || size <= sizes[i - 1] || i === sizes.length - 1)).toBe(true);
  expect(sizes.slice(-5, -1)).toEqual([8, 8, 8, 8]);
});

test('a worker that fails while this thread works is reported as the error of the collect, not as an unhandled rejection', () => {
  // In a process of its own: Node ends a process on an unhandled rejection, which Jest would hide.
  const script = `
    const { createExecutor } = require(${JSON.stringify(path.join(__dirname, '../../src/executor.js'))});
    const fs = require('fs'), os = require('os'), path = require('path');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-executor-'));
    // Jobs that cannot be sent to a worker: its task fails at once, while this thread works.
    const jobs = Array.from({ length: 200 }, (_, i) => {
      fs.writeFileSync(path.join(root, 'm' + i + '.py'), 'x = 1\\n'.repeat(200));
      return { root, path: 'm' + i + '.py', maxFileBytes: 1 << 20, transforms: [], notData: () => undefined };
    });
    const executor = createExecutor(2);
    executor.collect(jobs).then(() => console.log('resolved'), (error) => console.log('rejected: ' + error.name)).finally(() => executor.close());
  `;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect({ status: child.status, stdout: child.stdout.trim(), stderr: child.stderr }).toEqual({ status: 0, stdout: 'rejected: DataCloneError', stderr: '' });
});
