// .pre-commit-hooks.yaml: what pre-commit reads to run djfix as a hook, and the package.json fields
// that `language: node` needs (pre-commit installs the repository with npm from git: `prepare` builds,
// `files` decides what is installed, `bin` names the command).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/django';

type Value = string | boolean | string[];

/**
 * The subset of YAML the hooks file uses: a list of flat mappings whose values are plain scalars,
 * booleans or flow sequences. Anything else fails the test rather than being misread.
 */
function parseHooks(text: string): Array<Record<string, Value>> {
  const hooks: Array<Record<string, Value>> = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$|^#.*$/, '');
    if (line.trim() === '') continue;
    const match = /^(- |  )([\w_]+): (.+)$/.exec(line);
    if (!match) throw new Error(`not in the YAML subset this test reads: ${raw}`);
    if (match[1] === '- ') hooks.push({});
    const value = match[3].trim();
    hooks[hooks.length - 1][match[2]] = value.startsWith('[') ? value.slice(1, -1).split(',').map((item) => item.trim()) : value === 'true' ? true : value === 'false' ? false : value;
  }
  return hooks;
}

const root = repoRoot();
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const hooks = parseHooks(fs.readFileSync(path.join(root, '.pre-commit-hooks.yaml'), 'utf8'));

test('a fixing hook and a checking hook, both running the package\'s bin on the staged Python files, one run at a time', () => {
  expect(hooks.map((hook) => [hook.id, hook.entry])).toEqual([
    ['djfix', 'djfix --write'],
    ['djfix-check', 'djfix --check'],
  ]);
  for (const hook of hooks) {
    expect(hook).toMatchObject({ language: 'node', types: ['python'], pass_filenames: true, require_serial: true, minimum_pre_commit_version: '4.6.1' });
    expect(typeof hook.name).toBe('string');
    const command = String(hook.entry).split(' ')[0];
    expect(Object.keys(pkg.bin)).toContain(command);
    expect(fs.existsSync(path.join(root, pkg.bin[command]))).toBe(true);
  }
});

test('npm builds djfix when it installs it from git, and installs the bin with the compiled code', () => {
  expect(pkg.scripts.prepare).toBe('node scripts/prepare.js');
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const files: string[] = JSON.parse(pack.stdout)[0].files.map((file: { path: string }) => file.path);
  for (const needed of ['package.json', 'bin/djfix', 'dist/src/cli.js', 'dist/src/worker.js', 'dist/transforms/registry.js']) expect(files).toContain(needed);
  expect(files.filter((file) => file.startsWith('dist/test/') || file.startsWith('fixtures/') || file.startsWith('src/'))).toEqual([]);
});
