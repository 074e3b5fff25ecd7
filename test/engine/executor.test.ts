// The worker pool starts one thread and the others only for queued work: terminating a thread while
// it still loads the native parser aborts the process, so a pool must not start threads nobody needs.
import { analysisChunks, poolOptions } from '../../src/executor';

test('the pool starts one thread, and at most one per job', () => {
  expect(poolOptions(4)).toMatchObject({ minThreads: 1, maxThreads: 4 });
});

test('files that need a project-wide plan are analysed in one batch, the others in chunks', () => {
  const files = Array.from({ length: 100 }, (_, i) => i);
  const chunks = analysisChunks(files, 20, 2);
  expect(chunks[0]).toEqual(files.slice(0, 20));
  expect(chunks.slice(1).every((part) => part.every((file) => file >= 20) && part.length <= 8)).toBe(true);
  expect(chunks.flat()).toEqual(files);
  expect(analysisChunks(files, 0, 2)[0]).toEqual(files.slice(0, 8));
});
