// The worker pool starts one thread and the others only for queued work: terminating a thread while
// it still loads the native parser aborts the process, so a pool must not start threads nobody needs.
import { poolOptions } from '../../src/executor';

test('the pool starts one thread, and at most one per job', () => {
  expect(poolOptions(4)).toMatchObject({ minThreads: 1, maxThreads: 4 });
});
