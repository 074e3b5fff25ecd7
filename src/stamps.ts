// File stamps: what stat says of a file when djfix read it, kept with the hash of the bytes read, so
// that a re-run trusts the hash of a file whose stamp is unchanged instead of reading it again (the
// way git's index does). Reading and hashing every file is most of a warm run.
import fs from 'node:fs';

export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** When the stamp was taken, just before the bytes were read. */
  takenMs: number;
}

export interface StampedHash extends FileStamp {
  hash: string;
}

/**
 * A write in the same clock tick as the read leaves mtime and ctime as they were. File systems count
 * in ticks of up to two seconds (FAT), so a stamp taken less than that after the file's last change
 * proves nothing, and the file is read again next time.
 */
const RACY_MS = 2000;

/** The stamp of an open file, taken before its bytes are read: a later change then changes the stamp. */
export function stampOf(fd: number): FileStamp {
  const stat = fs.fstatSync(fd);
  return { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, takenMs: Date.now() };
}

/**
 * The hash remembered for a file, when its stamp now is the one remembered and that stamp was taken
 * well after the file last changed; undefined when the file must be read.
 */
export function hashIfUnchanged(remembered: StampedHash, stat: fs.Stats): string | undefined {
  const same = stat.size === remembered.size && stat.mtimeMs === remembered.mtimeMs && stat.ctimeMs === remembered.ctimeMs && stat.ino === remembered.ino;
  const settled = remembered.mtimeMs < remembered.takenMs - RACY_MS && remembered.ctimeMs < remembered.takenMs - RACY_MS;
  return same && settled ? remembered.hash : undefined;
}
