// `--format github`: one workflow command per finding, paths from the repository root, the summary last.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyExampleProject } from '../helpers/django';
import { djfix } from '../helpers/cli';

const MISORDERED = 'MIDDLEWARE = [\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n';
const COMMAND = /^::(warning|notice|error) file=([^,:]+),line=(\d+),col=(\d+),title=djfix ([a-z-]+)::(.+)$/;

/** The example project in a subdirectory of a git repository, as in a monorepo. */
function monorepo(): { repo: string; project: string } {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-repo-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  fs.cpSync(copyExampleProject({ importCycle: true }), path.join(repo, 'backend'), { recursive: true });
  return { repo, project: path.join(repo, 'backend') };
}

test('--check: a warning per fix and a notice per finding not fixed, at its line, then the summary', async () => {
  const { project } = monorepo();
  const run = await djfix(['--check', '--format', 'github', project]);
  const doc = JSON.parse((await djfix(['--check', '--json', project])).stdout);
  expect(run.code).toBe(1);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines.pop()).toMatch(/^Would change 10 files with 12 fixes .* 2 not fixed; /);
  const commands = lines.map((line) => COMMAND.exec(line)!);
  expect(commands.every(Boolean)).toBe(true);
  const expected = [...doc.findings.filter((f: any) => f.status === 'applied'), ...doc.findings.filter((f: any) => f.status !== 'applied')];
  expect(commands.map((match) => [match[1], match[2], Number(match[3]), Number(match[4]), match[5]])).toEqual(
    expected.map((f: any) => [f.status === 'applied' ? 'warning' : 'notice', `backend/${f.path}`, f.line, f.column, f.transform]),
  );
  const middleware = commands.find((match) => match[5] === 'middleware-order')![6];
  expect(middleware).toMatch(/^MIDDLEWARE breaks documented ordering rules.*%0Adjfix --write fixes it\.%0ASee: https:\/\/docs\.djangoproject\.com\/en\/3\.2\/ref\/middleware\/#middleware-ordering, django\/contrib\/auth\/middleware\.py$/);
  const notFixed = commands.find((match) => match[1] === 'notice')![6];
  expect(notFixed).toContain('%0ANot fixed: ');
});

test('--write: notices for what is left, then what was changed; exit 0', async () => {
  const { project } = monorepo();
  const run = await djfix(['--write', '--format', 'github', project]);
  expect(run.code).toBe(0);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines.pop()).toMatch(/^Changed 10 files with 12 fixes/);
  expect(lines.map((line) => COMMAND.exec(line)?.[1])).toEqual(['notice', 'notice']);
});

test('problems are errors on their file; property values are escaped', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-gh-'));
  fs.mkdirSync(path.join(dir, 'odd,name: here'));
  fs.writeFileSync(path.join(dir, 'odd,name: here', 'settings.py'), MISORDERED, { mode: 0o444 });
  const run = await djfix(['--write', '--format', 'github', dir]);
  expect(run.code).toBe(2);
  expect(run.stdout).toContain('::error file=odd%2Cname%3A here/settings.py,title=djfix::read-only file; not written (make it writable and run djfix again)\n');
});

test('with --report-unused-ignores, a suppression that suppresses nothing is a warning on its line, and exit 1', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-gh-'));
  fs.writeFileSync(path.join(dir, 'settings.py'), 'DEBUG = True  # djfix: ignore[middleware-order]\n');
  const run = await djfix(['--check', '--format', 'github', '--report-unused-ignores', dir]);
  expect(run.stdout).toContain('::warning file=settings.py,line=1,title=djfix::# djfix: ignore[middleware-order] suppresses nothing\n');
  expect(run.code).toBe(1);
  expect((await djfix(['--check', '--format', 'github', dir])).stdout).not.toContain('suppresses nothing');
});
