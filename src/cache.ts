// The persistent cache: per-file facts keyed by content hash, and per-file analysis results keyed by
// content hash, project-index hash and options, so a re-run on an unchanged tree parses nothing.
//
// Each kind of entry lives in one pack file, read once and replaced atomically (temp file + rename)
// at the end of a run. Two runs sharing a cache never see a half-written pack: the last one to finish
// wins, and every pack it writes is complete. A pack that cannot be read or is of another djfix
// version is ignored (and replaced). Packs keep what this run used plus, up to a bound, what earlier
// runs left, so the cache cannot grow without limit.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

const CACHE_FORMAT = 1;

export const DEFAULT_CACHE_DIR = '.djfix_cache';

/** The pack of one kind of entry in a cache directory. */
export function packFile(cacheDir: string, name: string): string {
  return path.join(cacheDir, `v${CACHE_FORMAT}`, `${name}.json`);
}

interface Pack<T> {
  format: number;
  version: string;
  entries: Record<string, T>;
}

export class PackCache<T> {
  private loaded: Map<string, T> | undefined;
  private readonly used = new Map<string, T>();
  /** Something new was stored: only then is the pack written again. */
  private changed = false;

  constructor(private readonly file: string | null, private readonly version: string) {}

  /** Read on first use: a run that never asks for an entry of this kind never parses its pack. */
  private get previous(): Map<string, T> {
    return (this.loaded ??= new Map(this.file ? Object.entries(readPack<T>(this.file, this.version)) : []));
  }

  /**
   * True when no earlier run left a pack: the caller can skip looking anything up. The pack is not
   * parsed to answer (a warm run that needs no entry of this kind never reads it); one that turns out
   * unreadable or of another version only makes the lookups miss.
   */
  isEmpty(): boolean {
    if (this.used.size > 0) return false;
    if (this.loaded) return this.loaded.size === 0;
    return !this.file || !fs.existsSync(this.file);
  }

  get(key: string): T | undefined {
    const found = this.used.get(key) ?? this.previous.get(key);
    if (found !== undefined) this.used.set(key, found);
    return found;
  }

  set(key: string, value: T): void {
    this.used.set(key, value);
    this.changed = true;
  }

  /** Writes what this run used, then earlier entries, up to `limit` entries in all. */
  save(limit: number): void {
    if (!this.file || !this.changed) return;
    const entries: Record<string, T> = Object.fromEntries(this.used);
    let count = this.used.size;
    for (const [key, value] of this.previous) {
      if (count >= limit) break;
      if (!(key in entries)) {
        entries[key] = value;
        count++;
      }
    }
    writePack(this.file, { format: CACHE_FORMAT, version: this.version, entries });
  }
}

function readPack<T>(file: string, version: string): Record<string, T> {
  try {
    const pack = JSON.parse(fs.readFileSync(file, 'utf8')) as Pack<T>;
    if (pack.format === CACHE_FORMAT && pack.version === version && pack.entries && typeof pack.entries === 'object') return pack.entries;
  } catch {
    // Missing or corrupt: start afresh; it is rewritten at the end of the run.
  }
  return {};
}

function writePack<T>(file: string, pack: Pack<T>): void {
  const dir = path.dirname(file);
  try {
    prepareCacheDir(path.dirname(dir));
    fs.mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(pack));
    fs.renameSync(temp, file);
  } catch {
    // A cache that cannot be written only costs time on the next run.
  }
}

/** Marks the cache directory as one: git ignores it, backup tools skip it. */
function prepareCacheDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const gitignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(gitignore)) fs.writeFileSync(gitignore, '# Created by djfix.\n*\n');
  const tag = path.join(dir, 'CACHEDIR.TAG');
  if (!fs.existsSync(tag)) fs.writeFileSync(tag, 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by djfix.\n');
}

/**
 * The djfix version plus the size and modification time of its compiled code, so a changed build
 * (a development checkout, a patched install) never reads facts computed by another.
 */
export function engineFingerprint(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version: string = require('../../package.json').version;
  const distRoot = path.join(__dirname, '..');
  const stamps: string[] = [];
  for (const dir of ['src', 'transforms']) {
    const files = (fs.readdirSync(path.join(distRoot, dir), { recursive: true }) as string[]).filter((name) => name.endsWith('.js')).sort();
    for (const name of files) {
      const stat = fs.statSync(path.join(distRoot, dir, name));
      stamps.push(`${dir}/${name}:${stat.size}:${stat.mtimeMs}`);
    }
  }
  return `${version}+${cacheKey(...stamps).slice(0, 16)}`;
}

/**
 * The key of one file's entry under a context shared by every file of a run (the transforms, the
 * index): both are digests already, so joined they are as unique as hashed together, and a run of
 * 4,000 files spares 4,000 digests. Sixteen hex digits of the context tell contexts apart.
 */
export function fileKey(context: string, fileHash: string): string {
  return `${context.slice(0, 16)}${fileHash}`;
}

/** A digest of the parts, each ended by a NUL; given to the hash at once (a tree's key has two parts per file). */
export function cacheKey(...parts: string[]): string {
  return createHash('sha256').update(`${parts.join('\0')}\0`).digest('hex');
}
