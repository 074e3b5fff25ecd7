// The persistent cache: a re-run on an unchanged tree parses nothing and says the same; a changed
// file is seen; a corrupt or concurrently written cache is harmless.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCount } from '../../src/parse';
import { treeKeyOf } from '../../src/load';
import { run, RunOptions, RunReport } from '../../src/runner';
import { copyExampleProject } from '../helpers/django';
import { DJFIX_BIN } from '../helpers/cli';

function options(root: string, cacheDir: string | null): RunOptions {
  return { root, targets: [root], include: [], exclude: [], transforms: ['middleware-order'], transformOptions: {}, jobs: 1, maxFileBytes: 1 << 20, maxRounds: 5, cacheDir };
}

const summary = (report: RunReport) => JSON.stringify({ findings: report.findings, files: report.files, skips: report.skips, problems: report.problems });

test('a second run on an unchanged tree parses nothing and reports the same', async () => {
  const project = copyExampleProject();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-cache-'));
  const first = await run(options(project, cacheDir));
  const before = parseCount();
  const second = await run(options(project, cacheDir));
  // Analysis comes from the cache, and so does the check that the fix's result parses.
  expect(second.files).toHaveLength(1);
  expect(parseCount() - before).toBe(0);
  expect(summary(second)).toBe(summary(first));
  expect(fs.readFileSync(path.join(cacheDir, '.gitignore'), 'utf8')).toContain('*');
});

test('a changed file is parsed again and its new content is what djfix sees', async () => {
  const project = copyExampleProject();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-cache-'));
  expect((await run(options(project, cacheDir))).files).toHaveLength(1);
  const settings = path.join(project, 'shop', 'settings.py');
  fs.writeFileSync(settings, fs.readFileSync(settings, 'utf8').replace(/MIDDLEWARE = \[[^\]]*\]/, 'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]'));
  const before = parseCount();
  const report = await run(options(project, cacheDir));
  expect(parseCount() - before).toBeGreaterThanOrEqual(1);
  expect(report.files).toEqual([]);
});

test('a corrupt cache is ignored and replaced', async () => {
  const project = copyExampleProject();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-cache-'));
  const clean = summary(await run(options(project, null)));
  await run(options(project, cacheDir));
  for (const pack of fs.readdirSync(path.join(cacheDir, 'v1'))) fs.writeFileSync(path.join(cacheDir, 'v1', pack), '{"format": 1, "entr');
  expect(summary(await run(options(project, cacheDir)))).toBe(clean);
  expect(summary(await run(options(project, cacheDir)))).toBe(clean);
});

test('a warm run answered from the cache does not need the index; one that needs it rebuilds a lost index', async () => {
  const project = copyExampleProject();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-cache-'));
  const clean = summary(await run(options(project, null)));
  await run(options(project, cacheDir));
  const indexPack = path.join(cacheDir, 'v1', 'index.json');
  expect(fs.existsSync(path.join(cacheDir, 'v1', 'tree.json'))).toBe(true);
  fs.writeFileSync(indexPack, 'not JSON');
  expect(summary(await run(options(project, cacheDir)))).toBe(clean);
  // Nothing asked for the index: the pack was not even rewritten.
  expect(fs.readFileSync(indexPack, 'utf8')).toBe('not JSON');
  // Another option misses the analysis cache: the index is needed, rebuilt and stored again.
  const required = { ...options(project, cacheDir), transformOptions: { 'middleware-order': { 'required-only': true } } };
  expect(summary(await run(required))).toBe(summary(await run({ ...required, cacheDir: null })));
  expect(() => JSON.parse(fs.readFileSync(indexPack, 'utf8'))).not.toThrow();
});

test('--no-cache writes no cache; the default cache lives in the project root', () => {
  const project = copyExampleProject();
  const runBin = (args: string[]) =>
    new Promise<number>((resolve) => spawn(process.execPath, [DJFIX_BIN, '--dry-run', ...args, project], { stdio: 'ignore' }).on('exit', (code) => resolve(code ?? -1)));
  return runBin(['--no-cache']).then((code) => {
    expect(code).toBe(1);
    expect(fs.existsSync(path.join(project, '.djfix_cache'))).toBe(false);
  });
});

test('two runs sharing one cache at once both succeed and leave it readable', async () => {
  const project = copyExampleProject();
  const runBin = () =>
    new Promise<number>((resolve) => spawn(process.execPath, [DJFIX_BIN, '--dry-run', '--jobs', '2', project], { stdio: 'ignore' }).on('exit', (code) => resolve(code ?? -1)));
  expect(await Promise.all([runBin(), runBin(), runBin()])).toEqual([1, 1, 1]);
  for (const pack of fs.readdirSync(path.join(project, '.djfix_cache', 'v1'))) {
    if (pack.endsWith('.json')) expect(() => JSON.parse(fs.readFileSync(path.join(project, '.djfix_cache', 'v1', pack), 'utf8'))).not.toThrow();
  }
  expect(await runBin()).toBe(1);
});

test("a tree's key covers every file's path and hash, however many files it has", () => {
  const django = { version: null, source: 'test' };
  const hashes = new Map(Array.from({ length: 150_000 }, (_, at) => [`pkg${at % 300}/m${at}.py`, at.toString(16).padStart(64, '0')]));
  const key = treeKeyOf('facts', django, {}, hashes);
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  expect(treeKeyOf('facts', django, {}, new Map(hashes).set('pkg0/m0.py', 'f'.repeat(64)))).not.toBe(key);
  expect(treeKeyOf('facts', django, {}, new Map([...hashes].slice(1)))).not.toBe(key);
});
