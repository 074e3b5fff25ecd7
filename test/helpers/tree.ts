// A directory tree as data, to compare what a run left on disk byte for byte.
import fs from 'node:fs';
import path from 'node:path';

/** Every file under `dir` by relative path, read as latin1 so that any bytes compare exactly. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = fs.readFileSync(full, 'latin1');
    }
  };
  walk(dir);
  return files;
}
