// The interactive session end to end: bin/djfix under a pseudo-terminal, answered key by key.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/django';
import { DJFIX_BIN } from '../helpers/cli';

const MISORDERED = 'MIDDLEWARE = [\n    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.sessions.middleware.SessionMiddleware",\n]\n';
const PROMPT = 'Apply this fix\\?';

/** Two independent projects' settings in one tree: two fixes, one per file. */
function twoFixes(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-tty-'));
  for (const name of ['a', 'b']) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'settings.py'), MISORDERED);
  }
  return dir;
}

function session(dir: string, keys: string[], flags: string[] = []): { status: number; transcript: string; stepsLeft: number } {
  const steps = keys.map((send) => ({ expect: PROMPT, send }));
  const child = spawnSync('python3', [path.join(repoRoot(), 'test', 'harness', 'pty_driver.py')], {
    input: JSON.stringify({ argv: [process.execPath, DJFIX_BIN, '--no-cache', '--jobs', '1', ...flags, dir], cwd: dir, steps, timeout: 30 }),
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

const fixed = (dir: string, name: string) => fs.readFileSync(path.join(dir, name, 'settings.py'), 'utf8') !== MISORDERED;

test('y applies, n skips; the summary says what was changed', () => {
  const dir = twoFixes();
  const result = session(dir, ['y\r', 'n\r']);
  expect(result.stepsLeft).toBe(0);
  expect(result.status).toBe(0);
  expect(result.transcript).toContain('SessionMiddleware must come before AuthenticationMiddleware');
  expect(result.transcript).toContain('diff --git a/a/settings.py b/a/settings.py');
  expect(result.transcript).toMatch(/Changed 1 file with 1 fix/);
  expect([fixed(dir, 'a'), fixed(dir, 'b')]).toEqual([true, false]);
});

test('a applies this and every remaining fix of the transform without asking again', () => {
  const dir = twoFixes();
  const result = session(dir, ['a\r']);
  expect(result.status).toBe(0);
  expect(result.transcript).toContain('#1 a/settings.py');
  expect(result.transcript).not.toContain('#2 ');
  expect([fixed(dir, 'a'), fixed(dir, 'b')]).toEqual([true, true]);
});

test('--exit-non-zero-on-fix exits 1 once a fix is accepted, 0 when none is', () => {
  expect(session(twoFixes(), ['y\r', 'n\r'], ['--exit-non-zero-on-fix']).status).toBe(1);
  expect(session(twoFixes(), ['n\r', 'n\r'], ['--exit-non-zero-on-fix']).status).toBe(0);
});

test('q quits keeping what was accepted', () => {
  const dir = twoFixes();
  const result = session(dir, ['y\r', 'q\r']);
  expect(result.status).toBe(0);
  expect([fixed(dir, 'a'), fixed(dir, 'b')]).toEqual([true, false]);
});

test('Ctrl-C writes nothing that was not accepted and leaves no temporary file', () => {
  const dir = twoFixes();
  const result = session(dir, ['\x03']);
  expect(result.transcript).toContain('Interrupted');
  expect([fixed(dir, 'a'), fixed(dir, 'b')]).toEqual([false, false]);
  expect(fs.readdirSync(path.join(dir, 'a'))).toEqual(['settings.py']);
});
