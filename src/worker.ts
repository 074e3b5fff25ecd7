// Worker-thread entry points for the pool: batches of files in, plain data out.
import { analyzeBatch, AnalyzeBatch, AnalyzeResult, collectFile, CollectJob, CollectResult } from './analysis';

export function collect(jobs: CollectJob[]): CollectResult[] {
  return jobs.map(collectFile);
}

export function analyze(batch: AnalyzeBatch): AnalyzeResult[] {
  return analyzeBatch(batch);
}
