// A progress bar on stderr for runs that take more than a second on a terminal; nothing otherwise.
import { SingleBar } from 'cli-progress';

const SHOW_AFTER_MS = 1000;
const LABELS = { index: 'Indexing', analyse: 'Analysing' } as const;

export type Progress = (phase: keyof typeof LABELS, done: number, total: number) => void;

export interface ProgressBar {
  update: Progress;
  stop(): void;
}

export function progressBar(stream: NodeJS.WriteStream, enabled: boolean): ProgressBar {
  const started = Date.now();
  let bar: SingleBar | undefined;
  let phase: keyof typeof LABELS | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    stop,
    update(next, done, total) {
      if (!enabled || Date.now() - started < SHOW_AFTER_MS) return;
      if (phase !== next) {
        stop();
        phase = next;
      }
      if (!bar) {
        bar = new SingleBar({ stream, format: `${LABELS[next]} {bar} {value}/{total} files`, hideCursor: true, clearOnComplete: true, barsize: 30 });
        bar.start(total, done);
      } else {
        bar.update(done);
      }
      // Analysis is the last phase that reports progress: prompts and output follow.
      if (next === 'analyse' && done >= total) stop();
    },
  };
}
