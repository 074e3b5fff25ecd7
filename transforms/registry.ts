// Every transform djfix has, in the order they run and are listed.
import type { Transform } from './types';
import { cacheInvalidation } from './cache-invalidation';
import { databaseUrl } from './database-url';
import { lazyModelImports } from './lazy-model-imports';
import { middlewareOrder } from './middleware-order';
import { selectRelated } from './select-related';

export const TRANSFORMS: Transform[] = [middlewareOrder, selectRelated, lazyModelImports, databaseUrl, cacheInvalidation];

export function transformById(id: string): Transform | undefined {
  return TRANSFORMS.find((transform) => transform.id === id);
}

/** The transforms with these ids, in registry order. */
export function selectTransforms(ids: string[]): Transform[] {
  return TRANSFORMS.filter((transform) => ids.includes(transform.id));
}
