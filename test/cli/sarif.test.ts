// `--format sarif`: valid SARIF 2.1.0 with what GitHub code scanning requires, on the example project.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyExampleProject, copyTree } from '../helpers/django';
import { djfix } from '../helpers/cli';
import { sarifErrors } from '../helpers/sarif';

interface Region { startLine: number; startColumn: number; endLine: number; endColumn: number }
interface Location { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Region } }
interface Replacement { deletedRegion: Region; insertedContent: { text: string } }
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Location[];
  partialFingerprints: { primaryLocationLineHash: string };
  fixes?: Array<{ artifactChanges: Array<{ artifactLocation: { uri: string }; replacements: Replacement[] }> }>;
}

/** The example project as committed (every transform has a fix), in a git repository of its own. */
function repository(): string {
  const dir = copyExampleProject({ importCycle: true });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

async function sarif(args: string[]) {
  const run = await djfix(['--format', 'sarif', ...args]);
  return { run, log: JSON.parse(run.stdout), results: JSON.parse(run.stdout).runs[0].results as Result[] };
}

describe('on the example project', () => {
  let project: string;
  let run: Awaited<ReturnType<typeof djfix>>;
  let log: any;
  let results: Result[];
  beforeAll(async () => {
    project = repository();
    ({ run, log, results } = await sarif(['--check', project]));
  });

  test('is valid against the SARIF 2.1.0 schema, and --check still exits 1', () => {
    expect(sarifErrors(log)).toBe('');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
  });

  test('has the properties GitHub code scanning requires', () => {
    expect(log).toMatchObject({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0' });
    expect(log.runs).toHaveLength(1);
    const { driver } = log.runs[0].tool;
    expect(driver).toMatchObject({ name: 'djfix', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    for (const rule of driver.rules) {
      expect(rule.shortDescription.text.length).toBeLessThanOrEqual(1024);
      expect(rule.fullDescription.text.length).toBeLessThanOrEqual(1024);
      expect(rule.help.text).toContain(rule.fullDescription.text.slice(0, 100));
      expect(['note', 'warning', 'error']).toContain(rule.defaultConfiguration.level);
    }
    for (const result of results) {
      expect(driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(result.message.text).not.toBe('');
      const { artifactLocation, region } = result.locations[0].physicalLocation;
      expect(artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(artifactLocation.uri).toMatch(/^[\w-]+(\/[\w.-]+)*\.py$/);
      expect(region.startLine).toBeGreaterThanOrEqual(1);
      expect(region.startColumn).toBeGreaterThanOrEqual(1);
      expect(region.endLine).toBe(region.startLine);
      expect(region.endColumn).toBeGreaterThan(region.startColumn);
      expect(result.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:\d+$/);
    }
    expect(new Set(results.map((result) => result.partialFingerprints.primaryLocationLineHash)).size).toBe(results.length);
  });

  test('one rule per kind of finding, in registry order, linked to the Django docs of the target version', () => {
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((rule: { id: string }) => rule.id)).toEqual([
      'middleware-order/order',
      'select-related/n-plus-one',
      'select-related/requery',
      'lazy-model-imports/lazy-import',
      'database-url/convert',
      'cache-invalidation/bulk-operation',
      'cache-invalidation/stale-cache',
    ]);
    expect(rules[0].helpUri).toBe('https://docs.djangoproject.com/en/3.2/ref/middleware/#middleware-ordering');
    for (const rule of rules) expect(rule.helpUri).toMatch(/^https:\/\/docs\.djangoproject\.com\/en\/3\.2\/[a-z/-]+\/(#[a-z-]+)?$/);
  });

  test('one result per finding: fixes are warnings, findings not fixed are notes, at the same places as in --json', async () => {
    const doc = JSON.parse((await djfix(['--check', '--json', project])).stdout);
    const expected = doc.findings.map((finding: any) => [`${finding.transform}/${finding.code}`, finding.path, finding.line, finding.column, finding.status === 'applied' ? 'warning' : 'note']);
    const actual = results.map((result) => {
      const { artifactLocation, region } = result.locations[0].physicalLocation;
      return [result.ruleId, artifactLocation.uri, region.startLine, region.startColumn, result.level];
    });
    expect(actual).toEqual(expected);
    expect(results.filter((result) => result.level === 'note').every((result) => /\n\nNot fixed: /.test(result.message.text))).toBe(true);
  });

  test('the fixes, applied to the files on disk, give what --write writes', async () => {
    const written = copyTree(project);
    expect((await djfix(['--write', written])).code).toBe(0);
    const byFile = new Map<string, Replacement[]>();
    for (const result of results) {
      for (const change of result.fixes?.[0].artifactChanges ?? []) byFile.set(change.artifactLocation.uri, [...(byFile.get(change.artifactLocation.uri) ?? []), ...change.replacements]);
    }
    expect(results.filter((result) => result.level === 'warning').every((result) => result.fixes)).toBe(true);
    expect(byFile.size).toBe(10);
    for (const [file, replacements] of byFile) {
      const original = fs.existsSync(path.join(project, file)) ? fs.readFileSync(path.join(project, file), 'utf8') : '';
      expect({ file, text: applyReplacements(original, replacements) }).toEqual({ file, text: fs.readFileSync(path.join(written, file), 'utf8') });
    }
  });

  test('fingerprints stay when lines move', async () => {
    const moved = copyTree(project);
    for (const file of ['catalog/views.py', 'shop/settings.py']) fs.writeFileSync(path.join(moved, file), `# a comment\n\n${fs.readFileSync(path.join(moved, file), 'utf8')}`);
    const again = (await sarif(['--check', moved])).results;
    expect(again.map((result) => result.partialFingerprints)).toEqual(results.map((result) => result.partialFingerprints));
    expect(again.find((result) => result.ruleId === 'middleware-order/order')!.locations[0].physicalLocation.region.startLine).toBe(
      results.find((result) => result.ruleId === 'middleware-order/order')!.locations[0].physicalLocation.region.startLine + 2,
    );
  });
});

/** SARIF replacements of one file, 1-based lines and columns of the original text, applied from the end. */
function applyReplacements(text: string, replacements: Replacement[]): string {
  const starts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index! + 1)];
  const offset = (line: number, column: number) => (starts[line - 1] ?? text.length) + column - 1;
  const spans = replacements.map((r) => ({ start: offset(r.deletedRegion.startLine, r.deletedRegion.startColumn), end: offset(r.deletedRegion.endLine, r.deletedRegion.endColumn), text: r.insertedContent.text }));
  let result = text;
  for (const span of spans.sort((a, b) => b.start - a.start)) result = result.slice(0, span.start) + span.text + result.slice(span.end);
  return result;
}

test('paths are relative to the repository root, which may be above the project', async () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-repo-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  fs.cpSync(copyExampleProject(), path.join(repo, 'backend'), { recursive: true });
  const { log, results } = await sarif(['--check', path.join(repo, 'backend')]);
  expect(results.length).toBeGreaterThan(0);
  for (const result of results) expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^backend\//);
  expect(log.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(repo).href}/`);
});

test('with --write, only what is left: findings not fixed, no fixes; exit 0', async () => {
  const { run, log, results } = await sarif(['--write', repository()]);
  expect(run.code).toBe(0);
  expect(sarifErrors(log)).toBe('');
  expect(results.map((result) => [result.ruleId, result.level, 'fixes' in result])).toEqual([
    ['cache-invalidation/bulk-operation', 'note', false],
    ['select-related/requery', 'note', false],
  ]);
});

test('a file that cannot be written: the run is not successful, and says why', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-sarif-'));
  fs.writeFileSync(path.join(dir, 'settings.py'), 'MIDDLEWARE = [\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n', { mode: 0o444 });
  const { run, log } = await sarif(['--write', dir]);
  expect(run.code).toBe(2);
  expect(sarifErrors(log)).toBe('');
  expect(log.runs[0].invocations[0]).toMatchObject({
    executionSuccessful: false,
    toolExecutionNotifications: [{ level: 'error', message: { text: expect.stringContaining('read-only file; not written') }, locations: [{ physicalLocation: { artifactLocation: { uri: 'settings.py' } } }] }],
  });
});
