// Transforms made up by tests, to drive the engine with findings of their choosing, and their
// registration for the tests that use them.
import { TRANSFORMS } from '../../transforms/registry';
import type { Transform } from '../../transforms/types';

/**
 * A test transform: an id and what it finds. With a screen, it may apply to the files whose text
 * passes it; without one, to every file.
 */
export function testTransform(spec: Pick<Transform, 'id' | 'analyze' | 'screen'>): Transform {
  return { title: 'test', explanation: 'test', mayApply: (file) => !spec.screen || file.screened, ...spec };
}

/** Registers transforms for the tests of the file or describe block this is called in. */
export function registerForTests(...transforms: Transform[]): void {
  beforeAll(() => TRANSFORMS.push(...transforms));
  afterAll(() => unregister(transforms));
}

/** Runs `body` with `transform` registered. */
export async function withTransform<T>(transform: Transform, body: () => Promise<T>): Promise<T> {
  TRANSFORMS.push(transform);
  try {
    return await body();
  } finally {
    unregister([transform]);
  }
}

function unregister(transforms: Transform[]): void {
  for (const transform of transforms) TRANSFORMS.splice(TRANSFORMS.indexOf(transform), 1);
}
