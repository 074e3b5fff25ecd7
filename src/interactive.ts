// The interactive session: each fix with its explanation and diff, then a question. Workers have
// done the analysis already; this is the one place that prompts.
import { expand } from '@inquirer/prompts';
import pc from 'picocolors';
import { colourDiff, displayPath, unifiedDiff } from './diff';
import type { Decide, Decision } from './runner';

type Answer = 'apply' | 'skip' | 'all' | 'file' | 'quit';

export interface SessionIo {
  /** The project root, to show paths relative to where djfix runs. */
  root: string;
  colour: boolean;
  write: (text: string) => void;
}

/**
 * Asks about every fix: apply, skip, apply all remaining fixes of this transform, skip the rest of
 * this file, or quit keeping what was accepted. Ctrl-C is a quit: what was accepted is still written.
 */
export function interactiveDecide(io: SessionIo): Decide {
  const applyAllOf = new Set<string>();
  const skipFiles = new Set<string>();
  let total = 0;
  let quit = false;
  return async (finding, preview): Promise<Decision> => {
    if (quit) return 'quit';
    if (skipFiles.has(finding.location.path)) return 'skip';
    if (applyAllOf.has(finding.transform)) return 'apply';
    total++;
    const where = `${displayPath(io.root, finding.location.path)}:${finding.location.line}`;
    io.write(`\n${io.colour ? pc.bold(`#${total} ${where}`) : `#${total} ${where}`} [${finding.transform}]\n${finding.message}`);
    if (finding.sources?.length) io.write(`see: ${finding.sources.join('; ')}`);
    for (const file of preview) {
      const diff = unifiedDiff(displayPath(io.root, file.path), file.before, file.after);
      io.write(io.colour ? colourDiff(diff) : diff);
    }
    let answer: Answer;
    try {
      answer = await expand<Answer>({
        message: 'Apply this fix?',
        default: 'y',
        choices: [
          { key: 'y', name: 'apply', value: 'apply' },
          { key: 'n', name: 'skip', value: 'skip' },
          { key: 'a', name: `apply this and all remaining ${finding.transform} fixes`, value: 'all' },
          { key: 'd', name: 'skip the rest of this file', value: 'file' },
          { key: 'q', name: 'quit (keep the fixes accepted so far)', value: 'quit' },
        ],
      });
    } catch (error) {
      if ((error as Error).name !== 'ExitPromptError') throw error;
      io.write('\nInterrupted: writing only the fixes accepted so far.');
      answer = 'quit';
    }
    switch (answer) {
      case 'all':
        applyAllOf.add(finding.transform);
        return 'apply';
      case 'file':
        skipFiles.add(finding.location.path);
        return 'skip';
      case 'quit':
        quit = true;
        return 'quit';
      default:
        return answer;
    }
  };
}
