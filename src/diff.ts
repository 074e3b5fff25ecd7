// Unified diffs that `git apply` accepts, coloured only for people.
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import pc from 'picocolors';

/**
 * How a project path is shown to the user: relative to the directory djfix runs in, so that
 * `git apply` run there takes the diff, and editors open the location; root-relative when the
 * file is outside that directory.
 */
export function displayPath(root: string, file: string): string {
  const relative = path.relative(process.cwd(), path.join(root, file)).split(path.sep).join('/');
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/**
 * A git-style diff of one file. Line endings are part of the lines, so a CRLF file's diff keeps its
 * CRs and applies back byte for byte.
 */
export function unifiedDiff(file: string, before: string | null, after: string): string {
  const patch = createTwoFilesPatch(before === null ? '/dev/null' : `a/${file}`, `b/${file}`, before ?? '', after, undefined, undefined, { context: 3 });
  // jsdiff starts with a separator line; git wants `diff --git` first.
  const header = `diff --git a/${file} b/${file}\n${before === null ? 'new file mode 100644\n' : ''}`;
  return header + patch.replace(/^=+\r?\n/, '');
}

export function colourDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff --git') || line.startsWith('new file')) return pc.bold(line);
      if (line.startsWith('+')) return pc.green(line);
      if (line.startsWith('-')) return pc.red(line);
      if (line.startsWith('@@')) return pc.cyan(line);
      return line;
    })
    .join('\n');
}
