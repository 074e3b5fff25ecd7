// Which files the analysis reads again: those some transform may apply to, judged from the screens
// kept with their facts, and those with djfix comments. The others get an empty answer unread.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, RunOptions } from '../../src/runner';
import { registerForTests, testTransform } from '../helpers/transforms';

const analysed: string[] = [];
const screened = testTransform({
  id: 'test-screened',
  screen: (text) => text.includes('todo'),
  analyze: ({ file }) => {
    analysed.push(file.path);
    return [{ transform: 'test-screened', code: 'todo', location: { path: file.path, line: 1, column: 1 }, message: 'a todo' }];
  },
});

registerForTests(screened);

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-screens-'));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

function options(dir: string, cacheDir: string | null = null): RunOptions {
  return { root: dir, targets: [dir], include: [], exclude: [], transforms: ['test-screened'], transformOptions: {}, jobs: 1, maxFileBytes: 1 << 20, maxRounds: 5, cacheDir };
}

/** How many times the run opened each Python file. */
async function opens(options: RunOptions): Promise<{ opened: Record<string, number>; report: Awaited<ReturnType<typeof run>> }> {
  const opened: Record<string, number> = {};
  const openSync = fs.openSync;
  const spy = jest.spyOn(fs, 'openSync').mockImplementation((file, ...rest) => {
    const name = path.basename(String(file));
    if (name.endsWith('.py')) opened[name] = (opened[name] ?? 0) + 1;
    return openSync(file, ...rest);
  });
  try {
    return { opened, report: await run(options) };
  } finally {
    spy.mockRestore();
  }
}

beforeEach(() => (analysed.length = 0));

test('a file that passes no screen is read once, for its facts, and never analysed', async () => {
  const dir = project({ 'a.py': '# todo: this\n', 'b.py': 'x = 1\n', 'c.py': 'y = 2  # djfix: ignore[test-screened]\n' });
  const { opened, report } = await opens(options(dir));
  // a.py is analysed from the text and tree kept since its facts were collected.
  expect(opened).toEqual({ 'a.py': 1, 'b.py': 1, 'c.py': 2 });
  expect(analysed).toEqual(['a.py']);
  expect(report.findings.map((finding) => finding.location.path)).toEqual(['a.py']);
  // c.py is read again for its comment, which nothing used.
  expect(report.unusedIgnores.map((unused) => unused.path)).toEqual(['c.py']);
});

test('screens are kept with the cached facts: a run whose index is cached decides the same way', async () => {
  const dir = project({ 'a.py': '# todo: this\n', 'b.py': 'x = 1\n' });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-screens-cache-'));
  await run(options(dir, cacheDir));
  // Other transform options: the index comes from the cache, every analysis is done again.
  const again = await opens({ ...options(dir, cacheDir), transformOptions: { 'test-screened': { x: 1 } } });
  expect(analysed).toEqual(['a.py', 'a.py']);
  // Both may be hashed again (their stamps are too recent to trust); only a.py is read for analysis.
  expect(again.opened['a.py']).toBe((again.opened['b.py'] ?? 0) + 1);
  expect(again.report.findings.map((finding) => finding.location.path)).toEqual(['a.py']);
});
