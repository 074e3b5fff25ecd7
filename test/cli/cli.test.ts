// The command line end to end: modes, exit codes, the JSON schema, and that dry runs write nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { copyExampleProject, copyTree } from '../helpers/django';
import { djfix, spawnDjfix } from '../helpers/cli';
import { snapshot } from '../helpers/tree';

describe('on the example project', () => {
  test('--dry-run prints diffs with explanations, writes nothing, exits 1', async () => {
    const project = copyExampleProject();
    const before = snapshot(project);
    const run = await djfix(['--dry-run', project]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('diff --git a/shop/settings.py b/shop/settings.py');
    expect(run.stdout).toMatch(/shop\/settings\.py:\d+:\d+ \[middleware-order, safe\] MIDDLEWARE breaks documented ordering rules/);
    expect(run.stdout).toMatch(/Would change \d+ files? with \d+ fix(es)? \(.*middleware-order 1.*\)/);
    expect(snapshot(project)).toEqual(before);
  });

  test('the diffs apply with git apply and give what --write gives', async () => {
    const project = copyExampleProject();
    const written = copyTree(project);
    const doc = JSON.parse((await djfix(['--json', '--dry-run', project])).stdout);
    const patch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-patch-')), 'fix.patch');
    fs.writeFileSync(patch, doc.changes.map((change: { diff: string }) => change.diff).join(''));
    execFileSync('git', ['apply', '--unsafe-paths', patch], { cwd: project });
    await djfix(['--write', written]);
    expect(snapshot(project)).toEqual(snapshot(written));
  });

  test('paths are shown relative to where djfix runs, so git apply works from there', async () => {
    const project = copyExampleProject();
    const written = copyTree(project);
    await djfix(['--write', written]);
    const parent = path.dirname(project);
    const run = spawnDjfix(['--json', '--dry-run', path.join(path.basename(project), 'shop')], parent);
    const doc = JSON.parse(run.stdout);
    expect(doc.changes.map((change: { diff: string }) => change.diff).join('')).toContain(`diff --git a/${path.basename(project)}/shop/settings.py`);
    const patch = path.join(parent, `${path.basename(project)}.patch`);
    fs.writeFileSync(patch, doc.changes.map((change: { diff: string }) => change.diff).join(''));
    execFileSync('git', ['apply', patch], { cwd: parent });
    for (const file of ['shop/settings.py', 'requirements.txt']) expect(fs.readFileSync(path.join(project, file), 'utf8')).toBe(fs.readFileSync(path.join(written, file), 'utf8'));
  });

  test('--write then --dry-run exits 0', async () => {
    const project = copyExampleProject();
    const write = await djfix(['--write', project]);
    expect(write.code).toBe(0);
    expect(write.stdout).toMatch(/Changed \d+ files? with \d+ fix/);
    const again = await djfix(['--dry-run', project]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('diff --git');
  });

  test('--check prints one line per finding and no diff', async () => {
    const run = await djfix(['--check', copyExampleProject()]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('diff --git');
    // One line per fix, then the summary.
    const lines = run.stdout.trim().split('\n');
    const fixes = lines.slice(0, lines.findIndex((line) => !/^\S+:\d+:\d+ \[/.test(line)));
    expect(fixes.length).toBeGreaterThan(0);
    expect(fixes).toContainEqual(expect.stringMatching(/^shop\/settings\.py:\d+:\d+ \[middleware-order, safe\]/));
    expect(lines.slice(fixes.length).some((line) => /^\S+:\d+:\d+ \[/.test(line))).toBe(false);
  });

  test('--json follows the documented schema', async () => {
    const run = await djfix(['--json', '--dry-run', copyExampleProject()]);
    const doc = JSON.parse(run.stdout);
    expect(run.code).toBe(1);
    expect(Object.keys(doc)).toEqual(['schema', 'djfix', 'mode', 'root', 'django', 'findings', 'changes', 'skipped', 'problems', 'summary', 'unusedIgnores']);
    expect(doc).toMatchObject({ schema: 1, mode: 'dry-run', django: { version: '3.2', source: 'requirements.txt' } });
    const fix = doc.findings.find((finding: { status: string; transform: string }) => finding.status === 'applied' && finding.transform === 'middleware-order');
    expect(Object.keys(fix)).toEqual(['transform', 'code', 'path', 'line', 'column', 'message', 'sources', 'status', 'safety', 'files', 'reason']);
    expect(fix).toMatchObject({ transform: 'middleware-order', code: 'order', path: 'shop/settings.py', files: ['shop/settings.py'] });
    expect(doc.changes).toContainEqual({ path: 'shop/settings.py', created: false, written: false, diff: expect.stringContaining('diff --git') });
    expect(doc.summary.filesChanged).toBe(doc.changes.length);
    expect(doc.summary.fixes).toBe(doc.findings.filter((finding: { status: string }) => finding.status === 'applied').length);
    expect(Object.keys(doc.summary)).toEqual(['filesIndexed', 'filesChecked', 'filesChanged', 'fixes', 'notFixed', 'suppressed']);
    expect(doc.unusedIgnores).toEqual([]);
  });

  test('output is the same whatever --jobs is, through the real binary and worker threads', () => {
    const project = copyExampleProject();
    const one = spawnDjfix(['--json', '--dry-run', '--jobs', '1', project]);
    const two = spawnDjfix(['--json', '--dry-run', '--jobs', '2', project]);
    const three = spawnDjfix(['--json', '--dry-run', '--jobs', '3', project]);
    expect(one.code).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    expect(three.stdout).toBe(one.stdout);
    // Nothing else is said: the V8 flags bin/djfix sets are known to this Node, for one.
    expect([one.stderr, two.stderr, three.stderr]).toEqual(['', '', '']);
  });

  test('output is the same whatever --jobs is when names in the project are not ASCII (the index reaches workers as UTF-8)', () => {
    const project = copyExampleProject();
    fs.writeFileSync(path.join(project, 'catalog/vues_café.py'), fs.readFileSync(path.join(project, 'catalog/views.py'), 'utf8'));
    const one = spawnDjfix(['--json', '--dry-run', '--jobs', '1', project]);
    const two = spawnDjfix(['--json', '--dry-run', '--jobs', '2', project]);
    expect(JSON.parse(one.stdout).findings.some((finding: { path: string }) => finding.path === 'catalog/vues_café.py')).toBe(true);
    expect(two.stdout).toBe(one.stdout);
  });

  test('the binary exits once its output is out: a report larger than a pipe holds arrives whole', () => {
    const project = copyExampleProject();
    const views = fs.readFileSync(path.join(project, 'catalog/views.py'), 'utf8');
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(project, `catalog/views_${i}.py`), views);
    const run = spawnDjfix(['--json', '--dry-run', project]);
    expect(run.stdout.length).toBeGreaterThan(128 * 1024);
    const doc = JSON.parse(run.stdout);
    expect(doc.findings.filter((finding: { path: string }) => finding.path.startsWith('catalog/views_'))).toHaveLength(40 * 4);
    expect(run.code).toBe(1);
  });

  test('without a TTY, plain djfix is a dry run and never prompts', () => {
    const project = copyExampleProject();
    const run = spawnDjfix([project], undefined, '');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('diff --git');
  });
});

describe('usage', () => {
  test('--list-transforms, --explain, --version, --help', async () => {
    expect((await djfix(['--list-transforms'])).stdout).toMatch(/^middleware-order\s+/m);
    const explain = await djfix(['--explain', 'middleware-order']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/session-before-auth|Rules:/);
    expect((await djfix(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await djfix(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    for (const option of ['--format <format>', '--report <file>', '--exit-non-zero-on-fix', '--json']) expect(help.stdout).toContain(option);
    for (const format of ['"text"', '"json"', '"sarif"', '"github"']) expect(help.stdout).toContain(format);
    for (const flag of ['--config <file>', '--changed-since <ref>', '--report-unused-ignores', '# djfix: ignore[transform-id, ...]']) expect(help.stdout).toContain(flag);
  });

  test('usage errors exit 2 with a message', async () => {
    expect((await djfix(['--only', 'nope', '.'])).code).toBe(2);
    expect((await djfix(['--only', 'nope', '.'])).stderr).toContain('unknown transform "nope"');
    expect((await djfix(['--write', '--check', '.'])).code).toBe(2);
    expect((await djfix(['--jobs', 'zero'])).code).toBe(2);
    expect((await djfix(['--target-django', 'latest'])).stderr).toContain('expected a version');
    expect((await djfix(['--bogus'])).code).toBe(2);
  });

  test('--target-django overrides the dependency files', async () => {
    const doc = JSON.parse((await djfix(['--json', '--dry-run', '--target-django', '5.1', copyExampleProject()])).stdout);
    expect(doc.django).toEqual({ version: '5.1', source: '--target-django' });
  });

  test('--include / --exclude limit what is fixed', async () => {
    const project = copyExampleProject();
    // Only middleware-order: the other transforms have fixes all over the example project.
    const only = ['--only', 'middleware-order'];
    expect((await djfix(['--dry-run', ...only, '--exclude', '**/settings.py', project])).code).toBe(0);
    expect((await djfix(['--dry-run', ...only, '--include', 'shop/**', project])).code).toBe(1);
    expect((await djfix(['--dry-run', ...only, path.join(project, 'catalog')])).code).toBe(0);
  });
});
