// The worker pool starts threads only for work: terminating a thread while it still loads the
// native parser aborts the process, so a pool must never hold threads nobody waits for.
import { poolOptions } from '../../src/executor';

test('the pool starts no thread before there is work, and at most one per job', () => {
  expect(poolOptions(4)).toMatchObject({ minThreads: 0, maxThreads: 4 });
});
