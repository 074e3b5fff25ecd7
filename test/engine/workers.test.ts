// Workers started before djfix loads: bin/djfix guesses from the command line whether a run will
// collect every file's facts. The guess decides only when threads start, never what a run reports.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packFile } from '../../src/cache';
import { collectsEverything } from '../../src/workers';
import { DJFIX_BIN, spawnDjfix } from '../helpers/cli';
import { copyExampleProject } from '../helpers/django';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-workers-'));

function withFactsPack(cacheDir: string): void {
  fs.mkdirSync(path.dirname(packFile(cacheDir, 'facts')), { recursive: true });
  fs.writeFileSync(packFile(cacheDir, 'facts'), '{}');
}

test('a command line that prints and exits, or finds facts cached, starts no worker ahead', () => {
  const cwd = tempDir();
  for (const flag of ['--help', '-h', '--version', '-V', '--list-transforms', '--explain=middleware-order']) expect(collectsEverything([flag], {}, cwd)).toBe(false);
  expect(collectsEverything(['--dry-run', '.'], {}, cwd)).toBe(true);
  expect(collectsEverything(['--dry-run', '--no-cache'], {}, cwd)).toBe(true);
  withFactsPack(path.join(cwd, '.djfix_cache'));
  expect(collectsEverything(['--dry-run'], {}, cwd)).toBe(false);
  expect(collectsEverything(['--dry-run', '--no-cache'], {}, cwd)).toBe(true);
  const elsewhere = tempDir();
  expect(collectsEverything(['--dry-run'], { DJFIX_CACHE_DIR: elsewhere }, cwd)).toBe(true);
  withFactsPack(elsewhere);
  expect(collectsEverything(['--dry-run'], { DJFIX_CACHE_DIR: elsewhere }, cwd)).toBe(false);
  expect(collectsEverything(['--cache-dir', tempDir()], { DJFIX_CACHE_DIR: elsewhere }, cwd)).toBe(true);
  expect(collectsEverything([`--cache-dir=${elsewhere}`], {}, tempDir())).toBe(false);
});

test('workers started ahead that the run does not take stop, and the run reports as it would have', () => {
  const project = copyExampleProject();
  const expected = spawnDjfix(['--json', '--dry-run', '--jobs', '1', project]);
  expect(expected.code).toBe(1);
  // The configuration asks for one job, which the command line does not show: a worker starts, unused.
  fs.appendFileSync(path.join(project, 'pyproject.toml'), '\n[tool.djfix]\njobs = 1\n');
  const unused = spawnDjfix(['--json', '--dry-run', project], project);
  expect({ code: unused.code, stderr: unused.stderr }).toEqual({ code: 1, stderr: '' });
  expect(unused.stdout).toBe(expected.stdout);
  // A warm run whose cache the guess does not see (a cache directory of the configuration's) needs no worker.
  fs.appendFileSync(path.join(project, 'pyproject.toml'), 'cache-dir = "elsewhere"\n');
  const cacheDir = path.join(project, 'elsewhere');
  const cold = spawnDjfix(['--json', '--dry-run', '--cache-dir', cacheDir, project], project);
  expect(fs.existsSync(packFile(cacheDir, 'facts'))).toBe(true);
  // Run without cache flags, from a directory without a cache: the guess is a cold run.
  const warm = spawnSync(process.execPath, [DJFIX_BIN, '--json', '--dry-run', project], { cwd: tempDir(), encoding: 'utf8' });
  expect({ code: warm.status, stderr: warm.stderr }).toEqual({ code: 1, stderr: '' });
  expect(JSON.parse(warm.stdout).findings).toEqual(JSON.parse(cold.stdout).findings);
});
