// djfix sorts paths, modules and messages the same way whatever the machine's locale: a report made on
// a Danish laptop lists files in the order CI lists them.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { copyExampleProject } from '../helpers/django';
import { DJFIX_BIN } from '../helpers/cli';

const ORDER = path.join(__dirname, '..', '..', 'src', 'order.js');

function sortedUnder(lang: string, items: string[]): string[] {
  const script = `console.log(JSON.stringify(${JSON.stringify(items)}.sort(require(${JSON.stringify(ORDER)}).compareText)))`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, LANG: lang, LC_ALL: lang } });
  return JSON.parse(result.stdout);
}

test('the order of paths does not depend on LANG (Danish sorts "aa" after "z")', () => {
  const paths = ['z/views.py', 'aa/views.py', 'ab/views.py', 'B/x.py', 'a_b/x.py'];
  const expected = sortedUnder('C.UTF-8', paths);
  expect(expected.indexOf('aa/views.py')).toBeLessThan(expected.indexOf('z/views.py'));
  for (const lang of ['da_DK.UTF-8', 'sv_SE.UTF-8', 'tr_TR.UTF-8', 'en_US.UTF-8']) expect(sortedUnder(lang, paths)).toEqual(expected);
});

test('a run prints the same JSON under any locale', () => {
  const project = copyExampleProject();
  const runUnder = (lang: string) =>
    spawnSync(process.execPath, [DJFIX_BIN, '--no-cache', '--jobs', '1', '--dry-run', '--json', project], { encoding: 'utf8', env: { ...process.env, LANG: lang, LC_ALL: lang } }).stdout;
  expect(runUnder('da_DK.UTF-8')).toBe(runUnder('C.UTF-8'));
});
