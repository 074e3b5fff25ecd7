// Transforms see the project's dependency files in the index, also when the runner re-analyses a fix
// that overlapped another: two settings files that each add the same requirement add it once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/runner';
import { registerForTests, testTransform } from '../helpers/transforms';

const addsRequirement = testTransform({
  id: 'test-requirement',
  screen: (text) => text.includes('NEEDS_PACKAGE'),
  analyze: ({ file, index, readText }) => {
    const [requirements] = index.dependencyFiles;
    const location = { path: file.path, line: 1, column: 1 };
    if (requirements === undefined) return [{ transform: 'test-requirement', code: 'none', location, message: 'no dependency file', notFixed: 'none' }];
    const text = readText(requirements);
    if (text === undefined || text.includes('package')) return [];
    return [
      {
        transform: 'test-requirement',
        code: 'add',
        location,
        message: `needs package (${index.dependencyFiles.join(', ')})`,
        change: { safety: 'review', files: [{ path: requirements, kind: 'edit', edits: [{ start: text.length, end: text.length, text: 'package\n' }] }] },
      },
    ];
  },
});

registerForTests(addsRequirement);

test('dependency files reach transforms, in the first round and after re-analysis', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-deps-'));
  const files: Record<string, string> = { 'a.py': 'NEEDS_PACKAGE = 1\n', 'b.py': 'NEEDS_PACKAGE = 2\n', 'requirements.txt': 'Django>=4.2\n' };
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const report = await run({ root: dir, targets: [dir], include: [], exclude: [], transforms: ['test-requirement'], transformOptions: {}, jobs: 1, maxFileBytes: 1 << 20, maxRounds: 5, cacheDir: null });
  expect(report.files.map((file) => [file.path, file.after])).toEqual([['requirements.txt', 'Django>=4.2\npackage\n']]);
  expect(report.findings.map((finding) => [finding.location.path, finding.status, finding.message])).toEqual([['a.py', 'applied', 'needs package (requirements.txt)']]);
});
