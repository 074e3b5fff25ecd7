// Fixture pairs: for every fixtures/<transform>/<case>/, djfix --write on a copy of input/ must give
// output/ byte for byte, and a second run over output/ must change nothing. A case whose output/
// equals its input/ is one djfix must leave alone. Extra CLI arguments go in args.json.
import fs from 'node:fs';
import path from 'node:path';
import { TRANSFORMS } from '../transforms/registry';
import { copyTree, repoRoot } from './helpers/django';
import { djfix } from './helpers/cli';

const FIXTURES = path.join(repoRoot(), 'fixtures');

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]))
    .filter((file) => !file.includes('__pycache__'))
    .sort();
}

function expectSameTree(actualDir: string, expectedDir: string): void {
  expect(listFiles(actualDir)).toEqual(listFiles(expectedDir));
  for (const file of listFiles(expectedDir)) {
    const actual = fs.readFileSync(path.join(actualDir, file));
    const expected = fs.readFileSync(path.join(expectedDir, file));
    if (!actual.equals(expected)) expect({ file, text: actual.toString('utf8') }).toEqual({ file, text: expected.toString('utf8') });
  }
}

for (const transform of TRANSFORMS) {
  const dir = path.join(FIXTURES, transform.id);
  const cases = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => fs.existsSync(path.join(dir, name, 'input'))).sort() : [];
  describe(`fixtures/${transform.id}`, () => {
    test('has fixture cases', () => expect(cases.length).toBeGreaterThan(0));
    for (const name of cases) {
      const caseDir = path.join(dir, name);
      const argsFile = path.join(caseDir, 'args.json');
      const extra: string[] = fs.existsSync(argsFile) ? JSON.parse(fs.readFileSync(argsFile, 'utf8')) : [];
      test(name, async () => {
        const work = copyTree(path.join(caseDir, 'input'));
        const first = await djfix(['--write', '--only', transform.id, '--jobs', '1', ...extra, work]);
        expect(first.stderr).toBe('');
        expect(first.code).toBe(0);
        expectSameTree(work, path.join(caseDir, 'output'));
        const second = await djfix(['--dry-run', '--only', transform.id, '--jobs', '1', ...extra, work]);
        expect(second.stdout).not.toContain('diff --git');
        expect(second.code).toBe(0);
      });
    }
  });
}
