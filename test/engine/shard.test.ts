// Shards: every shard indexes the whole project and fixes its own group of files; together they
// make exactly the changes of one full run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { djfix } from '../helpers/cli';
import { repoRoot } from '../helpers/django';

/** Every middleware-order fixture input as one project with many settings files. */
function manySettings(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'djfix-shards-'));
  const fixtures = path.join(repoRoot(), 'fixtures', 'middleware-order');
  for (const name of fs.readdirSync(fixtures)) fs.cpSync(path.join(fixtures, name, 'input'), path.join(root, name), { recursive: true });
  return root;
}

async function changes(args: string[]): Promise<Array<{ path: string; diff: string }>> {
  const doc = JSON.parse((await djfix(['--json', '--dry-run', '--jobs', '1', ...args])).stdout);
  return doc.changes.map((change: { path: string; diff: string }) => ({ path: change.path, diff: change.diff }));
}

test('the union of all shards equals one full run, and shards do not overlap', async () => {
  const project = manySettings();
  const full = await changes([project]);
  expect(full.length).toBeGreaterThan(10);
  const shards = await Promise.all([1, 2, 3].map((k) => changes(['--shard', `${k}/3`, project])));
  expect(shards.every((shard) => shard.length > 0)).toBe(true);
  const union = shards.flat().sort((a, b) => a.path.localeCompare(b.path));
  expect(union).toEqual(full);
});

test('--shard is validated', async () => {
  for (const bad of ['0/3', '4/3', '3', 'a/b']) expect((await djfix(['--shard', bad, '.'])).code).toBe(2);
});
