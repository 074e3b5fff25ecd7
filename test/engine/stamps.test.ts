// File stamps: a re-run trusts the remembered hash of a file whose stat is unchanged and settled,
// and reads every other file again.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, RunOptions } from '../../src/runner';
import { hashIfUnchanged, StampedHash } from '../../src/stamps';
import { copyExampleProject } from '../helpers/django';

const remembered: StampedHash = { size: 10, mtimeMs: 1_000, ctimeMs: 1_000, ino: 7, takenMs: 10_000, hash: 'h' };
const stat = (changes: Partial<fs.Stats> = {}) => ({ size: 10, mtimeMs: 1_000, ctimeMs: 1_000, ino: 7, ...changes }) as fs.Stats;

describe('hashIfUnchanged', () => {
  it('trusts a settled stamp that has not changed', () => {
    expect(hashIfUnchanged(remembered, stat())).toBe('h');
  });

  it.each([['size', { size: 11 }], ['mtime', { mtimeMs: 1_001 }], ['ctime', { ctimeMs: 2_000 }], ['inode', { ino: 8 }]])('reads again when the %s changed', (_, changes) => {
    expect(hashIfUnchanged(remembered, stat(changes))).toBeUndefined();
  });

  it('reads again when the stamp was taken within two seconds of the last change (a write in the same tick goes unseen)', () => {
    expect(hashIfUnchanged({ ...remembered, takenMs: 2_500 }, stat())).toBeUndefined();
    expect(hashIfUnchanged({ ...remembered, mtimeMs: 500, ctimeMs: 9_000 }, stat({ mtimeMs: 500, ctimeMs: 9_000 }))).toBeUndefined();
  });
});

describe('a re-run with stamps', () => {
  function options(root: string, cacheDir: string): RunOptions {
    return { root, targets: [root], include: [], exclude: [], transforms: ['middleware-order'], transformOptions: {}, jobs: 1, maxFileBytes: 1 << 20, maxRounds: 5, cacheDir };
  }

  /** Runs as if ten seconds had passed since the files were written, so that their stamps are settled. */
  async function runLater(root: string, cacheDir: string) {
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 10_000);
    try {
      return await run(options(root, cacheDir));
    } finally {
      clock.mockRestore();
    }
  }

  it('opens no unchanged file, and sees a same-size change whose mtime was put back', async () => {
    const project = copyExampleProject();
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-stamps-'));
    const settings = path.join(project, 'shop', 'settings.py');
    // A whole second, which utimes can put back exactly.
    const mtime = Math.floor(Date.now() / 1000) - 1;
    fs.utimesSync(settings, mtime, mtime);
    const first = await runLater(project, cacheDir);
    expect(first.files).toHaveLength(1);

    const opened = jest.spyOn(fs, 'openSync');
    const second = await runLater(project, cacheDir);
    const projectFilesOpened = opened.mock.calls.filter(([file]) => String(file).startsWith(project) && String(file).endsWith('.py'));
    opened.mockRestore();
    // Only the file with a fix is read, to show its diff.
    expect(projectFilesOpened.map(([file]) => path.relative(project, String(file)))).toEqual(['shop/settings.py']);
    expect(second.findings).toEqual(first.findings);

    // Same length, same mtime: only the ctime (which no one can set) tells the change.
    const before = fs.statSync(settings);
    const text = fs.readFileSync(settings, 'utf8');
    const changed = text.replace(/MIDDLEWARE = \[[^\]]*\]/, (list) => `MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]`.padEnd(list.length, ' '));
    expect(changed.length).toBe(text.length);
    fs.writeFileSync(settings, changed);
    fs.utimesSync(settings, mtime, mtime);
    expect(fs.statSync(settings).mtimeMs).toBe(before.mtimeMs);
    const third = await runLater(project, cacheDir);
    const fresh = await run({ ...options(project, cacheDir), cacheDir: null });
    expect(third.files).toEqual([]);
    expect(third.findings).toEqual(fresh.findings);
    // The file was hashed again (settling would have caught a stale hash too, later and dearer).
    const stamps = JSON.parse(fs.readFileSync(path.join(cacheDir, 'v1', 'stamps.json'), 'utf8')).entries;
    expect(stamps[settings].hash).toBe(createHash('sha256').update(fs.readFileSync(settings)).digest('hex'));
  });
});
