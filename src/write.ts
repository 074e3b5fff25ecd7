// Writing results without ever losing the user's work: a file changed on disk since djfix read it is
// left alone, writes go through a temporary file and a rename, and a file's mode is kept.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { hashBytes } from './source';

export interface PendingFile {
  path: string;
  after: string;
  /** Hash of the bytes read; null for a new file. */
  diskHash: string | null;
}

/**
 * Writes files that belong together: when one file of a fix cannot be written (changed on disk,
 * read-only), no file of that fix is, so a fix is never left half applied.
 */
export function writeFiles(root: string, files: PendingFile[], groups: string[][]): Array<{ path: string; reason: string }> {
  const failures = new Map<string, string>();
  for (const file of files) {
    const reason = precheck(path.join(root, file.path), file.diskHash);
    if (reason) failures.set(file.path, reason);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const group of groups) {
      const failed = group.find((member) => failures.has(member));
      if (!failed) continue;
      for (const member of group) {
        if (failures.has(member)) continue;
        failures.set(member, `not written because ${failed} could not be, and they belong to one fix`);
        grew = true;
      }
    }
  }
  for (const file of files) {
    if (failures.has(file.path)) continue;
    const outcome = writeAtomically(path.join(root, file.path), file.after, file.diskHash);
    if (!outcome.ok) failures.set(file.path, outcome.reason);
  }
  return [...failures].map(([failedPath, reason]) => ({ path: failedPath, reason }));
}

function precheck(file: string, expectedHash: string | null): string | undefined {
  if (expectedHash === null) return fs.existsSync(file) ? 'was created by someone else while djfix ran; not overwritten' : undefined;
  try {
    if (hashBytes(fs.readFileSync(file)) !== expectedHash) return 'changed on disk since djfix read it; not overwritten (run djfix again)';
    // Root can write anywhere: honour the file's mode as its owner's intent instead of relying on EACCES.
    if ((fs.statSync(file).mode & 0o222) === 0) return 'read-only file; not written (make it writable and run djfix again)';
  } catch (error) {
    return `cannot read it again before writing (${(error as NodeJS.ErrnoException).code}); not written`;
  }
  return undefined;
}

export type WriteOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Replaces `file` with `text` if its bytes still hash to `expectedHash` (checked again here, just
 * before the rename, however long ago the group was checked); creates it when `expectedHash` is null
 * and it does not exist yet.
 */
function writeAtomically(file: string, text: string, expectedHash: string | null): WriteOutcome {
  const bytes = Buffer.from(text, 'utf8');
  if (expectedHash === null) return createExclusively(file, bytes);
  const refused = precheck(file, expectedHash);
  if (refused) return { ok: false, reason: refused };
  const temp = tempPath(file);
  try {
    const mode = fs.statSync(file).mode & 0o7777;
    fs.writeFileSync(temp, bytes, { mode, flag: 'wx' });
    fs.chmodSync(temp, mode);
    fs.renameSync(temp, file);
    return { ok: true };
  } catch (error) {
    fs.rmSync(temp, { force: true });
    return { ok: false, reason: `could not write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the file is unchanged` };
  }
}

/**
 * Writes a file djfix owns outright, such as the `--report` file: through a temporary file and a rename,
 * so a reader never sees half of it, keeping the mode of the file it replaces.
 */
export function replaceFile(file: string, text: string): WriteOutcome {
  const temp = tempPath(file);
  try {
    const mode = fs.existsSync(file) ? fs.statSync(file).mode & 0o7777 : 0o666 & ~process.umask();
    // As for project files, a read-only file says its owner does not want it written (root could).
    if ((mode & 0o222) === 0) return { ok: false, reason: `${file} is read-only; not written` };
    fs.writeFileSync(temp, text, { mode, flag: 'wx' });
    fs.renameSync(temp, file);
    return { ok: true };
  } catch (error) {
    fs.rmSync(temp, { force: true });
    return { ok: false, reason: `could not write ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
}

function createExclusively(file: string, bytes: Buffer): WriteOutcome {
  const temp = tempPath(file);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, bytes, { flag: 'wx', mode: 0o666 & ~process.umask() });
    // link() fails if the target exists, so a file created meanwhile is never overwritten.
    fs.linkSync(temp, file);
    return { ok: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'EEXIST' ? 'was created by someone else while djfix ran; not overwritten' : `could not create (${code ?? (error as Error).message})` };
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.djfix-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}
