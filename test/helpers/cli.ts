// Running djfix from tests: in this process through main() (fast, same code path as the binary),
// or as a child process through bin/djfix when the test is about the process itself.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../../src/cli';
import { repoRoot } from './django';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs without the persistent cache unless the test asks for one: trees under test stay as they are. */
function cacheArgs(args: string[]): string[] {
  return args.some((arg) => arg.startsWith('--cache-dir') || arg === '--no-cache') ? args : ['--no-cache', ...args];
}

/**
 * In this process, djfix runs its per-file work in this thread unless a test asks for workers:
 * tree-sitter's native objects in worker threads of a Jest worker have aborted the Jest process
 * now and then. Worker threads are tested through the real binary (spawnDjfix) instead.
 */
function inProcessArgs(args: string[]): string[] {
  return args.includes('--jobs') ? args : ['--jobs', '1', ...args];
}

export async function djfix(args: string[], options: { isTTY?: boolean } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'djfix', ...inProcessArgs(cacheArgs(args))], {
    stdout: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
    isTTY: options.isTTY ?? false,
  });
  return { code, stdout, stderr };
}

export const DJFIX_BIN = path.join(repoRoot(), 'bin', 'djfix');

export function spawnDjfix(args: string[], cwd?: string, input?: string): CliRun {
  const result = spawnSync(process.execPath, [DJFIX_BIN, ...cacheArgs(args)], { cwd, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
