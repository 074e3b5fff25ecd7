// Worker-thread entry points for the pool: batches of files in, plain data out.
import { analyzeBatch, AnalyzeBatch, AnalyzeResult } from './analysis';
import type { ProjectIndex } from './project/index';

export { collectFiles as collect } from './analysis';

/** The project index as JSON in shared memory, parsed once per worker and run (see executor.ts). */
export interface SharedIndex {
  key: string;
  buffer: SharedArrayBuffer;
}

let parsed: { key: string; index: ProjectIndex } | undefined;

export function analyze(batch: Omit<AnalyzeBatch, 'index'> & { index: SharedIndex }): Promise<AnalyzeResult[]> {
  if (parsed?.key !== batch.index.key) {
    parsed = { key: batch.index.key, index: JSON.parse(Buffer.from(batch.index.buffer).toString('utf8')) as ProjectIndex };
  }
  return analyzeBatch({ ...batch, index: parsed.index });
}
