// How the runner takes fixes: overlapping fixes are re-analysed on the new text, changes that would
// not parse are dropped as djfix bugs, and fixes may create files. A test transform drives it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, RunOptions } from '../../src/runner';
import { TRANSFORMS } from '../../transforms/registry';
import type { Transform } from '../../transforms/types';
import type { Finding } from '../../src/model';

/** Renames every `old_name` to `new_name`, twice over (two overlapping fixes), and breaks `breakme`. */
const testTransform: Transform = {
  id: 'test-rename',
  title: 'test',
  explanation: 'test',
  mayApply: (file) => file.text.includes('old_name') || file.text.includes('breakme'),
  analyze: ({ file }) => {
    const findings: Finding[] = [];
    const at = file.text.indexOf('old_name');
    const finding = (code: string, start: number, end: number, text: string, extra: Finding['change'] = undefined): Finding => ({
      transform: 'test-rename',
      code,
      location: { path: file.path, line: 1, column: start + 1 },
      message: `${code} at ${start}`,
      change: extra ?? { safety: 'safe', files: [{ path: file.path, kind: 'edit', edits: [{ start, end, text }] }] },
    });
    if (at !== -1) {
      findings.push(finding('rename', at, at + 'old_name'.length, 'new_name'));
      findings.push(finding('rename-again', at, at + 'old_name'.length, 'newer_name'));
      findings.push(finding('create', 0, 0, '', { safety: 'review', files: [{ path: 'created.py', kind: 'create', text: 'CREATED = True\n' }] }));
    }
    const broken = file.text.indexOf('breakme');
    if (broken !== -1) findings.push(finding('break', broken, broken + 'breakme'.length, 'def ('));
    return findings;
  },
};

beforeAll(() => TRANSFORMS.push(testTransform));
afterAll(() => TRANSFORMS.splice(TRANSFORMS.indexOf(testTransform), 1));

function options(dir: string): RunOptions {
  return { root: dir, targets: [dir], include: [], exclude: [], transforms: ['test-rename'], transformOptions: {}, jobs: 1, maxFileBytes: 1 << 20, maxRounds: 5, cacheDir: null };
}

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-settle-'));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

test('a fix that overlaps one already taken is re-analysed on the new text, not merged', async () => {
  const report = await run(options(project({ 'a.py': 'old_name = 1\n' })));
  expect(report.files.find((file) => file.path === 'a.py')?.after).toBe('new_name = 1\n');
  expect(report.findings.map((finding) => [finding.code, finding.status])).toEqual([
    ['create', 'applied'],
    ['rename', 'applied'],
  ]);
});

test('fixes can create files', async () => {
  const report = await run(options(project({ 'a.py': 'old_name = 1\n' })));
  expect(report.files.find((file) => file.path === 'created.py')).toEqual({ path: 'created.py', before: null, after: 'CREATED = True\n', diskHash: null });
});

test('a change whose result does not parse is dropped and reported as a djfix bug', async () => {
  const report = await run(options(project({ 'b.py': 'breakme = 1\n' })));
  expect(report.files).toEqual([]);
  expect(report.findings[0]).toMatchObject({ code: 'break', status: 'invalid' });
  expect(report.problems[0].message).toMatch(/^djfix bug in test-rename: the result in b.py would not parse/);
});

test('a declined fix takes no text, so a fix it overlaps is offered in the same round', async () => {
  const asked: string[] = [];
  await run(options(project({ 'a.py': 'old_name = 1\n' })), (finding) => {
    asked.push(finding.code);
    return finding.code === 'rename' ? 'skip' : 'apply';
  });
  expect(asked).toEqual(['create', 'rename', 'rename-again']);
});

/** One fix per `todo_N` name: more fixes in one file than there are rounds, none overlapping. */
const manyFixes: Transform = {
  id: 'test-many',
  title: 'test',
  explanation: 'test',
  mayApply: (file) => file.text.includes('todo_'),
  analyze: ({ file }) =>
    [...file.text.matchAll(/todo_(\d+)/g)].map((match) => ({
      transform: 'test-many',
      code: 'done',
      location: { path: file.path, line: 1, column: match.index! + 1 },
      message: `done ${match[1]}`,
      change: { safety: 'safe', files: [{ path: file.path, kind: 'edit', edits: [{ start: match.index!, end: match.index! + 5, text: 'done_' }] }] },
    })),
};

test('fixes that do not overlap apply together, however many one file has', async () => {
  TRANSFORMS.push(manyFixes);
  try {
    const text = Array.from({ length: 8 }, (_, i) => `todo_${i} = ${i}\n`).join('');
    const report = await run({ ...options(project({ 'c.py': text })), transforms: ['test-many'] });
    expect(report.files.find((file) => file.path === 'c.py')?.after).toBe(text.replace(/todo_/g, 'done_'));
    expect(report.findings.map((finding) => finding.status)).toEqual(Array(8).fill('applied'));
  } finally {
    TRANSFORMS.splice(TRANSFORMS.indexOf(manyFixes), 1);
  }
});

test('a run whose index comes from the cache still re-analyses overlapping fixes on the new text', async () => {
  const dir = project({ 'a.py': 'old_name = 1\n' });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-settle-cache-'));
  const first = await run({ ...options(dir), cacheDir });
  const second = await run({ ...options(dir), cacheDir });
  expect(second.files).toEqual(first.files);
  expect(second.findings.map((finding) => [finding.code, finding.status])).toEqual([
    ['create', 'applied'],
    ['rename', 'applied'],
  ]);
});

test('a fix that would change a migration is not applied unless editMigrations is set', async () => {
  const dir = project({});
  fs.mkdirSync(path.join(dir, 'shop', 'migrations'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'shop', 'migrations', '0001_initial.py'), 'old_name = 1\n');
  const held = await run(options(dir));
  expect(held.files.map((file) => file.path)).toEqual(['created.py']);
  expect(held.findings.filter((finding) => finding.code.startsWith('rename'))).toEqual([
    expect.objectContaining({ status: 'not-fixed', notFixed: 'the fix would change the migration shop/migrations/0001_initial.py; djfix changes migrations only with edit-migrations = true' }),
    expect.objectContaining({ status: 'not-fixed' }),
  ]);
  const allowed = await run({ ...options(dir), editMigrations: true });
  expect(allowed.files.find((file) => file.path === 'shop/migrations/0001_initial.py')?.after).toBe('new_name = 1\n');
});
