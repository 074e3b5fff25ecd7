// How the runner takes fixes: overlapping fixes are re-analysed on the new text, changes that would
// not parse are dropped as djfix bugs, and fixes may create files. A test transform drives it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCount } from '../../src/parse';
import { run, RunOptions } from '../../src/runner';
import type { Finding } from '../../src/model';
import { registerForTests, testTransform, withTransform } from '../helpers/transforms';

/** Renames every `old_name` to `new_name`, twice over (two overlapping fixes), and breaks `breakme`. */
const renamer = testTransform({
  id: 'test-rename',
  screen: (text) => text.includes('old_name') || text.includes('breakme'),
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
});

registerForTests(renamer);

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
const manyFixes = testTransform({
  id: 'test-many',
  screen: (text) => text.includes('todo_'),
  analyze: ({ file }) =>
    [...file.text.matchAll(/todo_(\d+)/g)].map((match) => ({
      transform: 'test-many',
      code: 'done',
      location: { path: file.path, line: 1, column: match.index! + 1 },
      message: `done ${match[1]}`,
      change: { safety: 'safe', files: [{ path: file.path, kind: 'edit', edits: [{ start: match.index!, end: match.index! + 5, text: 'done_' }] }] },
    })),
});

test('fixes that do not overlap apply together, however many one file has', async () => {
  await withTransform(manyFixes, async () => {
    const text = Array.from({ length: 8 }, (_, i) => `todo_${i} = ${i}\n`).join('');
    const report = await run({ ...options(project({ 'c.py': text })), transforms: ['test-many'] });
    expect(report.files.find((file) => file.path === 'c.py')?.after).toBe(text.replace(/todo_/g, 'done_'));
    expect(report.findings.map((finding) => finding.status)).toEqual(Array(8).fill('applied'));
  });
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

/**
 * Messages that quote line numbers, as real transforms' do: a header inserted at the top (with a second
 * header that overlaps it, so the file is analysed again) moves every later line down. `later` names
 * are renamed; `todo` lines are reported but not fixed, until a `# fixable` line makes them fixable.
 */
const lineNumbers = testTransform({
  id: 'test-lines',
  analyze: ({ file }) => {
    const text = file.text;
    const at = (offset: number) => text.slice(0, offset).split('\n').length;
    const edit = (code: string, start: number, end: number, insert: string, message: string): Finding => ({
      transform: 'test-lines',
      code,
      location: { path: file.path, line: at(start), column: 1 },
      message,
      change: { safety: 'safe', files: [{ path: file.path, kind: 'edit', edits: [{ start, end, text: insert }] }] },
    });
    const findings: Finding[] = [];
    if (!text.includes('# header')) findings.push(edit('header', 0, 0, '# header\n', 'add a header'));
    if (!text.includes('# fixable')) findings.push(edit('second', 0, 0, '# fixable\n', 'add a second header'));
    for (const match of text.matchAll(/later/g)) findings.push(edit('later', match.index!, match.index! + 5, 'LATER', `rename at line ${at(match.index!)}`));
    for (const match of text.matchAll(/todo/g)) {
      const finding = edit('todo', match.index!, match.index! + 4, 'done', `todo at line ${at(match.index!)}`);
      findings.push(text.includes('# fixable') ? finding : { ...finding, change: undefined, notFixed: 'not yet' });
    }
    return findings;
  },
});

describe('a file analysed again after its lines moved', () => {
  registerForTests(lineNumbers);
  const lines = (dir: string) => ({ ...options(dir), transforms: ['test-lines'] });

  test('a declined fix is not offered again, though its message now names another line', async () => {
    const asked: string[] = [];
    const report = await run(lines(project({ 'a.py': 'x = 1\nlater = 2\n' })), (finding) => {
      asked.push(finding.message);
      return finding.code === 'later' ? 'skip' : 'apply';
    });
    expect(asked).toEqual(['add a header', 'rename at line 2', 'add a second header']);
    expect(report.findings.filter((finding) => finding.code === 'later').map((finding) => [finding.message, finding.status])).toEqual([['rename at line 2', 'declined']]);
  });

  test('a finding not fixed is reported once, as first found', async () => {
    const report = await run({ ...lines(project({ 'a.py': 'x = 1\ntodo = 2\n' })), transforms: ['test-lines'] }, (finding) => (finding.code === 'second' ? 'skip' : 'apply'));
    expect(report.findings.filter((finding) => finding.code === 'todo').map((finding) => [finding.message, finding.status])).toEqual([['todo at line 2', 'not-fixed']]);
  });

  test('a finding not fixed that another fix made fixable is fixed, and reported once', async () => {
    const report = await run(lines(project({ 'a.py': 'x = 1\ntodo = 2\n' })));
    expect(report.files[0].after).toBe('# fixable\n# header\nx = 1\ndone = 2\n');
    expect(report.findings.filter((finding) => finding.code === 'todo').map((finding) => [finding.message, finding.status])).toEqual([['todo at line 4', 'applied']]);
  });
});

/** Every fix makes another possible: `n = 1` becomes `n = 2`, then `n = 3`... and, with `pair`, two overlapping ones. */
const endless = testTransform({
  id: 'test-endless',
  analyze: ({ file }) => {
    const match = /n = (\d+)/.exec(file.text);
    if (!match) return [];
    const next = (code: string) => ({
      transform: 'test-endless',
      code,
      location: { path: file.path, line: 1, column: 1 },
      message: `${code} ${match[1]}`,
      change: { safety: 'safe' as const, files: [{ path: file.path, kind: 'edit' as const, edits: [{ start: match.index + 4, end: match.index + match[0].length, text: String(Number(match[1]) + 1) }] }] },
    });
    return file.text.includes('pair') ? [next('a'), next('b')] : [next('next')];
  },
});

describe('the rounds are bounded', () => {
  registerForTests(endless);
  const endlessly = (dir: string) => ({ ...options(dir), transforms: ['test-endless'] });

  test('fixes that keep making new ones stop after maxRounds, and the run says to run again', async () => {
    const report = await run(endlessly(project({ 'a.py': 'n = 1\n' })));
    expect(report.files[0].after).toBe('n = 6\n');
    expect(report.findings.map((finding) => finding.status)).toEqual(Array(5).fill('applied'));
    expect(report.problems).toEqual([{ path: 'a.py', message: "fixes changed it in each of djfix's 5 rounds; run djfix again for fixes they made possible" }]);
  });

  test('fixes that keep overlapping are reported as conflicts after maxRounds', async () => {
    const report = await run(endlessly(project({ 'a.py': 'n = 1  # pair\n' })));
    expect(report.findings.filter((finding) => finding.status === 'conflict')).toEqual([
      expect.objectContaining({ code: 'b', notFixed: 'overlaps other fixes and did not settle after 5 rounds; run djfix again' }),
    ]);
  });
});

/** Renames `old_tree` once, reading the file's tree as real transforms do. */
const treeReader = testTransform({
  id: 'test-tree-rename',
  screen: (text) => text.includes('_tree'),
  analyze: ({ file }) => {
    const at = file.text.indexOf('old_tree');
    if (file.tree.rootNode.type !== 'module' || at === -1) return [];
    return [{ transform: 'test-tree-rename', code: 'rename', location: { path: file.path, line: 1, column: at + 1 }, message: 'rename', change: { safety: 'safe', files: [{ path: file.path, kind: 'edit', edits: [{ start: at, end: at + 'old_tree'.length, text: 'new_tree' }] }] } }];
  },
});

registerForTests(treeReader);

test('a fixed text is parsed once: its re-analysis starts from the tree that checked it', async () => {
  const dir = project({ 'a.py': 'old_tree = 1\n' });
  const before = parseCount();
  const report = await run({ ...options(dir), transforms: ['test-tree-rename'] });
  expect(report.files.find((file) => file.path === 'a.py')?.after).toBe('new_tree = 1\n');
  // Collecting a.py (its tree is kept for the analysis), then the fix's check of the text after: the
  // text before is the one collected, which parsed without errors.
  expect(parseCount() - before).toBe(2);
});

test('a file indexed without a parse keeps the syntax errors it had: a fix that adds none is taken', async () => {
  // Tests without models or settings are indexed unparsed (see needsFacts): nothing says they parse.
  const dir = project({ 'tests.py': 'old_tree = 1\nbroken = (\n' });
  const report = await run({ ...options(dir), transforms: ['test-tree-rename'] });
  expect(report.files.find((file) => file.path === 'tests.py')?.after).toBe('new_tree = 1\nbroken = (\n');
  expect(report.problems).toEqual([]);
});
