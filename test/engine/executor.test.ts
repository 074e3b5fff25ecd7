// Work is shared by this thread and `jobs - 1` workers. The pool starts one thread and the others only
// for queued work: terminating a thread while it still loads the native parser aborts the process,
// so a pool must not start threads nobody needs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CollectJob, CollectResult } from '../../src/analysis';
import { analysisChunks, chunk, createExecutor, inProcessExecutor, poolOptions } from '../../src/executor';
import { parseCount } from '../../src/parse';

test('the pool starts one thread, and one fewer than the jobs: this thread is the last', () => {
  expect(poolOptions(4)).toMatchObject({ minThreads: 1, maxThreads: 3 });
  expect(poolOptions(2)).toMatchObject({ minThreads: 1, maxThreads: 1 });
});

test('files that need a project-wide plan are analysed in one batch, the others in chunks', () => {
  const files = Array.from({ length: 100 }, (_, i) => i);
  const chunks = analysisChunks(files, 20, 2);
  expect(chunks[0]).toEqual(files.slice(0, 20));
  expect(chunks.slice(1).every((part) => part.every((file) => file >= 20) && part.length <= 8)).toBe(true);
  expect(chunks.flat()).toEqual(files);
  expect(analysisChunks(files, 0, 2)[0]).toEqual(files.slice(0, 8));
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
    expect((executor as unknown as { pool?: unknown }).pool).toBeUndefined();
  } finally {
    await executor.close();
  }
});

test('this thread and a worker share the files, and the results are those of one thread, in order', async () => {
  const jobs = pythonFiles(400);
  // A stamp says when it was taken, which differs from run to run.
  const withoutTime = (results: CollectResult[]) => results.map((result) => ({ ...result, stamp: { ...result.stamp, takenMs: 0 } }));
  const alone = withoutTime(await inProcessExecutor.collect(jobs));
  const executor = createExecutor(2);
  try {
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
  const items = Array.from({ length: 4338 }, (_, i) => i);
  const sizes = chunk(items, 2).map((part) => part.length);
  expect(chunk(items, 2).flat()).toEqual(items);
  expect(sizes[0]).toBe(Math.ceil(4338 / 16));
  expect(sizes.every((size, i) => i === 0 || size <= sizes[i - 1] || i === sizes.length - 1)).toBe(true);
  expect(sizes.slice(-5, -1)).toEqual([8, 8, 8, 8]);
});
